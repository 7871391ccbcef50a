import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config.js';
import type { MetadataStore } from './metadata-store.js';
import { createSqliteStore } from './sqlite.js';

/**
 * PostgreSQL when DATABASE_URL is set, else embedded SQLite under DATA_DIR. Call `migrate()`
 * next. Only the driver in use is imported (pg is not loaded by an embedded registry).
 */
export async function createMetadataStore(config: Config): Promise<MetadataStore> {
  if (config.databaseUrl) {
    const { createPostgresStore } = await import('./postgres.js');
    const { schema, poolSize, connectTimeoutMs, statementTimeoutMs } = config.database;
    return createPostgresStore(config.databaseUrl, {
      schema: schema ?? undefined,
      poolSize,
      connectTimeoutMs,
      statementTimeoutMs,
    });
  }
  mkdirSync(config.dataDir, { recursive: true });
  return createSqliteStore(join(config.dataDir, 'registry.db'));
}
