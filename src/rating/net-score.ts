import { DEVICES, type DeviceScores, unitScore } from './metric.js';

/** The metrics net_score combines, and reviewedness's "not applicable" value. */
export interface MetricScores {
  ramp_up_time: number;
  bus_factor: number;
  performance_claims: number;
  license: number;
  size_score: DeviceScores;
  dataset_and_code_score: number;
  dataset_quality: number;
  code_quality: number;
  reproducibility: number;
  /** -1 when no GitHub repository is linked. */
  reviewedness: number;
  tree_score: number;
}

/**
 * Weights (sum 1). License weighs most: a model the company may not ship is worth little however
 * good it is. The card-derived signals a user meets first (ramp-up, claims, reproducibility) come
 * next; the rest share the remainder. docs/metrics.md gives the reasoning.
 */
export const NET_SCORE_WEIGHTS: Readonly<Record<keyof MetricScores, number>> = {
  license: 0.15,
  ramp_up_time: 0.1,
  performance_claims: 0.1,
  reproducibility: 0.1,
  bus_factor: 0.08,
  size_score: 0.08,
  dataset_and_code_score: 0.08,
  dataset_quality: 0.08,
  code_quality: 0.08,
  tree_score: 0.08,
  reviewedness: 0.07,
};

/**
 * Weighted mean of the metrics. size_score enters as the mean over the four devices (how widely
 * the model can be deployed). Reviewedness -1 (no repository) is left out and the other weights
 * are scaled up to sum to 1, so "not applicable" neither rewards nor punishes.
 */
export function netScore(scores: MetricScores): number {
  let weighted = 0;
  let totalWeight = 0;
  for (const [metric, weight] of Object.entries(NET_SCORE_WEIGHTS) as [keyof MetricScores, number][]) {
    const value = contribution(scores, metric);
    if (value === null) continue;
    weighted += weight * value;
    totalWeight += weight;
  }
  return unitScore(weighted / totalWeight);
}

function contribution(scores: MetricScores, metric: keyof MetricScores): number | null {
  if (metric === 'size_score') {
    return DEVICES.reduce((sum, device) => sum + scores.size_score[device], 0) / DEVICES.length;
  }
  if (metric === 'reviewedness' && scores.reviewedness < 0) return null;
  return scores[metric];
}
