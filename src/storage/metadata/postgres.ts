import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type DriverErrorKind, KyselyMetadataStore } from './kysely-store.js';
import type { MetadataStore } from './metadata-store.js';
import type { Database } from './schema.js';

export interface PostgresStoreOptions {
  /** Schema for the registry's tables (created by `migrate`); default: the server's search_path. */
  schema?: string;
  poolSize?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Shown in pg_stat_activity so operators can tell registry connections apart. */
  applicationName?: string;
}

const INT8_OID = 20;

/** Scale-out store on a pg connection pool; call `migrate()` before use. */
export function createPostgresStore(url: string, opts: PostgresStoreOptions = {}): MetadataStore {
  const {
    schema,
    poolSize = 10,
    connectTimeoutMs = 5_000,
    statementTimeoutMs = 30_000,
    applicationName = 'modelguard',
  } = opts;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name "${schema}"`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Bounded waits everywhere so an outage answers 503 quickly instead of hanging requests.
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + connectTimeoutMs,
    keepAlive: true,
    application_name: applicationName,
    options: schema ? `-c search_path=${schema}` : undefined,
    types: { getTypeParser: parseInt8AsNumber },
  });
  // An idle client lost its server (restart, failover): the pool drops it and the next query
  // reconnects. Without a listener the 'error' event would crash the process.
  pool.on('error', () => {});
  // The same for a client checked out when its connection drops: its query already fails (and
  // answers 503), and the pool discards it on release, but its 'error' event is unhandled.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new KyselyMetadataStore({ dialect: 'postgres', db, classifyError: classifyPostgresError, schema });
}

/** Epoch milliseconds, sizes and counts are int8; they all fit in a double. */
const parseInt8AsNumber = ((oid: number, format?: 'text' | 'binary') =>
  oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** SQLSTATEs meaning the server cannot serve right now (shutdown, overload, statement timeout). */
const SERVER_UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** pg's own messages for connections that never opened or died mid-flight. */
const CONNECTION_FAILURE_MESSAGE =
  /connection terminated|timeout exceeded when trying to connect|not queryable|query read timeout/i;

function classifyPostgresError(error: unknown): DriverErrorKind | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '23505') return 'unique-violation';
  // A NUL character or a byte sequence the database encoding cannot hold (PostgreSQL text never
  // contains U+0000): the input is what is wrong.
  if (code === '22021' || code === '22P05') return 'unrepresentable-text';
  if (typeof code === 'string') {
    // Class 08 is "connection exception".
    if (NETWORK_ERROR_CODES.has(code) || SERVER_UNAVAILABLE_CODES.has(code) || code.startsWith('08')) {
      return 'unavailable';
    }
  }
  if (error instanceof Error && CONNECTION_FAILURE_MESSAGE.test(error.message)) return 'unavailable';
  return null;
}
