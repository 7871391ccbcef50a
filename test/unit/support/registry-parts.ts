import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Config, loadConfig } from '../../../src/config.js';
import type { Actor } from '../../../src/security/permissions.js';
import { TempFiles } from '../../../src/services/temp-files.js';
import type { ByteRange } from '../../../src/storage/blobs/blob-store.js';
import { FsBlobStore } from '../../../src/storage/blobs/fs-blob-store.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { createSqliteStore } from '../../../src/storage/metadata/sqlite.js';

/** The in-process storage a service is built on: SQLite in memory, blobs and temp files in a temp dir. */
export interface RegistryParts {
  dir: string;
  config: Config;
  store: MetadataStore;
  blobs: FsBlobStore;
  temp: TempFiles;
  close(): Promise<void>;
}

/** Fresh parts for one test; `env` overrides configuration as the environment would. */
export async function registryParts(env: Record<string, string> = {}): Promise<RegistryParts> {
  const dir = await mkdtemp(join(tmpdir(), 'modelguard-unit-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', PASSWORD_SCRYPT_LOG2_N: '12', ...env });
  const store = createSqliteStore(':memory:');
  await store.migrate();
  const blobs = new FsBlobStore(join(dir, 'blobs'));
  const temp = new TempFiles(join(dir, 'tmp'));
  await temp.init();
  return {
    dir,
    config,
    store,
    blobs,
    temp,
    async close() {
      await temp.dispose();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function actor(name: string, overrides: Partial<Actor> = {}): Actor {
  return { name, isAdmin: false, canUpload: true, canSearch: true, canDownload: true, ...overrides };
}

export const ADMIN = actor('admin', { isAdmin: true });

/** An upload body as a route would pass it. */
export function body(bytes: Buffer): Readable {
  return Readable.from([bytes]);
}

export async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The bytes a blob store holds under `key` (or the inclusive range of them). */
export async function blobBytes(parts: RegistryParts, key: string, range?: ByteRange): Promise<Buffer> {
  return readAll(await parts.blobs.read(key, range));
}

/** Every blob key in the store, sorted. */
export async function blobKeys(parts: RegistryParts): Promise<string[]> {
  const keys: string[] = [];
  for await (const blob of parts.blobs.list()) keys.push(blob.digest);
  return keys.sort();
}
