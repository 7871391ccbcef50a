import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore } from '../../../../src/storage/blobs/fs-blob-store.js';

/** A FsBlobStore over a fresh temp folder, and a scratch folder to stage files in; `dispose` removes both. */
export async function tempFsBlobStore() {
  const root = await mkdtemp(join(tmpdir(), 'mg-fs-blobs-'));
  const scratch = await mkdtemp(join(tmpdir(), 'mg-fs-staging-'));
  return {
    root,
    scratch,
    store: new FsBlobStore(join(root, 'blobs')),
    async dispose() {
      await rm(root, { recursive: true, force: true });
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
