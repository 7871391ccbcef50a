import type { ModelPopularity } from '../storage/metadata/popularity-store.js';

/**
 * Popularity signal of the package-confusion audit. A model's popularity is the evidence the
 * registry has: downloads counted here, plus the hub's download count for models ingested from
 * Hugging Face, plus a tenth of its search hits (being found is weaker evidence than being
 * fetched). Imitations live on the reputation of a far more popular original.
 */
export function popularityOf(model: ModelPopularity): number {
  return (model.hubDownloads ?? 0) + model.popularity.downloads + model.popularity.searchHits / 10;
}

/** Below this a model is nobody's imitation target: there is no reputation to borrow. */
export const MIN_TARGET_POPULARITY = 100;

export interface PopularitySignal {
  strength: number;
  detail: string;
}

/**
 * How much less popular the suspect is than the model it resembles, on a log scale: 10x fewer
 * is no signal (popular models have popular neighbours), 1000x or more is the full signal.
 */
export function lowerPopularity(suspect: ModelPopularity, target: ModelPopularity): PopularitySignal {
  const s = popularityOf(suspect);
  const t = popularityOf(target);
  const gap = Math.log10(1 + t) - Math.log10(1 + s);
  const strength = Math.max(0, Math.min(1, (gap - 1) / 2));
  const times = s === 0 ? 'none' : `${Math.round(t / s)}x fewer`;
  return {
    strength,
    detail: `popularity ${round(s)} (${suspect.popularity.downloads} downloads by ${suspect.popularity.downloaders} accounts, ${suspect.popularity.searchHits} search hits) against ${round(t)} for the original (${times})`,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
