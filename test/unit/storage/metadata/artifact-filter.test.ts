import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactType } from '../../../../src/domain/artifact.js';
import type {
  ArtifactQuerySpec,
  MetadataStore,
  VersionComparator,
} from '../../../../src/storage/metadata/metadata-store.js';
import { artifactRecord, memoryStore, semver } from '../../support/metadata-records.js';

let store: MetadataStore;

/** Every artifact is named "m" with one version, so a query shows which versions it keeps. */
const VERSIONS = ['0.9.9', '1.0.0', '1.0.1', '1.1.0', '1.1.1', '1.2.0-rc.1', '2.0.0'];

beforeAll(async () => {
  store = await memoryStore();
  for (const text of VERSIONS) {
    await store.insertArtifact(artifactRecord(`v${text}`, { name: 'm', version: semver(text) }));
  }
  await store.insertArtifact(artifactRecord('unversioned', { name: 'm' }));
  const types: ArtifactType[] = ['dataset', 'code', 'model', 'dataset', 'code'];
  for (const [i, type] of types.entries())
    await store.insertArtifact(artifactRecord(`t${i}`, { type, name: `t${i}` }));
});
afterAll(() => store.close());

const ids = async (queries: ArtifactQuerySpec[], limit = 50) =>
  (await store.queryArtifacts(queries, { limit })).items.map((a) => a.id.replace(/^v/, ''));

const cmp = (op: VersionComparator['op'], text: string): VersionComparator => {
  const { major, minor, patch } = semver(text);
  return { op, major, minor, patch };
};
const versions = (comparators: VersionComparator[][], includePrerelease = false) =>
  ids([{ name: 'm', version: { anyOf: comparators, includePrerelease } }]);

describe('version comparisons, column by column', () => {
  it.each([
    ['<', '1.1.0', ['0.9.9', '1.0.0', '1.0.1']],
    ['<=', '1.1.0', ['0.9.9', '1.0.0', '1.0.1', '1.1.0']],
    ['>', '1.0.1', ['1.1.0', '1.1.1', '2.0.0']],
    ['>=', '1.0.1', ['1.0.1', '1.1.0', '1.1.1', '2.0.0']],
    ['=', '1.1.0', ['1.1.0']],
    ['>', '0.9.10', ['1.0.0', '1.0.1', '1.1.0', '1.1.1', '2.0.0']],
    ['<', '1.0.0', ['0.9.9']],
    ['<=', '0.0.0', []],
  ] as const)('%s %s keeps %j', async (op, text, kept) => {
    expect(await versions([[cmp(op, text)]])).toEqual(kept);
  });

  it('lets a prerelease through only when asked, and compares it by its numbers', async () => {
    expect(await versions([[cmp('>=', '1.2.0')]])).toEqual(['2.0.0']);
    expect(await versions([[cmp('>=', '1.2.0')]], true)).toEqual(['1.2.0-rc.1', '2.0.0']);
    expect(await versions([[cmp('=', '1.2.0')]], true)).toEqual(['1.2.0-rc.1']);
  });

  it('needs every comparator of a set, and any one set', async () => {
    const range = [cmp('>=', '1.0.1'), cmp('<', '1.1.1')];
    expect(await versions([range])).toEqual(['1.0.1', '1.1.0']);
    expect(await versions([range, [cmp('=', '2.0.0')]])).toEqual(['1.0.1', '1.1.0', '2.0.0']);
  });
});

describe('names, types and paging', () => {
  it('splits a query over several types into one branch each, still in registry order', async () => {
    expect(await ids([{ name: '*', types: ['code', 'dataset'] }])).toEqual(['t0', 't1', 't3', 't4']);
    expect(await ids([{ name: '*', types: ['code', 'dataset'] }], 3)).toEqual(['t0', 't1', 't3']);
  });

  it('treats an empty type list as every type', async () => {
    expect(await ids([{ name: 't2', types: [] }])).toEqual(['t2']);
  });

  it('pages a union of branches by the last seq it returned', async () => {
    const queries: ArtifactQuerySpec[] = [
      { name: 't4' },
      { name: 't1' },
      { name: '*', types: ['model', 'dataset'] },
    ];
    const first = await store.queryArtifacts(queries, { limit: 8 });
    expect(first.items.map((a) => a.id)).toHaveLength(8);
    const rest = await store.queryArtifacts(queries, { after: first.next ?? undefined, limit: 8 });
    expect([...first.items, ...rest.items].map((a) => a.id)).toEqual([
      ...VERSIONS.map((v) => `v${v}`),
      'unversioned',
      't0',
      't1',
      't2',
      't3',
      't4',
    ]);
    expect(rest.next).toBeNull();
  });

  it('answers an empty last page for no queries', async () => {
    expect(await store.queryArtifacts([], { limit: 5 })).toEqual({ items: [], next: null });
  });
});
