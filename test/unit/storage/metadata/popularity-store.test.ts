import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetadataStore } from '../../../../src/storage/metadata/metadata-store.js';
import type { AccessEvent, AccessKind } from '../../../../src/storage/metadata/popularity-store.js';
import { artifactRecord, at, memoryStore } from '../../support/metadata-records.js';

let store: MetadataStore;
beforeEach(async () => {
  store = await memoryStore();
});
afterEach(() => store.close());

const access = (artifactId: string, kind: AccessKind, userName: string, minute = 0): AccessEvent => ({
  artifactId,
  kind,
  userName,
  client: `10.0.0.${minute}`,
  at: at(minute),
});

describe('popularity store', () => {
  it('answers zeros for an artifact never accessed, and records nothing for no events', async () => {
    await store.popularity.record([]);
    expect(await store.popularity.get('a')).toEqual({
      downloads: 0,
      downloaders: 0,
      searchHits: 0,
      views: 0,
    });
    expect(await store.popularity.recentAccess('a', 5)).toEqual([]);
  });

  it('counts a batch per artifact and kind, each account once as a downloader across batches', async () => {
    await store.popularity.record([
      access('a', 'download', 'bob'),
      access('a', 'download', 'bob'),
      access('a', 'download', 'carol'),
      access('a', 'view', 'bob'),
      access('a', 'search_hit', 'anon'),
      access('b', 'view', 'bob'),
    ]);
    await store.popularity.record([access('a', 'download', 'bob'), access('a', 'download', 'dave')]);
    expect(await store.popularity.get('a')).toEqual({
      downloads: 5,
      downloaders: 3,
      searchHits: 1,
      views: 1,
    });
    expect(await store.popularity.get('b')).toEqual({
      downloads: 0,
      downloaders: 0,
      searchHits: 0,
      views: 1,
    });
  });

  it('answers the newest accesses first up to the limit, and prunes old ones but not the counters', async () => {
    await store.popularity.record([access('a', 'view', 'u0', 0), access('a', 'download', 'u1', 1)]);
    await store.popularity.record([access('a', 'search_hit', 'u2', 2)]);
    expect(await store.popularity.recentAccess('a', 2)).toEqual([
      access('a', 'search_hit', 'u2', 2),
      access('a', 'download', 'u1', 1),
    ]);
    await store.popularity.pruneAccessBefore(at(2));
    expect(await store.popularity.recentAccess('a', 10)).toEqual([access('a', 'search_hit', 'u2', 2)]);
    expect(await store.popularity.get('a')).toEqual({
      downloads: 1,
      downloaders: 1,
      searchHits: 1,
      views: 1,
    });
  });

  it('scans only models, with the hub download count only for Hugging Face models', async () => {
    await store.insertArtifact(
      artifactRecord('hf', {
        sourceUrl: 'https://huggingface.co/o/hf',
        sourceMetadata: { kind: 'hf-model', downloads: 1234 },
      }),
    );
    await store.insertArtifact(
      artifactRecord('data', { type: 'dataset', sourceMetadata: { kind: 'hf-dataset', downloads: 9 } }),
    );
    await store.insertArtifact(artifactRecord('gh', { sourceMetadata: { kind: 'github', downloads: 77 } }));
    await store.insertArtifact(artifactRecord('hf-unknown', { sourceMetadata: { kind: 'hf-model' } }));
    await store.popularity.record([access('gh', 'download', 'bob')]);

    const first = await store.popularity.scanModels({ limit: 2 });
    expect(first.items).toEqual([
      {
        id: 'hf',
        name: 'name-hf',
        sourceUrl: 'https://huggingface.co/o/hf',
        createdBy: 'alice',
        hubDownloads: 1234,
        popularity: { downloads: 0, downloaders: 0, searchHits: 0, views: 0 },
      },
      {
        id: 'gh',
        name: 'name-gh',
        sourceUrl: 'upload:gh',
        createdBy: 'alice',
        hubDownloads: null,
        popularity: { downloads: 1, downloaders: 1, searchHits: 0, views: 0 },
      },
    ]);
    const rest = await store.popularity.scanModels({ after: first.next ?? undefined, limit: 2 });
    expect(rest.items.map((m) => [m.id, m.hubDownloads])).toEqual([['hf-unknown', null]]);
    expect(rest.next).toBeNull();
  });
});
