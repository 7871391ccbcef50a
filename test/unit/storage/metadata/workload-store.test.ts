import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkloadRun } from '../../../../src/domain/workload.js';
import type { MetadataStore } from '../../../../src/storage/metadata/metadata-store.js';
import { at, memoryStore } from '../../support/metadata-records.js';

let store: MetadataStore;
beforeEach(async () => {
  store = await memoryStore();
});
afterEach(() => store.close());

function run(id: string, overrides: Partial<WorkloadRun> = {}): WorkloadRun {
  return {
    id,
    status: 'preparing',
    parameters: { clients: 100, models: 500, modelSizeMb: 64 },
    startedBy: 'root',
    completed: 0,
    total: 100,
    startedAt: at(0),
    finishedAt: null,
    updatedAt: at(0),
    components: { metadata: 'sqlite', blobs: 'filesystem' },
    results: null,
    error: null,
    ...overrides,
  };
}

describe('workload store', () => {
  it('stores a run and reads it back', async () => {
    await store.workloads.insert(run('w1'));
    expect(await store.workloads.get('w1')).toEqual(run('w1'));
    expect(await store.workloads.get('w2')).toBeNull();
  });

  it('updates progress, end, results and error, never the parameters', async () => {
    await store.workloads.insert(run('w1'));
    const done = run('w1', {
      status: 'done',
      parameters: { clients: 1, models: 1, modelSizeMb: 1 },
      completed: 100,
      finishedAt: at(5),
      updatedAt: at(5),
      results: {
        requests: 100,
        bytes: 6_710_886_400,
        throughputMbps: 812.5,
        latencyMs: { mean: 4.5, median: 4, p99: 12 },
      },
    });
    await store.workloads.update(done);
    expect(await store.workloads.get('w1')).toEqual({ ...done, parameters: run('w1').parameters });

    const failed = run('w1', {
      status: 'failed',
      completed: 3,
      updatedAt: at(6),
      finishedAt: at(6),
      error: 'download 4 failed',
    });
    await store.workloads.update(failed);
    expect(await store.workloads.get('w1')).toEqual(failed);
  });

  it('lists the newest runs first up to the limit, and the active ones', async () => {
    await store.workloads.insert(run('old', { status: 'done' }));
    await store.workloads.insert(run('running', { status: 'running' }));
    await store.workloads.insert(run('failed', { status: 'failed' }));
    await store.workloads.insert(run('new'));
    expect((await store.workloads.list(3)).map((r) => r.id)).toEqual(['new', 'failed', 'running']);
    expect((await store.workloads.active()).map((r) => r.id).sort()).toEqual(['new', 'running']);
  });
});
