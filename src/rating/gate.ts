import { DEVICES, type Device } from './metric.js';
import { NET_SCORE_WEIGHTS } from './net-score.js';
import type { MetricName, ModelRating } from './pipeline.js';

export type GatedMetric = MetricName | 'net_score';

/** Every metric the gate can judge (the names GATE_EXCLUDE and GATE_THRESHOLDS accept). */
export const GATED_METRICS = [...(Object.keys(NET_SCORE_WEIGHTS) as MetricName[]), 'net_score'] as const;

export interface GatePolicy {
  /** The score every counted metric must reach. */
  threshold: number;
  /** Per-metric thresholds that replace `threshold` for those metrics. */
  thresholds: Partial<Record<GatedMetric, number>>;
  /** Reviewedness -1 (no GitHub repository): counts as passing, failing, or is not counted. */
  reviewednessWhenAbsent: 'pass' | 'fail' | 'ignore';
  /** Which size_score counts: one device, the best one ('max'), or every device ('any' fails on any). */
  sizeDevice: Device | 'max' | 'any';
  /** Metrics the gate does not look at. */
  excluded: GatedMetric[];
}

export interface GateFailure {
  metric: string;
  score: number;
  threshold: number;
}

export interface GateVerdict {
  passed: boolean;
  failing: GateFailure[];
}

/**
 * The default ingest gate: every metric and net_score at 0.5, with three documented choices
 * (docs/metrics.md, "Ingest gate"):
 * - size_score counts its best device: the registry serves servers as well as edge devices, and a
 *   7B model that fits only a server is not junk;
 * - reviewedness -1 passes: many well-kept models link no repository, and the other metrics
 *   already judge their card and data;
 * - reviewedness is excluded: it is a line share measured against a repository's whole history, and
 *   research code is typically published as one unreviewed import, so it would refuse the
 *   well-known models the gate must admit. It still counts in net_score; operators who want it
 *   as a veto remove it from `excluded` (and may give it its own threshold).
 */
export const DEFAULT_GATE_POLICY: Readonly<GatePolicy> = {
  threshold: 0.5,
  thresholds: {},
  reviewednessWhenAbsent: 'pass',
  sizeDevice: 'max',
  excluded: ['reviewedness'],
};

export function evaluateGate(rating: ModelRating, policy: GatePolicy = DEFAULT_GATE_POLICY): GateVerdict {
  const failing: GateFailure[] = [];
  const check = (metric: string, score: number, threshold: number) => {
    if (score < threshold) failing.push({ metric, score, threshold });
  };
  const counted = (Object.keys(rating) as (keyof ModelRating)[]).filter(
    (key): key is GatedMetric =>
      !key.endsWith('_latency') &&
      key !== 'name' &&
      key !== 'category' &&
      !policy.excluded.includes(key as GatedMetric),
  );
  for (const metric of counted) {
    const threshold = policy.thresholds[metric] ?? policy.threshold;
    if (metric === 'size_score') {
      for (const [label, score] of sizeScores(rating.size_score, policy.sizeDevice))
        check(label, score, threshold);
    } else if (metric === 'reviewedness' && rating.reviewedness < 0) {
      if (policy.reviewednessWhenAbsent === 'fail') check(metric, rating.reviewedness, threshold);
    } else {
      check(metric, rating[metric], threshold);
    }
  }
  return { passed: failing.length === 0, failing };
}

function sizeScores(scores: ModelRating['size_score'], device: GatePolicy['sizeDevice']): [string, number][] {
  if (device === 'any') return DEVICES.map((name) => [`size_score.${name}`, scores[name]]);
  if (device === 'max') {
    const best = DEVICES.reduce((a, b) => (scores[b] > scores[a] ? b : a));
    return [[`size_score.${best}`, scores[best]]];
  }
  return [[`size_score.${device}`, scores[device]]];
}
