import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { KyselyMetadataStore } from '../../../../src/storage/metadata/kysely-store.js';
import type { MetadataStore } from '../../../../src/storage/metadata/metadata-store.js';
import { migrationProvider } from '../../../../src/storage/metadata/migrations.js';
import type { Database } from '../../../../src/storage/metadata/schema.js';
import { SEARCH_TEXT_SQL } from '../../../../src/storage/metadata/search-text.js';
import { postgresSqlRecorder } from '../../support/postgres-sql.js';

/** What the PostgreSQL-only paths send; their effect on a real server is tested in test/storage. */

describe('PostgreSQL schema', () => {
  async function migrationSql(): Promise<string[]> {
    const { db, sent } = postgresSqlRecorder<unknown>();
    const migrations = await migrationProvider('postgres').getMigrations();
    for (const migration of Object.values(migrations)) await migration.up(db as Kysely<unknown>);
    return sent.map((query) => query.sql);
  }

  it('numbers rows with identity columns, never with SQLite’s autoincrement', async () => {
    const statements = await migrationSql();
    const artifacts = statements.find((s) => s.startsWith('create table "artifacts"'));
    expect(artifacts).toContain('"seq" bigint generated always as identity primary key');
    for (const table of ['audit_log', 'security_events', 'access_events', 'sensitive_downloads']) {
      expect(statements.find((s) => s.startsWith(`create table "${table}"`))).toContain(
        '"id" bigint generated always as identity primary key',
      );
    }
    expect(statements.join('\n')).not.toMatch(/autoincrement|fts5/);
  });

  it('indexes the searched text with pg_trgm, created once in public under a lock', async () => {
    const statements = await migrationSql();
    const lock = statements.indexOf("select pg_advisory_xact_lock(hashtext('modelguard:pg_trgm'))");
    const extension = statements.indexOf('create extension if not exists pg_trgm with schema public');
    expect(lock).toBeGreaterThanOrEqual(0);
    expect(extension).toBe(lock + 1);
    // No server answered where the extension lives: its operator class is taken from public.
    expect(statements).toContain(
      `create index artifacts_search_text on artifacts using gin ((${SEARCH_TEXT_SQL}) "public"."gin_trgm_ops")`,
    );
  });
});

describe('PostgreSQL locks shared by every instance', () => {
  function store() {
    const { db, sent } = postgresSqlRecorder<Database>();
    return { store: new KyselyMetadataStore({ dialect: 'postgres', db, classifyError: () => null }), sent };
  }

  it('holds an advisory lock on the digest for the work, which runs in the lock’s transaction', async () => {
    const { store: outer, sent } = store();
    let inner: MetadataStore | undefined;
    const found = await outer.withDigestLock('sha-1', async (locked) => {
      inner = locked;
      return locked.findByName('bert', 1);
    });
    expect(found).toEqual([]);
    expect(inner).not.toBe(outer);
    expect(sent.map((q) => [q.sql.split(' from ')[0], q.parameters])).toEqual([
      ['select pg_advisory_xact_lock(hashtext($1))', ['sha-1']],
      ['select "id", "type", "name"', ['bert', 1]],
    ]);
  });

  it('holds the reset lock for the whole reset', async () => {
    const { store: outer, sent } = store();
    const result = await outer.withResetLock(async () => {
      await outer.ping();
      return 'reset';
    });
    expect(result).toBe('reset');
    expect(sent.map((q) => q.sql)).toEqual([
      "select pg_advisory_xact_lock(hashtext('modelguard:reset'))",
      'select 1',
    ]);
  });
});
