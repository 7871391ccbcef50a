import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSqliteStore } from '../../../src/storage/metadata/sqlite.js';

let dataDir: string | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('npm run migrate (src/migrate.ts)', () => {
  it('brings the configured database up to date, says so, and closes it', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'modelguard-migrate-'));
    vi.stubEnv('DATA_DIR', dataDir);
    vi.stubEnv('DATABASE_URL', undefined);
    const said: unknown[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args) => {
      said.push(...args);
    });
    await import('../../../src/migrate.js');
    expect(said).toEqual(['sqlite schema is up to date']);
    const file = join(dataDir, 'registry.db');
    expect(existsSync(file)).toBe(true);
    // The schema is there: a store on the file needs no migration to answer.
    const store = createSqliteStore(file);
    try {
      expect(await store.hasAdmin()).toBe(false);
      expect(await store.writeGeneration()).toBeGreaterThanOrEqual(0);
    } finally {
      await store.close();
    }
  });
});
