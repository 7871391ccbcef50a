import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationProvider } from '../../../../src/storage/metadata/migrations.js';
import { createSqliteStore } from '../../../../src/storage/metadata/sqlite.js';
import { artifactRecord, userRecord } from '../../support/metadata-records.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('migrations', () => {
  it('are named so that their order is the order they were written in', async () => {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const names = Object.keys(await migrationProvider(dialect).getMigrations());
      expect(names).toEqual([...names].sort());
      expect(names[0]).toBe('0001_initial');
      expect(names.at(-1)).toBe('0012_performance_workloads');
    }
  });

  it('build the schema once: a restart migrates again without harm, keeping the data', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mg-migrate-'));
    const file = join(dir, 'registry.db');
    const first = createSqliteStore(file);
    await first.migrate();
    await first.migrate();
    await first.insertArtifact(artifactRecord('kept'));
    await first.insertUser(userRecord('bob'));
    await first.close();

    const again = createSqliteStore(file);
    await again.migrate();
    expect((await again.getArtifact('kept'))?.id).toBe('kept');
    expect(await again.getUser('bob')).toEqual(userRecord('bob'));
    expect(await again.writeGeneration()).toBe(0);
    await again.close();

    const raw = new SqliteDatabase(file, { readonly: true });
    const applied = raw.prepare('select name from kysely_migration order by name').pluck().all();
    const stateRows = raw.prepare('select count(*) from registry_state').pluck().get();
    raw.close();
    expect(applied).toEqual(Object.keys(await migrationProvider('sqlite').getMigrations()));
    expect(stateRows).toBe(1);
  });

  it('open a file store in WAL mode, so readers proceed during a write', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mg-migrate-'));
    const file = join(dir, 'registry.db');
    const store = createSqliteStore(file);
    await store.migrate();
    await store.ping();
    await store.close();
    const raw = new SqliteDatabase(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });
});
