import type { RatingEvidence } from './evidence.js';

export interface MetricResult {
  score: number;
  /** One or two sentences a person can check against the evidence. */
  reason: string;
}

export const DEVICES = ['raspberry_pi', 'jetson_nano', 'desktop_pc', 'aws_server'] as const;
export type Device = (typeof DEVICES)[number];
export type DeviceScores = Record<Device, number>;

export interface SizeResult {
  score: DeviceScores;
  reason: string;
}

export type Metric<R = MetricResult> = (evidence: RatingEvidence) => R | Promise<R>;

/**
 * A metric that cannot be computed from the evidence at hand. Rating never substitutes a number:
 * the whole rating fails and names the metric (the API answers 500).
 */
export class MetricUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricUnavailableError';
  }
}

/** Clamp into [0, 1] and round to 3 decimals, so scores print and compare cleanly. */
export function unitScore(value: number): number {
  if (!Number.isFinite(value)) throw new MetricUnavailableError(`Computed a non-finite score (${value}).`);
  return Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;
}

/** A score built from named, weighted checks, with a reason listing what was found and missed. */
export interface Check {
  label: string;
  weight: number;
  /** Fraction of the weight earned, in [0, 1]. */
  earned: number;
}

export function scoreChecks(checks: readonly Check[]): { score: number; found: string[]; missing: string[] } {
  const score = checks.reduce((sum, check) => sum + check.weight * Math.min(1, Math.max(0, check.earned)), 0);
  return {
    score: unitScore(score),
    found: checks.filter((check) => check.earned >= 1).map((check) => check.label),
    missing: checks.filter((check) => check.earned < 1).map((check) => check.label),
  };
}

export function checksReason(subject: string, found: string[], missing: string[]): string {
  const parts = [];
  if (found.length > 0) parts.push(`has ${found.join(', ')}`);
  if (missing.length > 0) parts.push(`lacks (or only partly has) ${missing.join(', ')}`);
  return `${subject} ${parts.join('; ')}.`;
}
