import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../../src/domain/artifact.js';
import { CostService } from '../../../src/services/cost-service.js';
import { LineageService } from '../../../src/services/lineage-service.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { hfDataset, hfModel } from '../lineage/records.js';
import { memoryStore } from '../support/metadata-records.js';

let store: MetadataStore;
let costs: CostService;

beforeEach(async () => {
  store = await memoryStore();
  costs = new CostService(new LineageService(store));
});

afterEach(() => store.close());

async function insert<T extends ArtifactRecord>(record: T): Promise<T> {
  await store.insertArtifact(record);
  return record;
}

describe('CostService.cost', () => {
  it("is the package's own size in MB without dependencies", async () => {
    const model = await insert(hfModel({ repoId: 'org/solo', size: 12_345_678 }));
    expect(await costs.cost(model, false)).toEqual({ [model.id]: { total_cost: 12.346 } });
  });

  it('adds every registry artifact the model depends on, each with its own closure', async () => {
    const base = await insert(hfModel({ repoId: 'org/base', size: 400_000_000 }));
    const data = await insert(hfDataset('org/corpus', 50_000_000));
    const tuned = await insert(
      hfModel({
        repoId: 'org/tuned',
        size: 100_000_000,
        card: { base_model: 'org/base', datasets: ['org/corpus', 'org/not-in-registry'] },
      }),
    );
    expect(await costs.cost(tuned, true)).toEqual({
      [tuned.id]: { standalone_cost: 100, total_cost: 550 },
      [base.id]: { standalone_cost: 400, total_cost: 400 },
      [data.id]: { standalone_cost: 50, total_cost: 50 },
    });
  });

  it('answers 500 naming the artifact whose size is unknown', async () => {
    const model = await insert(hfModel({ repoId: 'org/unsized', size: -1 }));
    await expect(costs.cost(model, false)).rejects.toMatchObject({
      statusCode: 500,
      code: 'COST_UNAVAILABLE',
      message: `The size of artifact ${model.id} is unknown.`,
    });
  });
});
