import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, type KyselyPlugin, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BadRequestError,
  ComponentUnavailableError,
  ConflictError,
  RegistryError,
} from '../../../../src/domain/errors.js';
import { type DriverErrorKind, KyselyMetadataStore } from '../../../../src/storage/metadata/kysely-store.js';
import type { MetadataStore } from '../../../../src/storage/metadata/metadata-store.js';
import type { Database } from '../../../../src/storage/metadata/schema.js';
import { createSqliteStore } from '../../../../src/storage/metadata/sqlite.js';
import { artifactRecord, at, memoryStore, userRecord } from '../../support/metadata-records.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function track(store: MetadataStore): Promise<MetadataStore> {
  cleanups.push(() => store.close());
  return store;
}

describe('SQLite errors as the registry answers them', () => {
  it('turns a duplicate artifact, user or token into 409 with the message naming it', async () => {
    const store = await track(await memoryStore());
    await store.insertArtifact(artifactRecord('a1'));
    await store.insertUser(userRecord('bob'));
    await store.insertToken({ id: 't1', userName: 'bob', expiresAt: at(60), maxUses: 5 });

    await expect(store.insertArtifact(artifactRecord('a1', { name: 'other' }))).rejects.toThrow(
      new ConflictError('artifact a1 already exists'),
    );
    await expect(store.insertUser(userRecord('bob'))).rejects.toThrow(
      new ConflictError('user bob already exists'),
    );
    await expect(
      store.insertToken({ id: 't1', userName: 'bob', expiresAt: at(60), maxUses: 5 }),
    ).rejects.toMatchObject({ statusCode: 409, message: 'token t1 already exists' });
    expect((await store.getArtifact('a1'))?.name).toBe('name-a1');
  });

  it('lets a unique violation through unchanged where no conflict is expected', async () => {
    const store = await track(await memoryStore());
    const open = { id: 'tx', owner: 'bob', createdAt: at(0), expiresAt: at(10) };
    await store.transactions.open(open);
    const failure = await store.transactions.open(open).catch((error: unknown) => error);
    expect(failure).not.toBeInstanceOf(RegistryError);
    expect(failure).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
  });

  it('lets the registry’s own errors through unchanged', async () => {
    const store = await track(await memoryStore());
    await expect(store.queryArtifacts([{ name: '*' }], { after: 'nope', limit: 5 })).rejects.toThrow(
      new BadRequestError('invalid offset'),
    );
  });

  it('lets a failure without a driver code through, such as using a closed store', async () => {
    const store = await memoryStore();
    await store.close();
    const failure = await store.getUser('bob').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(RegistryError);
  });

  it('answers 503 while another connection holds the write lock past the busy timeout, and recovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-sqlite-busy-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'registry.db');
    const store = await track(createSqliteStore(file, { busyTimeoutMs: 0 }));
    await store.migrate();
    const other = new SqliteDatabase(file);
    cleanups.push(() => {
      other.close();
    });

    other.exec('begin exclusive');
    const failure = await store.insertUser(userRecord('carol')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ComponentUnavailableError);
    expect(failure).toMatchObject({
      statusCode: 503,
      code: 'COMPONENT_UNAVAILABLE',
      component: 'database',
      message: 'database unavailable: database is locked',
    });
    // Readers are not blocked in WAL mode.
    expect(await store.getUser('carol')).toBeNull();

    other.exec('rollback');
    await store.insertUser(userRecord('carol'));
    expect((await store.getUser('carol'))?.name).toBe('carol');
  });
});

/**
 * A store whose every query fails with `fault.value` while it is set (a Kysely plugin stands in for
 * a driver failing mid-query), classified by `classify`.
 */
async function faultyStore(classify: (error: unknown) => DriverErrorKind | null) {
  const fault: { value?: unknown } = {};
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      if ('value' in fault) throw fault.value;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }),
    plugins: [plugin],
  });
  const store = await track(new KyselyMetadataStore({ dialect: 'sqlite', db, classifyError: classify }));
  await store.migrate();
  return { store, fail: (value: unknown) => Object.assign(fault, { value }) };
}

describe('KyselyMetadataStore guard', () => {
  it.each([
    ['its message', new Error('connection reset'), 'connection reset'],
    [
      'its code when it has no message',
      Object.assign(new Error(''), { code: 'ECONNREFUSED' }),
      'ECONNREFUSED',
    ],
    ['its class name when it has neither', new TypeError(''), 'TypeError'],
    ['the value itself when it is no Error', 'socket hang up', 'socket hang up'],
  ])('describes an unavailable database by %s', async (_, thrown, detail) => {
    const { store, fail } = await faultyStore(() => 'unavailable');
    fail(thrown);
    const failure = await store.ping().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ComponentUnavailableError);
    expect(failure).toMatchObject({
      statusCode: 503,
      component: 'database',
      message: `database unavailable: ${detail}`,
    });
    await expect(store.getUser('x')).rejects.toBeInstanceOf(ComponentUnavailableError);
  });

  it('answers 400 for text the database cannot store', async () => {
    const { store, fail } = await faultyStore(() => 'unrepresentable-text');
    fail(new Error('invalid byte sequence for encoding "UTF8": 0x00'));
    await expect(store.insertUser(userRecord('nul\u0000'))).rejects.toThrow(
      new BadRequestError('The request holds text the database cannot store, such as a NUL character.'),
    );
  });

  it('answers 409 for a unique violation only where the operation names the conflict', async () => {
    const { store, fail } = await faultyStore(() => 'unique-violation');
    const violation = new Error('duplicate key value violates unique constraint');
    fail(violation);
    await expect(store.insertUser(userRecord('dup'))).rejects.toThrow(
      new ConflictError('user dup already exists'),
    );
    await expect(store.ping()).rejects.toBe(violation);
  });

  it('passes an unclassified failure through as it is', async () => {
    const { store, fail } = await faultyStore(() => null);
    const failure = new Error('syntax error');
    fail(failure);
    await expect(store.hasAdmin()).rejects.toBe(failure);
  });
});
