import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobNotFoundError, type ListedBlob } from '../../../../src/storage/blobs/blob-store.js';
import { FsBlobStore } from '../../../../src/storage/blobs/fs-blob-store.js';
import {
  describeBlobStoreConformance,
  readAll,
  stageBytes,
} from '../../../storage/blob-store.conformance.js';
import { tempFsBlobStore } from './temp-fs-blob-store.js';

describeBlobStoreConformance('filesystem', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mg-fs-blobs-'));
  return {
    store: new FsBlobStore(join(root, 'blobs')),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

/** A digest-shaped name; ones with the same `prefix` share a folder of the blob tree. */
function digestName(prefix: string, index: number): string {
  return `${prefix}${index.toString(16).padStart(64 - prefix.length, '0')}`;
}

describe('FsBlobStore', () => {
  let root: string;
  let scratch: string;
  let store: FsBlobStore;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ root, scratch, store, dispose } = await tempFsBlobStore());
  });

  afterEach(() => dispose());

  /** Writes a file straight into the blob tree, as a blob stored earlier (or debris) would be. */
  async function plant(relative: string, content = 'x'): Promise<string> {
    const path = join(root, 'blobs', relative);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, content);
    return path;
  }

  async function listAll(): Promise<ListedBlob[]> {
    const listed: ListedBlob[] = [];
    for await (const blob of store.list()) listed.push(blob);
    return listed;
  }

  it('lays blobs out as sha256/ab/cd/<digest>', async () => {
    const staged = await stageBytes(scratch, randomBytes(100));
    await store.putFile(staged.path, staged.digest, staged.size);
    const { digest } = staged;
    const expected = join(root, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2, 4), digest);
    expect(store.localPath(digest)).toBe(expected);
    expect(store.relativePath(digest)).toBe(`sha256/${digest.slice(0, 2)}/${digest.slice(2, 4)}/${digest}`);
    expect((await stat(expected)).size).toBe(100);
  });

  it('moves the staged file into place rather than copying it', async () => {
    const staged = await stageBytes(scratch, randomBytes(100));
    await store.putFile(staged.path, staged.digest, staged.size);
    await expect(stat(staged.path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refreshes the modification time when an existing digest is stored again', async () => {
    const bytes = randomBytes(100);
    const first = await stageBytes(scratch, bytes);
    await store.putFile(first.path, first.digest, first.size);
    const path = store.localPath(first.digest);
    const longAgo = new Date('2020-01-01T00:00:00Z');
    await utimes(path, longAgo, longAgo);
    const second = await stageBytes(scratch, bytes);
    await store.putFile(second.path, second.digest, second.size);
    expect((await stat(path)).mtimeMs).toBeGreaterThan(longAgo.getTime());
    // The second copy was not needed: it is left for the caller to remove.
    expect((await stat(second.path)).size).toBe(100);
  });

  it('rejects a file whose size differs from the announced size', async () => {
    const staged = await stageBytes(scratch, randomBytes(100));
    await expect(store.putFile(staged.path, staged.digest, 99)).rejects.toThrow(/100 bytes/);
    expect(await store.stat(staged.digest)).toBeNull();
  });

  // /dev/shm is a tmpfs on Linux, so a file there cannot be renamed into the temp dir.
  it.runIf(process.platform === 'linux')('copies in a file from another filesystem', async () => {
    const otherDevice = await mkdtemp('/dev/shm/mg-staging-');
    try {
      expect((await stat(otherDevice)).dev).not.toBe((await stat(root)).dev);
      const bytes = randomBytes(70_000);
      const staged = await stageBytes(otherDevice, bytes);
      await store.putFile(staged.path, staged.digest, staged.size);
      expect((await readAll(await store.read(staged.digest))).equals(bytes)).toBe(true);
      const folder = await readdir(join(store.localPath(staged.digest), '..'));
      expect(folder).toEqual([staged.digest]);
    } finally {
      await rm(otherDevice, { recursive: true, force: true });
    }
  });

  it('ping fails with ComponentUnavailableError when the root cannot be created', async () => {
    const staged = await stageBytes(scratch, randomBytes(1));
    const blocked = new FsBlobStore(join(staged.path, 'blobs'));
    await expect(blocked.ping()).rejects.toMatchObject({
      statusCode: 503,
      component: 'blob storage',
      message: `blob storage unavailable: ${join(staged.path, 'blobs')} is not writable (ENOTDIR)`,
    });
  });

  it('ping leaves no probe file behind', async () => {
    await store.ping();
    expect(await readdir(join(root, 'blobs'))).toEqual([]);
  });

  describe('a root that is not a folder', () => {
    let blocked: FsBlobStore;
    const digest = digestName('ab', 1);

    beforeEach(async () => {
      const file = join(scratch, 'a-file');
      await writeFile(file, 'not a folder');
      blocked = new FsBlobStore(file);
    });

    it('fails stat, read and writeTo with the filesystem error, not as absent', async () => {
      await expect(blocked.stat(digest)).rejects.toMatchObject({ code: 'ENOTDIR' });
      await expect(blocked.read(digest)).rejects.toMatchObject({ code: 'ENOTDIR' });
      await expect(blocked.writeTo(digest, new PassThrough(), { start: 0, end: 0 })).rejects.toMatchObject({
        code: 'ENOTDIR',
      });
    });

    it('fails putFile and clear with the filesystem error', async () => {
      const staged = await stageBytes(scratch, randomBytes(5));
      await expect(blocked.putFile(staged.path, staged.digest, staged.size)).rejects.toMatchObject({
        code: 'ENOTDIR',
      });
      await expect(blocked.clear()).rejects.toMatchObject({ code: 'ENOTDIR' });
    });

    it('lists nothing', async () => {
      for await (const blob of blocked.list()) expect.unreachable(`listed ${blob.digest}`);
    });
  });

  describe('list', () => {
    it('skips names that are not digests, folders with digest names and stray files in the fan-out', async () => {
      const kept = digestName('abcd', 1);
      await plant(`sha256/ab/cd/${kept}`, 'hello');
      await plant('sha256/ab/cd/notes.txt');
      await plant(`sha256/ab/cd/.${randomBytes(4).toString('hex')}.partial`);
      await plant(`sha256/ab/cd/${digestName('abcd', 2).toUpperCase()}`);
      await mkdir(join(root, 'blobs', 'sha256', 'ab', 'cd', digestName('abcd', 3)));
      await plant('sha256/stray-file');
      await plant('sha256/ab/stray-file');

      const listed = await listAll();
      expect(listed.map(({ digest, size }) => ({ digest, size }))).toEqual([{ digest: kept, size: 5 }]);
    });

    it('lists nothing before the first blob is stored', async () => {
      expect(await listAll()).toEqual([]);
    });

    it('skips a blob deleted after its folder was read', async () => {
      const first = digestName('abcd', 1);
      const second = digestName('abcd', 2);
      await plant(`sha256/ab/cd/${first}`);
      await plant(`sha256/ab/cd/${second}`);

      const listed: string[] = [];
      for await (const blob of store.list()) {
        listed.push(blob.digest);
        await store.delete(blob.digest === first ? second : first);
      }
      expect(listed).toHaveLength(1);
    });

    it('skips a folder removed while the walk is under way', async () => {
      await plant(`sha256/aa/00/${digestName('aa00', 1)}`);
      await plant(`sha256/bb/00/${digestName('bb00', 1)}`);

      const listed: string[] = [];
      for await (const blob of store.list()) {
        listed.push(blob.digest);
        const other = blob.digest.startsWith('aa') ? 'bb' : 'aa';
        await rm(join(root, 'blobs', 'sha256', other), { recursive: true });
      }
      expect(listed).toHaveLength(1);
    });
  });

  describe('clear', () => {
    it('is a no-op on a root that was never created', async () => {
      await expect(store.clear()).resolves.toBeUndefined();
      await expect(stat(join(root, 'blobs'))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('also removes what a crashed clear and crashed copies left under the root', async () => {
      const digest = digestName('ab', 1);
      await plant(`sha256/ab/00/${digest}`);
      await plant(`.cleared-${randomBytes(4).toString('hex')}/ab/00/${digestName('ab', 2)}`);
      await plant('.ping-leftover');
      await store.clear();
      expect(await readdir(join(root, 'blobs'))).toEqual([]);
      expect(await store.stat(digest)).toBeNull();
    });
  });

  it('refuses a malformed digest in every path it builds', () => {
    for (const bad of ['', 'abc', '../'.repeat(22).slice(0, 64), 'G'.repeat(64), `${'a'.repeat(64)}\n`]) {
      expect(() => store.relativePath(bad)).toThrow(/not a lowercase SHA-256 hex digest/);
      expect(() => store.localPath(bad)).toThrow(/not a lowercase SHA-256 hex digest/);
    }
  });

  it('reads an absent blob as BlobNotFoundError, also through writeTo', async () => {
    const absent = digestName('ef', 1);
    await expect(store.read(absent)).rejects.toEqual(new BlobNotFoundError(absent));
    await expect(store.writeTo(absent, new PassThrough(), { start: 0, end: 0 })).rejects.toEqual(
      new BlobNotFoundError(absent),
    );
  });
});
