import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { BlobStore } from '../../src/storage/blobs/blob-store.js';
import { createBlobStore } from '../../src/storage/blobs/index.js';
import { createMetadataStore } from '../../src/storage/metadata/index.js';
import type { MetadataStore } from '../../src/storage/metadata/metadata-store.js';
import { createPgS3Storage, disposeSharedS3rver } from './test-storage.js';

/** The storage a looping test points a registry process at, and its oracle's view of it. */
export interface LoopStorage {
  kind: LoopStorageKind;
  /** The environment a registry process reads to use this storage. */
  env: Record<string, string>;
  /**
   * True when a start collects what a crash left (embedded storage); false on PostgreSQL, where
   * starts do not sweep and an operator's `fsck --repair` does (docs/decisions.md, issue 14).
   */
  startSweeps: boolean;
  /** The metadata and blob stores, opened in the test process. */
  open(): Promise<{ store: MetadataStore; blobs: BlobStore }>;
  dispose(): Promise<void>;
}

export type LoopStorageKind = 'sqlite-fs' | 'pg-s3';

/** SQLite + filesystem under a temporary DATA_DIR, or a PostgreSQL schema + an s3rver prefix of its own. */
export async function createLoopStorage(kind: LoopStorageKind): Promise<LoopStorage> {
  const dataDir = await mkdtemp(join(tmpdir(), `modelguard-loop-${kind}-`));
  if (kind === 'sqlite-fs') {
    const env = { DATA_DIR: dataDir };
    return {
      kind,
      env,
      startSweeps: true,
      async open() {
        const config = loadConfig(env);
        return { store: await createMetadataStore(config), blobs: await createBlobStore(config) };
      },
      dispose: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const storage = await createPgS3Storage();
  return {
    kind,
    // DATA_DIR still holds the process's scratch files.
    env: { DATA_DIR: dataDir, ...storage.env() },
    startSweeps: false,
    async open() {
      const { store, blobs } = storage.overrides({ poolSize: 2 });
      return { store, blobs };
    },
    async dispose() {
      await storage.dispose();
      await disposeSharedS3rver();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
