import type { ArtifactRecord } from '../domain/artifact.js';
import { RegistryError } from '../domain/errors.js';
import type { LineageEdge, LineageService } from './lineage-service.js';

export interface CostEntry {
  standalone_cost?: number;
  total_cost: number;
}

/** Megabytes as storage vendors and the Hugging Face hub count them (10^6 bytes). */
export function bytesToMegabytes(bytes: number): number {
  return Math.round((bytes / 1_000_000) * 1000) / 1000;
}

/**
 * Download cost in MB. Without dependencies it is the package's own size. With dependencies it
 * is keyed by every registry artifact the root depends on (its lineage: parent models, datasets,
 * linked code, transitively), each with its own standalone size and the total over its own
 * closure; every artifact counts once per closure, however many paths lead to it. Dependencies
 * outside the registry have no stored package to size and are left out (docs/decisions.md).
 */
export class CostService {
  constructor(private readonly lineage: LineageService) {}

  async cost(record: ArtifactRecord, withDependencies: boolean): Promise<Record<string, CostEntry>> {
    if (!withDependencies) return { [record.id]: { total_cost: bytesToMegabytes(sizeOf(record)) } };
    const { graph, records } = await this.lineage.walk(record, { strict: false });
    return dependencyCosts(records, graph.edges);
  }
}

/**
 * Standalone and total cost of each artifact in `records`, where an artifact's total sums the
 * standalone sizes of itself and everything upstream of it along `edges` (cycle-safe).
 */
export function dependencyCosts(
  records: ReadonlyMap<string, ArtifactRecord>,
  edges: readonly LineageEdge[],
): Record<string, CostEntry> {
  const parents = new Map<string, string[]>();
  for (const edge of edges) {
    if (!records.has(edge.from_node_artifact_id)) continue;
    const list = parents.get(edge.to_node_artifact_id) ?? [];
    list.push(edge.from_node_artifact_id);
    parents.set(edge.to_node_artifact_id, list);
  }
  const costs: Record<string, CostEntry> = {};
  for (const [id, record] of records) {
    const closure = upstreamClosure(id, parents);
    const totalBytes = [...closure].reduce((sum, member) => sum + sizeOf(records.get(member)), 0);
    costs[id] = {
      standalone_cost: bytesToMegabytes(sizeOf(record)),
      total_cost: bytesToMegabytes(totalBytes),
    };
  }
  return costs;
}

function upstreamClosure(start: string, parents: ReadonlyMap<string, string[]>): Set<string> {
  const seen = new Set([start]);
  const stack = [start];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    for (const parent of parents.get(id) ?? []) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      stack.push(parent);
    }
  }
  return seen;
}

function sizeOf(record: ArtifactRecord | undefined): number {
  const size = record?.packageSize;
  if (size === undefined || !Number.isSafeInteger(size) || size < 0) {
    throw new RegistryError(500, `The size of artifact ${record?.id ?? '?'} is unknown.`, 'COST_UNAVAILABLE');
  }
  return size;
}
