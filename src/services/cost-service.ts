import type { ArtifactRecord } from '../domain/artifact.js';

export interface CostEntry {
  standalone_cost?: number;
  total_cost: number;
}

/** Megabytes as storage vendors and the Hugging Face hub count them (10^6 bytes). */
export function bytesToMegabytes(bytes: number): number {
  return Math.round((bytes / 1_000_000) * 1000) / 1000;
}

/**
 * Download cost in MB. Without dependencies it is the package's own size. With dependencies
 * it is keyed by every artifact in the dependency closure; until lineage is recorded an
 * artifact's closure is itself alone.
 */
export class CostService {
  cost(record: ArtifactRecord, withDependencies: boolean): Record<string, CostEntry> {
    const own = bytesToMegabytes(record.packageSize);
    if (!withDependencies) return { [record.id]: { total_cost: own } };
    return { [record.id]: { standalone_cost: own, total_cost: own } };
  }
}
