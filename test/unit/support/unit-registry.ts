import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Config, loadConfig } from '../../../src/config.js';
import type { ArtifactRecord, ArtifactType } from '../../../src/domain/artifact.js';
import { createRegistry, type Registry, type RegistryOverrides } from '../../../src/registry.js';
import type { Actor } from '../../../src/security/permissions.js';
import type { BlobStore } from '../../../src/storage/blobs/blob-store.js';
import { FsBlobStore } from '../../../src/storage/blobs/fs-blob-store.js';
import { createSqliteStore } from '../../../src/storage/metadata/sqlite.js';

/**
 * A registry from real in-process parts: SQLite in memory, blobs in a temp directory (which also
 * holds DATA_DIR's temp files). Close it in afterEach/afterAll.
 */
export interface UnitRegistry {
  registry: Registry;
  config: Config;
  dataDir: string;
  /** The default administrator, as the access hook resolves it. */
  admin: Actor;
  close(): Promise<void>;
}

export interface UnitRegistryOverrides extends Omit<RegistryOverrides, 'blobs'> {
  /** Another blob store than the temp folder's (e.g. one whose disk has gone away). */
  blobs?: (dataDir: string) => BlobStore;
}

export async function createUnitRegistry(
  env: Record<string, string> = {},
  overrides: UnitRegistryOverrides = {},
): Promise<UnitRegistry> {
  const dataDir = await mkdtemp(join(tmpdir(), 'modelguard-unit-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PASSWORD_SCRYPT_LOG2_N: '12',
    ...env,
  });
  const registry = await createRegistry(config, {
    ...overrides,
    store: overrides.store ?? createSqliteStore(':memory:'),
    blobs: overrides.blobs?.(dataDir) ?? new FsBlobStore(join(dataDir, 'blobs')),
  });
  const defaultAdmin = await registry.auth.defaultAdmin();
  return {
    registry,
    config,
    dataDir,
    admin: { name: defaultAdmin.name, isAdmin: true, canUpload: true, canSearch: true, canDownload: true },
    async close() {
      await registry.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Stores a zip as an artifact of the default administrator through the real upload path. */
export function uploadZip(
  unit: Pick<UnitRegistry, 'registry' | 'admin'>,
  type: ArtifactType,
  name: string,
  zip: Buffer,
  version?: string,
): Promise<ArtifactRecord> {
  return unit.registry.artifacts.upload(type, { name, version, body: Readable.from([zip]) }, unit.admin);
}
