import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ComponentUnavailableError } from '../../../src/domain/errors.js';
import { createRegistry } from '../../../src/registry.js';
import { DEFAULT_ADMIN_NAME } from '../../../src/services/auth-service.js';
import { createSqliteStore } from '../../../src/storage/metadata/sqlite.js';
import { makeZip } from '../../support/zips.js';
import { createUnitRegistry, uploadZip } from '../support/unit-registry.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'modelguard-registry-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const config = (dir: string, env: Record<string, string> = {}) =>
  loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', PASSWORD_SCRYPT_LOG2_N: '12', ...env });

describe('createRegistry', () => {
  it('chooses embedded storage from the configuration: SQLite and blobs under DATA_DIR, default admin in place', async () => {
    const dir = join(dataDir, 'embedded');
    const registry = await createRegistry(
      config(dir, { LLM_ENDPOINT: 'http://llm.invalid/v1', GATE_ENABLED: 'false' }),
    );
    try {
      expect([registry.store.kind, registry.blobs.kind]).toEqual(['sqlite', 'filesystem']);
      expect(existsSync(join(dir, 'registry.db'))).toBe(true);
      expect((await registry.users.get(DEFAULT_ADMIN_NAME)).user.is_admin).toBe(true);
      const admin = await registry.auth.resolve(await registry.auth.issueToken(DEFAULT_ADMIN_NAME, 1));
      const record = await registry.artifacts.upload(
        'model',
        {
          name: 'kept',
          body: Readable.from([await makeZip([{ path: 'a.txt', content: 'a' }])]),
        },
        admin,
      );
      expect(await registry.blobs.stat(record.packageDigest)).toEqual({ size: record.packageSize });
    } finally {
      await registry.close();
    }
    // Everything is kept in DATA_DIR: a new registry on it finds the artifact.
    const again = await createRegistry(config(dir));
    try {
      expect(await again.store.findByName('kept', 1)).toHaveLength(1);
    } finally {
      await again.close();
    }
  });
});

describe('reset', () => {
  it('empties artifacts, blobs and users and restores the default admin', async () => {
    const unit = await createUnitRegistry();
    try {
      const record = await uploadZip(
        unit,
        'model',
        'doomed',
        await makeZip([{ path: 'a.txt', content: 'x' }]),
      );
      await unit.registry.users.create(unit.admin, {
        name: 'someone',
        isAdmin: false,
        password: 'a long password 12345!',
      });
      await unit.registry.reset();
      expect(await unit.registry.store.getArtifact(record.id)).toBeNull();
      expect(await unit.registry.blobs.stat(record.packageDigest)).toBeNull();
      expect(await unit.registry.store.getUser('someone')).toBeNull();
      expect(await unit.registry.store.getUser(DEFAULT_ADMIN_NAME)).not.toBeNull();
      expect(await unit.registry.store.writeGeneration()).toBeGreaterThan(0);
    } finally {
      await unit.close();
    }
  });

  it('a reset cut short by a lost database fails, then finishes by itself once the database answers', async () => {
    const store = createSqliteStore(':memory:');
    const endReset = store.endReset.bind(store);
    let lost = true;
    store.endReset = async () => {
      if (lost) {
        lost = false;
        throw new ComponentUnavailableError('database', 'connection lost');
      }
      return endReset();
    };
    const unit = await createUnitRegistry({}, { store });
    try {
      await expect(unit.registry.reset()).rejects.toThrow('database unavailable: connection lost');
      await expect(store.writeGeneration()).rejects.toMatchObject({ statusCode: 409 });
      await vi.waitFor(() => expect(store.writeGeneration()).resolves.toBeGreaterThan(0), { timeout: 5000 });
    } finally {
      await unit.close();
    }
  });
});
