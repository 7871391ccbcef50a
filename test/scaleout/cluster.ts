import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createPgS3Storage, type PgS3Storage } from '../support/test-storage.js';

/**
 * Two app objects over one PostgreSQL schema and one S3 prefix stand in for two stateless
 * instances behind a load balancer. Requests interleave at the database and the object store,
 * so every race the services guard against happens here for real.
 */
export interface Cluster {
  storage: PgS3Storage;
  apps: [FastifyInstance, FastifyInstance];
  dataDirs: string[];
  close(): Promise<void>;
}

export async function startCluster(env: Record<string, string> = {}): Promise<Cluster> {
  const storage = await createPgS3Storage();
  const dataDirs = await Promise.all([1, 2].map(() => mkdtemp(join(tmpdir(), 'mg-instance-'))));
  const build = (dataDir: string) =>
    buildApp(
      loadConfig({
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        AUTH_RATE_LIMIT_PER_MINUTE: '100000',
        INGEST_ALLOW_PRIVATE_NETWORK: 'true',
        ...env,
      }),
      storage.overrides(),
    );
  // Both instances start at the same moment on a fresh schema, as a deployment does.
  const [first, second] = await Promise.all(dataDirs.map(build));
  return {
    storage,
    apps: [first as FastifyInstance, second as FastifyInstance],
    dataDirs,
    async close() {
      await Promise.all([first?.close(), second?.close()]);
      await storage.dispose();
      await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}
