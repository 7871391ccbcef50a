import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { type DriverErrorKind, KyselyMetadataStore } from './kysely-store.js';
import type { MetadataStore } from './metadata-store.js';
import type { Database } from './schema.js';

export interface SqliteStoreOptions {
  /** How long a write waits for another process's lock before answering 503. */
  busyTimeoutMs?: number;
}

/** Embedded store in one file (or ':memory:'); call `migrate()` before use. */
export function createSqliteStore(file: string, opts: SqliteStoreOptions = {}): MetadataStore {
  const { busyTimeoutMs = 5_000 } = opts;
  const database = new SqliteDatabase(file);
  // WAL lets readers proceed during a write; NORMAL sync is durable across app crashes in WAL mode.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return new KyselyMetadataStore({ dialect: 'sqlite', db, classifyError: classifySqliteError });
}

function classifySqliteError(error: unknown): DriverErrorKind | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    return 'unique-violation';
  // Lock contention beyond busy_timeout, or a disk that cannot serve: the database is unavailable.
  if (/^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL)/.test(code)) return 'unavailable';
  return null;
}
