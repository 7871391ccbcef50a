import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ComponentUnavailableError } from '../../src/domain/errors.js';
import { createMetadataStore } from '../../src/storage/metadata/index.js';
import type { MetadataStore } from '../../src/storage/metadata/metadata-store.js';
import { createPostgresStore } from '../../src/storage/metadata/postgres.js';
import { createSqliteStore } from '../../src/storage/metadata/sqlite.js';
import {
  dropSchema,
  emptyTables,
  TEST_DATABASE_URL,
  terminateConnections,
  uniqueSchemaName,
} from '../support/postgres.js';
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

// One schema for this file, migrated once and emptied before each test: migrating a fresh
// schema per test is slow.
const pgSchema = uniqueSchemaName();
let pgMigration: Promise<unknown> | undefined;
afterAll(() => dropSchema(pgSchema));

describeMetadataStoreConformance('PostgreSQL', async () => {
  const store = createPostgresStore(TEST_DATABASE_URL, { schema: pgSchema, poolSize: 4 });
  pgMigration ??= store.migrate();
  await pgMigration;
  await emptyTables(pgSchema);
  return { store, cleanup: () => store.close() };
});

describe('PostgreSQL schema from the search_path', () => {
  it('migrates its own schema while another schema of the database holds its migration tables', async () => {
    await pgMigration;
    const chosen = uniqueSchemaName();
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${chosen}`);
    const store = createPostgresStore(url.href, { poolSize: 2 });
    try {
      await store.migrate();
      expect(await store.getUser('nobody')).toBeNull();
    } finally {
      await store.close();
      await dropSchema(chosen);
    }
  });
});

describe('SQLite lock contention', () => {
  it('answers ComponentUnavailableError(database) when another connection holds the write lock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mg-sqlite-busy-'));
    const file = join(dir, 'registry.db');
    const store = await migrated(createSqliteStore(file, { busyTimeoutMs: 50 }));
    const other = new SqliteDatabase(file);
    other.exec('begin immediate');
    try {
      const token = { id: 't', userName: 'u', expiresAt: new Date(Date.now() + 60_000), maxUses: 1 };
      const failure = await store.insertToken(token).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ComponentUnavailableError);
      expect(failure).toMatchObject({ component: 'database' });
    } finally {
      other.exec('rollback');
      other.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
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

describe('PostgreSQL connection loss', () => {
  it('recovers by itself after the server drops its connections', async () => {
    const applicationName = uniqueSchemaName('mg_recover');
    const store = createPostgresStore(TEST_DATABASE_URL, { applicationName });
    try {
      await store.ping();
      expect(await terminateConnections(applicationName)).toBeGreaterThan(0);
      const during = await store.ping().then(
        () => null,
        (error: unknown) => error,
      );
      if (during !== null) expect(during).toBeInstanceOf(ComponentUnavailableError);
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });
});

describe('createMetadataStore', () => {
  it('uses SQLite under DATA_DIR when no DATABASE_URL is set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mg-data-'));
    const store = await createMetadataStore(loadConfig({ DATA_DIR: join(dir, 'nested') }));
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
    const store = await createMetadataStore(loadConfig({ DATABASE_URL: TEST_DATABASE_URL }));
    try {
      expect(store.kind).toBe('postgres');
      await store.ping();
    } finally {
      await store.close();
    }
  });
});
