import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/security/permissions.js';
import { MAX_HITS_RECORDED, PopularityService } from '../../../src/services/popularity-service.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { artifactRecord, memoryStore } from '../support/metadata-records.js';

const reader: Actor = {
  name: 'reader',
  isAdmin: false,
  canUpload: false,
  canSearch: true,
  canDownload: true,
};

let store: MetadataStore;

beforeEach(async () => {
  store = await memoryStore();
});

afterEach(() => store.close());

async function artifacts(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `art-${String(i).padStart(3, '0')}`);
  for (const id of ids) await store.insertArtifact(artifactRecord(id));
  return ids;
}

describe('PopularityService.record', () => {
  it('counts a download and logs who fetched it from where, and when', async () => {
    const [id = ''] = await artifacts(1);
    const before = Date.now();
    await new PopularityService(store.popularity).record('download', [id], reader, '192.0.2.7');
    expect(await store.popularity.get(id)).toMatchObject({ downloads: 1, downloaders: 1, searchHits: 0 });
    const [event] = await store.popularity.recentAccess(id, 10);
    expect(event).toMatchObject({
      artifactId: id,
      kind: 'download',
      userName: 'reader',
      client: '192.0.2.7',
    });
    expect(event?.at.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('records only the first search hits a person sees', async () => {
    const ids = await artifacts(MAX_HITS_RECORDED + 5);
    await new PopularityService(store.popularity).record('search_hit', ids, reader, '192.0.2.7');
    expect((await store.popularity.get(ids[MAX_HITS_RECORDED - 1] ?? '')).searchHits).toBe(1);
    expect((await store.popularity.get(ids[MAX_HITS_RECORDED] ?? '')).searchHits).toBe(0);
  });

  it('records nothing for a search without results', async () => {
    await new PopularityService(store.popularity).record('search_hit', [], reader, '192.0.2.7');
    expect((await store.popularity.scanModels({ limit: 10 })).items).toEqual([]);
  });
});
