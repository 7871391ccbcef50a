import { performance } from 'node:perf_hooks';
import { RegistryError } from '../domain/errors.js';
import { modelCategory } from './category.js';
import type { RatingEvidence } from './evidence.js';
import type { Metric, MetricResult, SizeResult } from './metric.js';
import { busFactor } from './metrics/bus-factor.js';
import { codeQuality } from './metrics/code-quality.js';
import { datasetAndCodeScore } from './metrics/dataset-and-code.js';
import { datasetQuality } from './metrics/dataset-quality.js';
import { license } from './metrics/license.js';
import { performanceClaims } from './metrics/performance-claims.js';
import { rampUpTime } from './metrics/ramp-up-time.js';
import {
  type ReproducibilityExecutor,
  reproducibility,
  reproducibilityWith,
} from './metrics/reproducibility.js';
import { reviewedness } from './metrics/reviewedness.js';
import { sizeScore } from './metrics/size-score.js';
import { treeScore } from './metrics/tree-score.js';
import { type MetricScores, netScore } from './net-score.js';

export type MetricName = keyof MetricScores;

export type MetricSet = { [K in MetricName]: Metric<K extends 'size_score' ? SizeResult : MetricResult> };

export const DEFAULT_METRICS: Readonly<MetricSet> = {
  ramp_up_time: rampUpTime,
  bus_factor: busFactor,
  performance_claims: performanceClaims,
  license,
  size_score: sizeScore,
  dataset_and_code_score: datasetAndCodeScore,
  dataset_quality: datasetQuality,
  code_quality: codeQuality,
  reproducibility,
  reviewedness,
  tree_score: treeScore,
};

export interface RateOptions {
  /** The rating's `name`; defaults to the model's repo id. */
  name?: string;
  /** Replace metrics (tests, experiments); the rest stay the defaults. */
  metrics?: Partial<MetricSet>;
  /** Run the card's demo for real to decide reproducibility (off by default). */
  reproducibilityExecutor?: ReproducibilityExecutor;
}

type Timed<R> = R & { latency: number };

export interface RatingResult {
  name: string;
  category: string;
  net_score: Timed<{ score: number }>;
  metrics: { [K in MetricName]: Timed<K extends 'size_score' ? SizeResult : MetricResult> };
}

/** The contract's ModelRating. */
export type ModelRating = {
  name: string;
  category: string;
  net_score: number;
  net_score_latency: number;
} & { [K in MetricName]: MetricScores[K] } & { [K in MetricName as `${K}_latency`]: number };

/** Why each metric scored what it did, one or two sentences each (the `explain=true` extension). */
export type RatingReasons = { [K in MetricName]: string };

/** A rating with the reasons behind its scores. */
export interface ExplainedRating {
  rating: ModelRating;
  reasons: RatingReasons;
}

/** One or more metrics could not be computed: the rating as a whole is refused (HTTP 500). */
export class RatingFailedError extends RegistryError {
  constructor(readonly failures: { metric: MetricName; reason: string }[]) {
    super(
      500,
      `Rating failed: ${failures.map((failure) => `${failure.metric}: ${failure.reason}`).join('; ')}`,
      'RATING_FAILED',
    );
  }
}

/**
 * Rates a model: every metric runs concurrently, each timed on its own (seconds), then the net
 * score. net_score's latency is the whole run's wall time, so with concurrent metrics it is less
 * than the sum of theirs. Any metric failing fails the rating and names every failed metric.
 */
export async function rate(evidence: RatingEvidence, options: RateOptions = {}): Promise<RatingResult> {
  const started = performance.now();
  const metrics: MetricSet = {
    ...DEFAULT_METRICS,
    ...(options.reproducibilityExecutor
      ? { reproducibility: reproducibilityWith(options.reproducibilityExecutor) }
      : {}),
    ...options.metrics,
  };
  const names = Object.keys(metrics) as MetricName[];
  const settled = await Promise.allSettled(
    names.map((name) => timed(metrics[name] as Metric<MetricResult | SizeResult>, evidence)),
  );

  const failures: { metric: MetricName; reason: string }[] = [];
  const results: Partial<Record<MetricName, Timed<MetricResult | SizeResult>>> = {};
  settled.forEach((outcome, index) => {
    const metric = names[index] as MetricName;
    if (outcome.status === 'fulfilled') results[metric] = outcome.value;
    else
      failures.push({
        metric,
        reason: outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason),
      });
  });
  if (failures.length > 0) throw new RatingFailedError(failures);

  const rated = results as RatingResult['metrics'];
  const score = netScore(scoresOf(rated));
  return {
    name: options.name ?? evidence.model.repoId,
    category: modelCategory(evidence.model),
    net_score: { score, latency: secondsSince(started) },
    metrics: rated,
  };
}

/** Maps a rating onto the contract's ModelRating, field for field. */
export function toModelRating(result: RatingResult): ModelRating {
  const fields: Record<string, unknown> = {
    name: result.name,
    category: result.category,
    net_score: result.net_score.score,
    net_score_latency: result.net_score.latency,
  };
  for (const [metric, value] of Object.entries(result.metrics)) {
    fields[metric] = value.score;
    fields[`${metric}_latency`] = value.latency;
  }
  return fields as ModelRating;
}

export function explain(result: RatingResult): ExplainedRating {
  const reasons = Object.fromEntries(
    Object.entries(result.metrics).map(([metric, value]) => [metric, value.reason]),
  ) as RatingReasons;
  return { rating: toModelRating(result), reasons };
}

async function timed<R>(metric: Metric<R>, evidence: RatingEvidence): Promise<Timed<R>> {
  const started = performance.now();
  // A metric that throws synchronously must still be caught by allSettled, hence the async hop.
  const result = await Promise.resolve().then(() => metric(evidence));
  return { ...result, latency: secondsSince(started) };
}

function scoresOf(metrics: RatingResult['metrics']): MetricScores {
  return Object.fromEntries(
    Object.entries(metrics).map(([name, value]) => [name, value.score]),
  ) as unknown as MetricScores;
}

function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
