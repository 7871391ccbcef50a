import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aspectBlobKey } from '../../../src/services/aspect-packages.js';
import { type ConsistencyCheckOptions, checkConsistency } from '../../../src/services/consistency-check.js';
import type { BlobStore, ByteRange } from '../../../src/storage/blobs/blob-store.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { PackageStores, sha256 } from '../support/package-stores.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const HOUR = 3600_000;
const LONG_AGO = new Date(NOW.getTime() - 48 * HOUR);
const JUST_NOW = new Date(NOW.getTime() - 60_000);

const FULL: ConsistencyCheckOptions = { repair: false, graceMs: HOUR, verifyDigests: true, now: NOW };

describe('checkConsistency', () => {
  let stores: PackageStores;
  let store: MetadataStore;
  let blobs: BlobStore;

  beforeEach(async () => {
    stores = await PackageStores.create();
    ({ store, blobs } = stores);
  });

  afterEach(() => stores.dispose());

  async function storedDigests(): Promise<string[]> {
    const digests: string[] = [];
    for await (const blob of stores.blobs.list()) digests.push(blob.digest);
    return digests.sort();
  }

  it('passes a registry whose rows and blobs agree, counting what it saw', async () => {
    const shared = await stores.putBlob('package shared by two versions');
    const single = await stores.putBlob('package of one artifact');
    await stores.addArtifact('a1', shared);
    await stores.addArtifact('a2', shared);
    await stores.addArtifact('a3', single);

    expect(await checkConsistency(store, blobs, FULL)).toEqual({
      ok: true,
      artifacts: 3,
      stagedCommands: 0,
      packages: 2,
      blobs: 2,
      aspectPackages: 0,
      packageProblems: [],
      orphans: [],
      recentOrphans: [],
      collected: [],
    });
  });

  it('passes an empty registry', async () => {
    const report = await checkConsistency(store, blobs, FULL);
    expect(report).toMatchObject({ ok: true, artifacts: 0, packages: 0, blobs: 0 });
  });

  it('reports a row whose blob is missing (a dangling row), with the artifacts naming it', async () => {
    const lost = { digest: sha256('never stored'), size: 12 };
    await stores.addArtifact('a1', lost);

    const report = await checkConsistency(store, blobs, FULL);
    expect(report.ok).toBe(false);
    expect(report.packageProblems).toEqual([
      {
        digest: lost.digest,
        size: 12,
        problem: 'missing',
        artifacts: [{ id: 'a1', name: 'name-a1', type: 'model' }],
        transactions: [],
      },
    ]);
  });

  it('reports a blob of the wrong size with the size it has', async () => {
    const blob = await stores.putBlob('twelve bytes');
    await stores.addArtifact('a1', blob);
    await stores.overwriteBlob(blob.digest, 'cut');

    const [problem] = (await checkConsistency(store, blobs, { ...FULL, verifyDigests: false }))
      .packageProblems;
    expect(problem).toMatchObject({ digest: blob.digest, problem: 'wrong-size', size: 12, storedSize: 3 });
  });

  it('reports a blob holding other bytes of the same size only when digests are verified', async () => {
    const blob = await stores.putBlob('original bytes');
    await stores.addArtifact('a1', blob);
    await stores.overwriteBlob(blob.digest, 'ORIGINAL BYTES');

    expect((await checkConsistency(store, blobs, { ...FULL, verifyDigests: false })).ok).toBe(true);
    const report = await checkConsistency(store, blobs, FULL);
    expect(report.ok).toBe(false);
    expect(report.packageProblems).toEqual([
      expect.objectContaining({
        digest: blob.digest,
        problem: 'wrong-digest',
        storedDigest: sha256('ORIGINAL BYTES'),
      }),
    ]);
  });

  it('lists problems in digest order', async () => {
    const digests = ['one', 'two', 'three', 'four', 'five', 'six'].map((text) => sha256(text));
    for (const [index, digest] of digests.entries())
      await stores.addArtifact(`a${index}`, { digest, size: 1 });
    const report = await checkConsistency(store, blobs, FULL);
    expect(report.packageProblems.map(({ digest }) => digest)).toEqual([...digests].sort());
  });

  describe('orphans', () => {
    let old: { digest: string; size: number };
    let young: { digest: string; size: number };
    let named: { digest: string; size: number };

    beforeEach(async () => {
      old = await stores.putBlob('left by a crash two days ago', { modifiedAt: LONG_AGO });
      young = await stores.putBlob('stored a minute ago, its row not yet committed', {
        modifiedAt: JUST_NOW,
      });
      named = await stores.putBlob('named', { modifiedAt: LONG_AGO });
      await stores.addArtifact('a1', named);
    });

    it('lists old and recent orphans apart and deletes nothing without repair', async () => {
      const report = await checkConsistency(store, blobs, FULL);
      expect(report.ok).toBe(false);
      expect(report.orphans).toEqual([
        { digest: old.digest, size: old.size, modifiedAt: LONG_AGO.toISOString() },
      ]);
      expect(report.recentOrphans).toEqual([
        { digest: young.digest, size: young.size, modifiedAt: JUST_NOW.toISOString() },
      ]);
      expect(report.collected).toEqual([]);
      expect(await storedDigests()).toEqual([old.digest, young.digest, named.digest].sort());
    });

    it('repair collects the old orphans only, and the registry is then consistent', async () => {
      const report = await checkConsistency(store, blobs, { ...FULL, repair: true });
      expect(report.ok).toBe(true);
      expect(report.collected.map(({ digest }) => digest)).toEqual([old.digest]);
      expect(report.recentOrphans.map(({ digest }) => digest)).toEqual([young.digest]);
      expect(await storedDigests()).toEqual([young.digest, named.digest].sort());
    });

    it('with no grace period every orphan is old', async () => {
      const report = await checkConsistency(store, blobs, { ...FULL, repair: true, graceMs: 0 });
      expect(report.collected.map(({ digest }) => digest).sort()).toEqual([old.digest, young.digest].sort());
      expect(await storedDigests()).toEqual([named.digest]);
    });

    it('spares an orphan a row came to name after the scan, and does not call it an orphan', async () => {
      const racing = onFirstLock(store, old.digest, () => stores.addArtifact('late', old));
      const report = await checkConsistency(racing, blobs, { ...FULL, repair: true });
      expect(report.orphans).toEqual([]);
      expect(report.collected).toEqual([]);
      expect(report.ok).toBe(true);
      expect(await storedDigests()).toContain(old.digest);
    });
  });

  it('counts the aspect packages of named packages, and collects those of unnamed ones', async () => {
    const pkg = await stores.putBlob('a package');
    await stores.addArtifact('a1', pkg);
    const weights = await stores.putBlob('weights only', { digest: aspectBlobKey(pkg.digest, 'weights') });
    await stores.putBlob('docs only', { digest: aspectBlobKey(pkg.digest, 'docs') });
    const stray = await stores.putBlob('aspect of a deleted package', {
      digest: aspectBlobKey(sha256('deleted package'), 'code'),
      modifiedAt: LONG_AGO,
    });

    const report = await checkConsistency(store, blobs, { ...FULL, repair: true });
    expect(report).toMatchObject({ ok: true, packages: 1, blobs: 4, aspectPackages: 2 });
    expect(report.collected.map(({ digest }) => digest)).toEqual([stray.digest]);
    expect(await storedDigests()).toEqual(
      [pkg.digest, weights.digest, aspectBlobKey(pkg.digest, 'docs')].sort(),
    );
  });

  it('counts packages staged by open transactions as named, and names the transaction in a problem', async () => {
    const staged = await stores.putBlob('staged for a group create', { modifiedAt: LONG_AGO });
    const txStaged = await stores.stageInTransaction('new-1', staged);
    const lost = { digest: sha256('staged, then lost'), size: 17 };
    const txLost = await stores.stageInTransaction('new-2', lost);

    const report = await checkConsistency(store, blobs, { ...FULL, repair: true });
    expect(report).toMatchObject({ artifacts: 0, stagedCommands: 2, packages: 2, collected: [] });
    expect(report.packageProblems).toEqual([
      {
        digest: lost.digest,
        size: 17,
        problem: 'missing',
        artifacts: [],
        transactions: [txLost],
      },
    ]);
    expect(txStaged).not.toBe(txLost);
    expect(await storedDigests()).toEqual([staged.digest]);
  });

  it('reads every artifact, past the first page of the scan', async () => {
    const blob = await stores.putBlob('popular package');
    for (let index = 0; index < 501; index++)
      await stores.addArtifact(`a${String(index).padStart(3, '0')}`, blob);
    const report = await checkConsistency(store, blobs, FULL);
    expect(report).toMatchObject({ ok: true, artifacts: 501, packages: 1 });
  });

  describe('writes racing the check', () => {
    it('finds a package stored and named after the blob listing', async () => {
      const late = Buffer.from('stored while the check listed blobs');
      const racing = afterListing(blobs, async () => {
        await stores.addArtifact('late', await stores.putBlob(late));
      });
      const report = await checkConsistency(store, racing, FULL);
      expect(report).toMatchObject({ ok: true, artifacts: 1, blobs: 0, packageProblems: [] });
    });

    it('ignores a package deleted with its last row while it was being hashed', async () => {
      const blob = await stores.putBlob('deleted during the check');
      await stores.addArtifact('a1', blob);
      const racing = beforeRead(blobs, async () => {
        await store.deleteArtifact('a1');
        await blobs.delete(blob.digest);
      });
      expect((await checkConsistency(store, racing, FULL)).ok).toBe(true);
    });

    it('reports a blob that vanished while it was being hashed though a row still names it', async () => {
      const blob = await stores.putBlob('lost during the check');
      await stores.addArtifact('a1', blob);
      const racing = beforeRead(blobs, () => blobs.delete(blob.digest));
      const report = await checkConsistency(store, racing, FULL);
      expect(report.packageProblems).toEqual([
        expect.objectContaining({ digest: blob.digest, problem: 'missing' }),
      ]);
    });

    it('ignores a package that was listed as missing but whose row is gone by the time it is locked', async () => {
      const lost = { digest: sha256('deleted meanwhile'), size: 5 };
      await stores.addArtifact('a1', lost);
      const racing = onFirstLock(store, lost.digest, async () => {
        await store.deleteArtifact('a1');
      });
      expect((await checkConsistency(racing, blobs, FULL)).ok).toBe(true);
    });

    it('passes on a failure to read a blob that is not an absence', async () => {
      const blob = await stores.putBlob('unreadable');
      await stores.addArtifact('a1', blob);
      const failing = beforeRead(blobs, async () => {
        throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      });
      await expect(checkConsistency(store, failing, FULL)).rejects.toMatchObject({ code: 'EIO' });
    });
  });
});

/** The blob store, with `action` run (once) when its listing has been read through. */
function afterListing(blobs: BlobStore, action: () => Promise<void>): BlobStore {
  return Object.assign(Object.create(blobs) as BlobStore, {
    async *list() {
      yield* blobs.list();
      await action();
    },
  });
}

/** The blob store, with `action` run (once) just before its first read. */
function beforeRead(blobs: BlobStore, action: () => Promise<void>): BlobStore {
  let pending = true;
  return Object.assign(Object.create(blobs) as BlobStore, {
    async read(digest: string, range?: ByteRange): Promise<Readable> {
      if (pending) {
        pending = false;
        await action();
      }
      return blobs.read(digest, range);
    },
  });
}

/** The metadata store, with `action` run (once) before the first lock taken on `digest`. */
function onFirstLock(store: MetadataStore, digest: string, action: () => Promise<void>): MetadataStore {
  let pending = true;
  return new Proxy(store, {
    get(target, property) {
      if (property === 'withDigestLock') {
        return async <T>(locked: string, work: (inLock: MetadataStore) => Promise<T>): Promise<T> => {
          if (pending && locked === digest) {
            pending = false;
            await action();
          }
          return target.withDigestLock(locked, work);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
