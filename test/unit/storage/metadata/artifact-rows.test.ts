import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ResetConflictError } from '../../../../src/domain/errors.js';
import type { MetadataStore } from '../../../../src/storage/metadata/metadata-store.js';
import {
  artifactRecord,
  at,
  auditEntry,
  memoryStore,
  semver,
  userRecord,
} from '../../support/metadata-records.js';

let store: MetadataStore;
beforeEach(async () => {
  store = await memoryStore();
});
afterEach(() => store.close());

const actions = async (id: string) => (await store.listAudit(id, { limit: 50 })).items.map((e) => e.action);

describe('artifact rows', () => {
  it('maps every field of a record to its row and back, the readme kept apart from the facts', async () => {
    const record = artifactRecord('full', {
      type: 'dataset',
      version: semver('2.10.3-rc.1'),
      packageSize: 5_000_000_000,
      facts: {
        files: [{ path: 'data/train.csv', size: 10, compressedSize: 4, aspect: 'datasets' }],
        readme: '# Card\nnon-ASCII: é 漢字',
        configJson: '{"a":1}',
        weightsScan: { policy: 'p1', verdict: 'clean', filesScanned: 0, files: [] },
      },
      sourceMetadata: { kind: 'hf-dataset', nested: { list: [1, 'two', null] } },
      createdAt: at(1),
      updatedAt: at(2),
    });
    await store.insertArtifact(record);
    expect(await store.getArtifact('full')).toEqual(record);
  });

  it('keeps a release version apart from a prerelease and no version at all', async () => {
    await store.insertArtifact(artifactRecord('release', { version: semver('1.0.0') }));
    await store.insertArtifact(artifactRecord('none'));
    expect((await store.getArtifact('release'))?.version).toEqual({
      text: '1.0.0',
      major: 1,
      minor: 0,
      patch: 0,
      prerelease: false,
    });
    expect((await store.getArtifact('none'))?.version).toBeNull();
  });

  it('answers package references with sizes as numbers', async () => {
    await store.insertArtifact(artifactRecord('big', { packageSize: 2 ** 40, packageDigest: 'd-big' }));
    expect(await store.scanPackageReferences({ limit: 5 })).toEqual({
      items: [{ id: 'big', type: 'model', name: 'name-big', packageDigest: 'd-big', packageSize: 2 ** 40 }],
      next: null,
    });
  });
});

describe('replacing and deleting artifacts', () => {
  it('deletes only the version the caller saw', async () => {
    await store.insertArtifact(artifactRecord('a'));
    expect(await store.deleteArtifact('a', at(5))).toBeNull();
    expect(await store.getArtifact('a')).not.toBeNull();
    expect((await store.deleteArtifact('a', at(0)))?.id).toBe('a');
    expect(await store.getArtifact('a')).toBeNull();
  });

  it('takes the rating, counters, access log and monitor program with the artifact, and nothing of others', async () => {
    for (const id of ['gone', 'kept']) {
      await store.insertArtifact(artifactRecord(id));
      await store.putRating(id, { body: { id }, inputs: 'i', scoringVersion: 's', computedAt: at(0) });
      await store.popularity.record([
        { artifactId: id, kind: 'download', userName: 'u', client: 'c', at: at(0) },
      ]);
      await store.monitors.putProgram({
        artifactId: id,
        source: 'process.exit(0)',
        sha256: 'h',
        size: 15,
        uploadedBy: 'admin',
        uploadedAt: at(0),
      });
    }
    await store.deleteArtifact('gone');

    expect(await store.getRating('gone')).toBeNull();
    expect(await store.popularity.get('gone')).toEqual({
      downloads: 0,
      downloaders: 0,
      searchHits: 0,
      views: 0,
    });
    expect(await store.popularity.recentAccess('gone', 5)).toEqual([]);
    expect(await store.monitors.getProgram('gone')).toBeNull();

    expect(await store.getRating('kept')).not.toBeNull();
    expect((await store.popularity.get('kept')).downloaders).toBe(1);
    expect(await store.monitors.getProgram('kept')).not.toBeNull();
  });

  it('audits a fenced replace only when it applied', async () => {
    const generation = await store.writeGeneration();
    await store.insertArtifact(artifactRecord('f'), {
      startedIn: generation,
      audit: auditEntry('f', 'CREATE'),
    });
    const changed = artifactRecord('f', { name: 'renamed', updatedAt: at(3) });
    const fence = { startedIn: generation, audit: auditEntry('f', 'UPDATE', 3) };

    expect(await store.replaceArtifact(changed, at(99), fence)).toBe(false);
    expect(await actions('f')).toEqual(['CREATE']);
    expect(await store.replaceArtifact(changed, at(0), fence)).toBe(true);
    expect(await actions('f')).toEqual(['UPDATE', 'CREATE']);
    expect((await store.getArtifact('f'))?.name).toBe('renamed');
  });

  it('refuses a fenced write from an older generation, writing neither the row nor its audit entry', async () => {
    const stale = await store.writeGeneration();
    await store.beginReset(userRecord('root', { isAdmin: true }));
    await store.endReset();
    const failure = store.insertArtifact(artifactRecord('late'), {
      startedIn: stale,
      audit: auditEntry('late', 'CREATE'),
    });
    await expect(failure).rejects.toBeInstanceOf(ResetConflictError);
    expect(await store.getArtifact('late')).toBeNull();
    expect(await actions('late')).toEqual([]);
  });
});

describe('countByDigest', () => {
  it('counts artifacts and staged commands naming the package, and only those', async () => {
    await store.insertArtifact(artifactRecord('a', { packageDigest: 'shared' }));
    await store.insertArtifact(artifactRecord('b', { packageDigest: 'shared' }));
    await store.insertArtifact(artifactRecord('c', { packageDigest: 'other' }));
    await store.transactions.open({ id: 'tx', owner: 'bob', createdAt: at(0), expiresAt: at(60) });
    await store.transactions.append(
      'tx',
      {
        op: 'create',
        artifact: { id: 'd', type: 'model', name: 'd' },
        expectedUpdatedAt: null,
        record: artifactRecord('d', { packageDigest: 'shared' }),
        rating: null,
      },
      { now: at(1), expiresAt: at(60), maxCommands: 10, maxStagedBytes: 10_000 },
    );
    expect(await store.countByDigest('shared')).toBe(3);
    expect(await store.countByDigest('other')).toBe(1);
    expect(await store.countByDigest('unknown')).toBe(0);
  });
});

describe('digest and group locks', () => {
  it('hands the work the store itself on SQLite and answers its result', async () => {
    await store.insertArtifact(artifactRecord('x', { packageDigest: 'dx' }));
    const count = await store.withDigestLock('dx', (locked) => locked.countByDigest('dx'));
    expect(count).toBe(1);
  });

  it('commits a group with everything it wrote', async () => {
    const generation = await store.writeGeneration();
    const result = await store.withGroupLock(['d2', 'd1', 'd2'], generation, async (locked) => {
      await locked.insertArtifact(artifactRecord('g1', { packageDigest: 'd1' }));
      await locked.insertArtifact(artifactRecord('g2', { packageDigest: 'd2' }));
      return 'done';
    });
    expect(result).toBe('done');
    expect((await store.scanPackageReferences({ limit: 10 })).items.map((r) => r.id)).toEqual(['g1', 'g2']);
  });

  it('rolls the whole group back when a later write of it fails', async () => {
    const generation = await store.writeGeneration();
    await store.insertArtifact(artifactRecord('taken'));
    const group = store.withGroupLock(['d'], generation, async (locked) => {
      await locked.insertArtifact(artifactRecord('new-one'));
      await locked.insertArtifact(artifactRecord('taken'));
    });
    await expect(group).rejects.toBeInstanceOf(ConflictError);
    expect(await store.getArtifact('new-one')).toBeNull();
  });

  it('refuses a group started before a reset without running it', async () => {
    const stale = await store.writeGeneration();
    await store.beginReset(userRecord('root', { isAdmin: true }));
    await store.endReset();
    let ran = false;
    const group = store.withGroupLock(['d'], stale, async () => {
      ran = true;
    });
    await expect(group).rejects.toBeInstanceOf(ResetConflictError);
    expect(ran).toBe(false);
  });

  it('serialises groups sharing a digest', async () => {
    const generation = await store.writeGeneration();
    const log: string[] = [];
    const group = (name: string, digests: string[]) =>
      store.withGroupLock(digests, generation, async () => {
        log.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        log.push(`end ${name}`);
      });
    await Promise.all([group('first', ['a', 'b']), group('second', ['b', 'c'])]);
    // Either may go first; they never overlap.
    expect([
      ['start first', 'end first', 'start second', 'end second'],
      ['start second', 'end second', 'start first', 'end first'],
    ]).toContainEqual(log);
  });
});
