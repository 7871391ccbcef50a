import type { HubApiError } from '@huggingface/hub';

type HubModule = typeof import('@huggingface/hub');

let loading: Promise<HubModule> | undefined;
let loaded: HubModule | undefined;

/**
 * `@huggingface/hub`, imported on the first Hugging Face call: a registry that never ingests from
 * the hub does not hold the client in memory (bench/README.md, idle memory).
 */
export function hubClient(): Promise<HubModule> {
  loading ??= import('@huggingface/hub').then((hub) => {
    loaded = hub;
    return hub;
  });
  return loading;
}

/** An error of the hub client; none can exist before the client was first loaded. */
export function isHubApiError(error: unknown): error is HubApiError {
  return loaded !== undefined && error instanceof loaded.HubApiError;
}
