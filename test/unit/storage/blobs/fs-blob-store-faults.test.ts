import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FsBlobStore } from '../../../../src/storage/blobs/fs-blob-store.js';
import { readAll, stageBytes } from '../../../storage/blob-store.conformance.js';
import { tempFsBlobStore } from './temp-fs-blob-store.js';

/**
 * What happens around one `rename` the store makes: `before` runs first (another process acting
 * at that moment), and a thrown error code replaces the rename (a failure the test machine cannot
 * produce on demand, such as EXDEV).
 */
type RenameFault = (from: string, to: string) => Promise<void>;
const renameFaults: RenameFault[] = [];

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      await renameFaults.shift()?.(from, to);
      return actual.rename(from, to);
    },
  };
});

function failWith(code: string): RenameFault {
  return async () => {
    throw Object.assign(new Error(`${code}: injected`), { code });
  };
}

describe('FsBlobStore when renames fail', () => {
  let scratch: string;
  let store: FsBlobStore;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    renameFaults.length = 0;
    ({ scratch, store, dispose } = await tempFsBlobStore());
  });

  afterEach(() => dispose());

  it('makes the folders again when a clear removed them between mkdir and rename', async () => {
    const bytes = randomBytes(500);
    const staged = await stageBytes(scratch, bytes);
    // The real rename then fails with ENOENT, as it does when a clear wins the race.
    const concurrentClear: RenameFault = (_from, to) => rm(dirname(to), { recursive: true, force: true });
    renameFaults.push(concurrentClear, concurrentClear);
    await store.putFile(staged.path, staged.digest, staged.size);
    expect((await readAll(await store.read(staged.digest))).equals(bytes)).toBe(true);
  });

  it('gives up after three such races', async () => {
    const staged = await stageBytes(scratch, randomBytes(500));
    renameFaults.push(failWith('ENOENT'), failWith('ENOENT'), failWith('ENOENT'));
    await expect(store.putFile(staged.path, staged.digest, staged.size)).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(await store.stat(staged.digest)).toBeNull();
  });

  it('fails at once on any other rename error', async () => {
    const staged = await stageBytes(scratch, randomBytes(500));
    renameFaults.push(failWith('EACCES'));
    await expect(store.putFile(staged.path, staged.digest, staged.size)).rejects.toMatchObject({
      code: 'EACCES',
    });
    expect(renameFaults).toEqual([]);
  });

  it('copies across devices under a temporary name and removes it when the final rename fails', async () => {
    const staged = await stageBytes(scratch, randomBytes(500));
    renameFaults.push(failWith('EXDEV'), failWith('EIO'));
    await expect(store.putFile(staged.path, staged.digest, staged.size)).rejects.toMatchObject({
      code: 'EIO',
    });
    expect(await readdir(dirname(store.localPath(staged.digest)))).toEqual([]);
    expect(await store.stat(staged.digest)).toBeNull();
  });

  it('clear fails when the tree cannot be moved aside, keeping the blobs', async () => {
    const staged = await stageBytes(scratch, randomBytes(500));
    await store.putFile(staged.path, staged.digest, staged.size);
    renameFaults.push(failWith('EBUSY'));
    await expect(store.clear()).rejects.toMatchObject({ code: 'EBUSY' });
    expect(await store.stat(staged.digest)).toEqual({ size: 500 });
  });
});
