import { describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../../src/domain/artifact.js';
import { RegistryError } from '../../../src/domain/errors.js';
import { dependencyCosts } from '../../../src/services/cost-service.js';
import type { LineageEdge } from '../../../src/services/lineage-service.js';
import { hfModel } from './records.js';

function model(name: string, megabytes: number): ArtifactRecord {
  return hfModel({ repoId: `org/${name}`, size: megabytes * 1_000_000 });
}

function edge(from: ArtifactRecord | string, to: ArtifactRecord): LineageEdge {
  return {
    from_node_artifact_id: typeof from === 'string' ? from : from.id,
    to_node_artifact_id: to.id,
    relationship: 'base_model',
  };
}

function byId(...records: ArtifactRecord[]): Map<string, ArtifactRecord> {
  return new Map(records.map((record) => [record.id, record]));
}

describe('dependencyCosts', () => {
  it('matches the contract example: each dependency with its own closure', () => {
    const root = model('root', 412.5);
    const a = model('a', 280);
    const b = model('b', 562.5);
    const costs = dependencyCosts(byId(root, a, b), [edge(a, root), edge(b, root)]);
    expect(costs).toEqual({
      [root.id]: { standalone_cost: 412.5, total_cost: 1255 },
      [a.id]: { standalone_cost: 280, total_cost: 280 },
      [b.id]: { standalone_cost: 562.5, total_cost: 562.5 },
    });
  });

  it('counts a shared ancestor once (diamond) and sums transitively', () => {
    const root = model('root', 1);
    const left = model('left', 10);
    const right = model('right', 100);
    const shared = model('shared', 1000);
    const costs = dependencyCosts(byId(root, left, right, shared), [
      edge(left, root),
      edge(right, root),
      edge(shared, left),
      edge(shared, right),
    ]);
    expect(costs[root.id]?.total_cost).toBe(1111);
    expect(costs[left.id]?.total_cost).toBe(1010);
    expect(costs[shared.id]?.total_cost).toBe(1000);
  });

  it('terminates on cycles, each member counting once', () => {
    const a = model('a', 1);
    const b = model('b', 2);
    const costs = dependencyCosts(byId(a, b), [edge(b, a), edge(a, b)]);
    expect(costs[a.id]).toEqual({ standalone_cost: 1, total_cost: 3 });
    expect(costs[b.id]).toEqual({ standalone_cost: 2, total_cost: 3 });
  });

  it('leaves external nodes (not in the registry) out', () => {
    const root = model('root', 5);
    expect(dependencyCosts(byId(root), [edge('ext-0123', root)])).toEqual({
      [root.id]: { standalone_cost: 5, total_cost: 5 },
    });
  });

  it('rounds once, on the byte total', () => {
    const root = hfModel({ repoId: 'o/r', size: 600 });
    const parent = hfModel({ repoId: 'o/p', size: 600 });
    const costs = dependencyCosts(byId(root, parent), [edge(parent, root)]);
    expect(costs[root.id]).toEqual({ standalone_cost: 0.001, total_cost: 0.001 });
  });

  it('fails with 500 when a size is unknown', () => {
    const broken = { ...model('x', 1), packageSize: Number.NaN };
    let failure: unknown;
    try {
      dependencyCosts(byId(broken), []);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(RegistryError);
    expect(failure).toMatchObject({ statusCode: 500 });
  });
});
