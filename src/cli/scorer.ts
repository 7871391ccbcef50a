import type { Config } from '../config.js';
import { type ModelRating, rate, toModelRating } from '../rating/pipeline.js';
import { candidateRecord } from '../services/candidate-record.js';
import { EvidenceService } from '../services/evidence-service.js';
import { LineageService } from '../services/lineage-service.js';
import { createGitHubSource } from '../sources/github.js';
import { DEFAULT_CACHE_OPTIONS, ResponseCache } from '../sources/http-cache.js';
import { createHuggingFaceSource, type HuggingFaceSource } from '../sources/huggingface.js';
import type { FetchedSource, HuggingFaceMetadata } from '../sources/source.js';
import { createSqliteStore } from '../storage/metadata/sqlite.js';
import type { ScoreTarget } from './url-file.js';

export interface Scorer {
  /** Fetches the model's evidence through the real clients and rates it. */
  score(target: ScoreTarget): Promise<ModelRating>;
  close(): Promise<void>;
}

/**
 * Rates models outside any registry, exactly as the registry rates one it is about to ingest:
 * the same clients, the same evidence gathering, the same pipeline. The "registry" here is an
 * empty in-memory one, so every declared parent (base model, adapter base ...) is a parent not
 * in the registry, and tree_score reads accordingly (see docs/metrics.md).
 */
export async function createScorer(
  config: Pick<Config, 'sources' | 'limits'>,
  /** The transport under the Hugging Face and GitHub clients (default: global fetch). */
  transport: typeof fetch = fetch,
): Promise<Scorer> {
  const cache = new ResponseCache(DEFAULT_CACHE_OPTIONS);
  const limits = { cache, maxTotalBytes: config.limits.maxPackageBytes, fetch: transport };
  const huggingFace = createHuggingFaceSource(config.sources, limits);
  const github = createGitHubSource(config.sources, limits);
  const store = createSqliteStore(':memory:');
  await store.migrate();
  const evidence = new EvidenceService(store, new LineageService(store), huggingFace, github);

  return {
    async score(target) {
      const source = await fetchModel(huggingFace, target.modelId);
      const record = candidateRecord(
        'model',
        source,
        withGivenLinks(source.metadata as HuggingFaceMetadata, target),
        'scorer',
      );
      return toModelRating(await rate(await evidence.gather(record), { name: source.name }));
    },
    close: () => store.close(),
  };
}

async function fetchModel(huggingFace: HuggingFaceSource, modelId: string): Promise<FetchedSource> {
  const source = await huggingFace.fetchModel(modelId);
  if (source.metadata.kind !== 'hf-model') throw new Error(`"${modelId}" is not a Hugging Face model.`);
  return source;
}

/**
 * A code or dataset URL given on the line is taken as the model's own link, as if its card named
 * it: it replaces what the card links, and the metrics credit it like a card link.
 */
function withGivenLinks(model: HuggingFaceMetadata, target: ScoreTarget): HuggingFaceMetadata {
  return {
    ...model,
    ...(target.code ? { linkedGithub: target.code } : {}),
    ...(target.datasetId ? { datasets: [target.datasetId] } : {}),
  };
}
