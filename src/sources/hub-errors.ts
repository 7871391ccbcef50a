import { NotFoundError, RegistryError, UpstreamError } from '../domain/errors.js';
import { isHubApiError } from './hub-client.js';

/**
 * The hub says why it refuses a repo in the `X-Error-Code` header, which `@huggingface/hub`'s
 * errors do not keep. This fetch layer turns those answers into a HubRefusal at the boundary,
 * where the header is still visible; `hubError` then words it for the repo being fetched.
 * `EntryNotFound` (a missing file) passes through: the client reports it as a null download.
 */
export class HubRefusal extends Error {
  constructor(
    readonly code: 'RepoNotFound' | 'GatedRepo',
    readonly status: number,
    detail: string,
  ) {
    super(detail);
  }
}

export function classifyHubRefusals(fetchImpl: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (response.ok) return response;
    const code = response.headers.get('x-error-code');
    if (code === 'RepoNotFound' || code === 'GatedRepo') {
      const detail = response.headers.get('x-error-message') ?? response.statusText;
      await response.body?.cancel();
      throw new HubRefusal(code, response.status, detail);
    }
    return response;
  };
}

/** A registry error, with the HTTP status ModelGuard answers, for a failure while fetching `what`. */
export function hubError(error: unknown, what: string): RegistryError {
  if (error instanceof RegistryError) return error;
  if (error instanceof HubRefusal) {
    return error.code === 'RepoNotFound'
      ? new NotFoundError(`${what} does not exist on Hugging Face (or is private).`)
      : // 424, not 403: the caller's own credentials are fine; the upstream repo is what refuses.
        new UpstreamError(
          `${what} is gated on Hugging Face: accept its conditions there and configure an HF_TOKEN with access.`,
          424,
        );
  }
  if (isHubApiError(error)) {
    if (error.statusCode === 404) return new NotFoundError(`${what} was not found on Hugging Face.`);
    return new UpstreamError(
      `Hugging Face answered ${error.statusCode} for ${what}: ${firstLine(error.message)}`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UpstreamError(`Hugging Face answered unexpectedly for ${what}: ${firstLine(message)}`);
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.slice(0, 300) ?? '';
}
