import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config.js';
import { createMetadataStore } from '../../../../src/storage/metadata/index.js';
import { userRecord } from '../../support/metadata-records.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('createMetadataStore', () => {
  it('embeds SQLite in registry.db under the data directory, creating the directory', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mg-store-'));
    const dataDir = join(dir, 'nested', 'data');
    const store = await createMetadataStore(loadConfig({ DATA_DIR: dataDir }));
    expect(store.kind).toBe('sqlite');
    await store.migrate();
    await store.insertUser(userRecord('bob'));
    await store.close();
    expect(existsSync(join(dataDir, 'registry.db'))).toBe(true);
  });

  it('selects PostgreSQL when DATABASE_URL is set, without connecting until used', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mg-store-'));
    const store = await createMetadataStore(
      loadConfig({
        DATA_DIR: dir,
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
        DATABASE_SCHEMA: 'reg_a',
      }),
    );
    expect(store.kind).toBe('postgres');
    await store.close();
    expect(existsSync(join(dir, 'registry.db'))).toBe(false);
    const onSearchPath = await createMetadataStore(
      loadConfig({ DATA_DIR: dir, DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' }),
    );
    expect(onSearchPath.kind).toBe('postgres');
    await onSearchPath.close();
  });
});
