import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type AppOverrides, buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD } from '../../src/services/auth-service.js';
import { createPgS3Storage, testStorageKind } from './test-storage.js';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  dataDir: string;
  /** The environment that points a registry process (or `modelguard fsck`) at this app's storage. */
  storageEnv: Record<string, string>;
  /** A fresh admin token header value. */
  token(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real app on real storage, driven with app.inject(): embedded storage in a temp DATA_DIR,
 * or with MODELGUARD_TEST_STORAGE=pg-s3 a PostgreSQL schema and an S3 prefix of its own
 * (unless the caller passes its own adapters).
 */
export async function startTestApp(
  env: Record<string, string> = {},
  overrides: AppOverrides = {},
): Promise<TestApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'modelguard-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    // Tests sign in hundreds of times: a cheap scrypt cost, set explicitly here and nowhere else.
    PASSWORD_SCRYPT_LOG2_N: '12',
    ...env,
  });
  const storage =
    testStorageKind() === 'pg-s3' && !overrides.store && !overrides.blobs ? await createPgS3Storage() : null;
  const app = await buildApp(config, { ...storage?.overrides(), ...overrides });
  return {
    app,
    config,
    dataDir,
    storageEnv: { DATA_DIR: dataDir, ...storage?.env() },
    token: () => authenticate(app),
    async close() {
      await app.close();
      await storage?.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function authenticate(
  app: FastifyInstance,
  name = DEFAULT_ADMIN_NAME,
  password = DEFAULT_ADMIN_PASSWORD,
): Promise<string> {
  const response = await app.inject({
    method: 'PUT',
    url: '/authenticate',
    payload: { user: { name, is_admin: true }, secret: { password } },
  });
  if (response.statusCode !== 200)
    throw new Error(`authenticate failed: ${response.statusCode} ${response.body}`);
  return JSON.parse(response.body) as string;
}
