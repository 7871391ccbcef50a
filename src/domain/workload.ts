/** The course's performance workload run against this deployment (POST /performance/workloads). */
export type WorkloadStatus = 'preparing' | 'running' | 'done' | 'failed';

export interface WorkloadParameters {
  /** Concurrent clients, each downloading the large model once. */
  clients: number;
  /** Models in the registry for the run, the large one included. */
  models: number;
  /** Size of the large model's weights file, in MiB. */
  modelSizeMb: number;
}

export interface WorkloadResults {
  /** Downloads completed (all of them: a run with a failed download has no results). */
  requests: number;
  bytes: number;
  /** Megabits (10^6 bits) per second over the download phase's wall time. */
  throughputMbps: number;
  latencyMs: { mean: number; median: number; p99: number };
}

export interface WorkloadRun {
  id: string;
  status: WorkloadStatus;
  parameters: WorkloadParameters;
  startedBy: string;
  /** Downloads finished (successfully or not) of `total` (= clients). */
  completed: number;
  total: number;
  startedAt: Date;
  finishedAt: Date | null;
  /** Last change; a preparing or running run not updated for long is one whose process died. */
  updatedAt: Date;
  /** The storage components in use: metadata store and blob store kinds. */
  components: { metadata: string; blobs: string };
  results: WorkloadResults | null;
  error: string | null;
}
