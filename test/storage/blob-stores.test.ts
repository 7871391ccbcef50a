import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../src/storage/blobs/fs-blob-store.js';
import { describeBlobStoreConformance, readAll, stageBytes } from './blob-store.conformance.js';

async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

describeBlobStoreConformance('filesystem', async () => {
  const root = await makeTempDir('mg-fs-blobs-');
  return {
    store: new FsBlobStore(join(root, 'blobs')),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe('FsBlobStore', () => {
  let root: string;
  let scratch: string;
  let store: FsBlobStore;

  beforeEach(async () => {
    root = await makeTempDir('mg-fs-blobs-');
    scratch = await makeTempDir('mg-fs-staging-');
    store = new FsBlobStore(join(root, 'blobs'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  it('lays blobs out as sha256/ab/cd/<digest>', async () => {
    const staged = await stageBytes(scratch, randomBytes(100));
    await store.putFile(staged.path, staged.digest, staged.size);
    const { digest } = staged;
    const expected = join(root, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2, 4), digest);
    expect((await stat(expected)).size).toBe(100);
  });

  it('refreshes the modification time when an existing digest is stored again', async () => {
    const bytes = randomBytes(100);
    const first = await stageBytes(scratch, bytes);
    await store.putFile(first.path, first.digest, first.size);
    const { digest } = first;
    const path = join(root, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2, 4), digest);
    const longAgo = new Date('2020-01-01T00:00:00Z');
    await utimes(path, longAgo, longAgo);
    const second = await stageBytes(scratch, bytes);
    await store.putFile(second.path, second.digest, second.size);
    expect((await stat(path)).mtimeMs).toBeGreaterThan(longAgo.getTime());
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
    } finally {
      await rm(otherDevice, { recursive: true, force: true });
    }
  });

  it('ping fails with ComponentUnavailableError when the root cannot be created', async () => {
    const staged = await stageBytes(scratch, randomBytes(1));
    const blocked = new FsBlobStore(join(staged.path, 'blobs'));
    await expect(blocked.ping()).rejects.toMatchObject({ statusCode: 503, component: 'blob storage' });
  });
});
