/** A model's monitor program: a model with one is sensitive (docs/security.md). */
export interface MonitorProgram {
  artifactId: string;
  /** The program's source text (UTF-8). */
  source: string;
  sha256: string;
  size: number;
  uploadedBy: string;
  uploadedAt: Date;
}

/** Why a monitor run ended as it did. */
export const MONITOR_OUTCOMES = ['exit', 'timeout', 'output-limit', 'spawn-error'] as const;
export type MonitorOutcome = (typeof MONITOR_OUTCOMES)[number];

/** One request for a sensitive model's bytes and the monitor's verdict on it. */
export interface SensitiveDownload {
  artifactId: string;
  userName: string;
  at: Date;
  allowed: boolean;
  /** The program's exit code; null when it was killed or could not start. */
  exitCode: number | null;
  reason: MonitorOutcome;
  /** The start of the program's stdout. */
  stdout: string;
  /** `full`, an aspect, or `file:<path>` for a single file through the Hub-compatible API. */
  part: string;
  durationMs: number;
  /** True when a recent allowing verdict was reused for a resumed (ranged) request. */
  reused: boolean;
}
