import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ComponentUnavailableError } from '../../src/domain/errors.js';
import { createMetadataStore } from '../../src/storage/metadata/index.js';
import type { MetadataStore } from '../../src/storage/metadata/metadata-store.js';
import { createPostgresStore } from '../../src/storage/metadata/postgres.js';
import { createSqliteStore } from '../../src/storage/metadata/sqlite.js';
import { dropSchema, TEST_DATABASE_URL, uniqueSchemaName } from '../support/postgres.js';
import { describeMetadataStoreConformance } from './metadata-store.conformance.js';

async function migrated(store: MetadataStore): Promise<MetadataStore> {
  await store.migrate();
  return store;
}

describeMetadataStoreConformance('SQLite file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mg-sqlite-'));
  const store = await migrated(createSqliteStore(join(dir, 'registry.db')));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeMetadataStoreConformance('SQLite :memory:', async () => {
  const store = await migrated(createSqliteStore(':memory:'));
  return { store, cleanup: () => store.close() };
});

describeMetadataStoreConformance('PostgreSQL', async () => {
  const schema = uniqueSchemaName();
  const store = await migrated(createPostgresStore(TEST_DATABASE_URL, { schema, poolSize: 4 }));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
});

describe('PostgreSQL outage', () => {
  const unreachable = () =>
    createPostgresStore('postgres://postgres@127.0.0.1:1/test', { connectTimeoutMs: 2_000 });

  it.each([
    ['ping', (store: MetadataStore) => store.ping()],
    ['queryArtifacts', (store: MetadataStore) => store.queryArtifacts([{ name: '*' }], { limit: 10 })],
    ['consumeToken', (store: MetadataStore) => store.consumeToken('t', new Date())],
    ['migrate', (store: MetadataStore) => store.migrate()],
  ])('%s answers ComponentUnavailableError(database)', async (_name, operation) => {
    const store = unreachable();
    try {
      const failure = await operation(store).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ComponentUnavailableError);
      expect(failure).toMatchObject({ component: 'database', statusCode: 503 });
    } finally {
      await store.close();
    }
  });
});

describe('createMetadataStore', () => {
  it('uses SQLite under DATA_DIR when no DATABASE_URL is set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mg-data-'));
    const store = createMetadataStore(loadConfig({ DATA_DIR: join(dir, 'nested') }));
    try {
      expect(store.kind).toBe('sqlite');
      await store.migrate();
      await store.ping();
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses PostgreSQL when DATABASE_URL is set', async () => {
    const store = createMetadataStore(loadConfig({ DATABASE_URL: TEST_DATABASE_URL }));
    try {
      expect(store.kind).toBe('postgres');
      await store.ping();
    } finally {
      await store.close();
    }
  });
});
