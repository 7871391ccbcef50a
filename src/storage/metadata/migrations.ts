import {
  type ColumnDefinitionBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  sql,
} from 'kysely';
import { SEARCH_TEXT_SQL } from './search-text.js';

export type SqlDialect = 'sqlite' | 'postgres';

/**
 * Schema history, in code so the app ships as one artifact. Never edit a released migration:
 * add a new one. Migrations see `Kysely<unknown>` because they must not depend on the current
 * shape of `Database`.
 */
export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001_initial': { up: (db) => createInitialSchema(db, dialect) },
    '0002_ratings': { up: createRatings },
    '0003_rating_scoring_version': { up: addRatingScoringVersion },
    '0004_upstream_answers': { up: createUpstreamAnswers },
    '0005_registry_state': { up: createRegistryState },
    '0006_access_control': { up: (db) => createAccessControl(db, dialect) },
    '0007_popularity': { up: (db) => createPopularity(db, dialect) },
    '0009_search_text_index': { up: (db) => createSearchTextIndex(db, dialect) },
    '0010_transactions': { up: createTransactions },
    '0011_monitors': { up: (db) => createMonitors(db, dialect) },
    '0012_performance_workloads': { up: (db) => createPerformanceWorkloads(db, dialect) },
  };
  return { getMigrations: async () => migrations };
}

/** A surrogate key that only ever grows; the syntax differs per dialect. */
function identity(dialect: SqlDialect) {
  return {
    type: dialect === 'sqlite' ? 'integer' : 'bigint',
    build: (col: ColumnDefinitionBuilder) =>
      dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey().generatedAlwaysAsIdentity(),
  } as const;
}

async function createInitialSchema(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const key = identity(dialect);

  await db.schema
    .createTable('artifacts')
    .addColumn('seq', key.type, key.build)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source_url', 'text', (c) => c.notNull())
    .addColumn('version_text', 'text')
    .addColumn('version_major', 'bigint')
    .addColumn('version_minor', 'bigint')
    .addColumn('version_patch', 'bigint')
    .addColumn('version_prerelease', 'integer')
    .addColumn('package_digest', 'text', (c) => c.notNull())
    .addColumn('package_size', 'bigint', (c) => c.notNull())
    .addColumn('facts', 'text', (c) => c.notNull())
    .addColumn('readme', 'text')
    .addColumn('source_metadata', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('artifacts_name_seq').on('artifacts').columns(['name', 'seq']).execute();
  await db.schema.createIndex('artifacts_type_seq').on('artifacts').columns(['type', 'seq']).execute();
  await db.schema.createIndex('artifacts_package_digest').on('artifacts').column('package_digest').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', key.type, key.build)
    .addColumn('artifact_id', 'text', (c) => c.notNull())
    .addColumn('artifact_name', 'text', (c) => c.notNull())
    .addColumn('artifact_type', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_is_admin', 'integer', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('date', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_log_artifact_id')
    .on('audit_log')
    .columns(['artifact_id', 'id'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull())
    .addColumn('can_upload', 'integer', (c) => c.notNull())
    .addColumn('can_search', 'integer', (c) => c.notNull())
    .addColumn('can_download', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('max_uses', 'integer', (c) => c.notNull())
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('tokens_user_name').on('tokens').column('user_name').execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

async function createRatings(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ratings')
    .addColumn('artifact_id', 'text', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('inputs', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .execute();
}

/** Ratings carry the scoring version they were computed under; older rows have none, so are stale. */
async function addRatingScoringVersion(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('ratings')
    .addColumn('scoring_version', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}

/** GitHub answers kept with their ETag, revalidated instead of read again (src/sources/answer-cache.ts). */
async function createUpstreamAnswers(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('upstream_answers')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('etag', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('upstream_answers_used_at').on('upstream_answers').column('used_at').execute();
}

/**
 * One row holding the reset generation: every reset moves it on (twice: when it starts and when it
 * ends), and a write of an artifact commits only in the generation it started in.
 */
async function createRegistryState(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('registry_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('generation', 'bigint', (c) => c.notNull())
    .addColumn('resetting', 'integer', (c) => c.notNull())
    .execute();
  await (db as Kysely<{ registry_state: { id: number; generation: number; resetting: number } }>)
    .insertInto('registry_state')
    .values({ id: 1, generation: 0, resetting: 0 })
    .execute();
}

/** Per-account sign-in back-off and the security audit trail (sign-ins, user administration). */
async function createAccessControl(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const key = identity(dialect);
  await db.schema
    .createTable('sign_in_failures')
    .addColumn('user_name', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('security_events')
    .addColumn('id', key.type, key.build)
    .addColumn('date', 'bigint', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('subject', 'text')
    .addColumn('address', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema
    .createIndex('security_events_subject')
    .on('security_events')
    .columns(['subject', 'id'])
    .execute();
}

async function createPopularity(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const key = identity(dialect);
  const counter = (c: ColumnDefinitionBuilder) => c.notNull().defaultTo(0);
  await db.schema
    .createTable('popularity')
    .addColumn('artifact_id', 'text', (c) => c.primaryKey())
    .addColumn('downloads', 'bigint', counter)
    .addColumn('downloaders', 'bigint', counter)
    .addColumn('search_hits', 'bigint', counter)
    .addColumn('views', 'bigint', counter)
    .execute();
  await db.schema
    .createTable('downloaders')
    .addColumn('artifact_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('downloaders_pk', ['artifact_id', 'user_name'])
    .execute();
  await db.schema
    .createTable('access_events')
    .addColumn('id', key.type, key.build)
    .addColumn('artifact_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('client', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('access_events_artifact_id')
    .on('access_events')
    .columns(['artifact_id', 'id'])
    .execute();
  await db.schema.createIndex('access_events_at').on('access_events').column('at').execute();
}

/**
 * A trigram index over each artifact's name and README, so a regex search reads only the
 * artifacts that contain the substrings its pattern requires (src/search/required-text.ts).
 * SQLite: an FTS5 table with the trigram tokenizer over the artifacts table's own columns, kept
 * current by triggers. PostgreSQL: a pg_trgm GIN index on the searched text, which serves ILIKE.
 */
async function createSearchTextIndex(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`create virtual table artifact_search using fts5(name, readme, content='artifacts', content_rowid='seq', tokenize='trigram')`.execute(
      db,
    );
    await sql`create trigger artifact_search_insert after insert on artifacts begin
      insert into artifact_search (rowid, name, readme) values (new.seq, new.name, new.readme);
    end`.execute(db);
    await sql`create trigger artifact_search_delete after delete on artifacts begin
      insert into artifact_search (artifact_search, rowid, name, readme) values ('delete', old.seq, old.name, old.readme);
    end`.execute(db);
    await sql`create trigger artifact_search_update after update of name, readme on artifacts begin
      insert into artifact_search (artifact_search, rowid, name, readme) values ('delete', old.seq, old.name, old.readme);
      insert into artifact_search (rowid, name, readme) values (new.seq, new.name, new.readme);
    end`.execute(db);
    await sql`insert into artifact_search (artifact_search) values ('rebuild')`.execute(db);
    return;
  }
  // The extension is database-wide: created once in public (never in a registry schema, which a
  // test or bench may drop), serialised because concurrent creations race on the catalogue.
  await sql`select pg_advisory_xact_lock(hashtext('modelguard:pg_trgm'))`.execute(db);
  await sql`create extension if not exists pg_trgm with schema public`.execute(db);
  const { rows } = await sql<{ schema: string }>`
    select extnamespace::regnamespace::text as schema from pg_extension where extname = 'pg_trgm'`.execute(
    db,
  );
  const schema = rows[0]?.schema ?? 'public';
  await sql`create index artifacts_search_text on artifacts using gin ((${sql.raw(SEARCH_TEXT_SQL)}) ${sql.ref(
    `${schema}.gin_trgm_ops`,
  )})`.execute(db);
}

/**
 * Group transactions and their commands. A command that stages a package names its blob
 * (package_digest), so releases and fsck count it like an artifact row.
 */
async function createTransactions(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('transactions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('command_count', 'integer', (c) => c.notNull())
    .addColumn('staged_bytes', 'bigint', (c) => c.notNull())
    .addColumn('result', 'text')
    .execute();
  await db.schema.createIndex('transactions_expires_at').on('transactions').column('expires_at').execute();
  await db.schema
    .createTable('transaction_commands')
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('op', 'text', (c) => c.notNull())
    .addColumn('artifact_id', 'text', (c) => c.notNull())
    .addColumn('artifact_type', 'text', (c) => c.notNull())
    .addColumn('artifact_name', 'text', (c) => c.notNull())
    .addColumn('expected_updated_at', 'bigint')
    .addColumn('package_digest', 'text')
    .addColumn('package_size', 'bigint')
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('transaction_commands_pk', ['transaction_id', 'position'])
    .addUniqueConstraint('transaction_commands_one_per_artifact', ['transaction_id', 'artifact_id'])
    .execute();
  await db.schema
    .createIndex('transaction_commands_package_digest')
    .on('transaction_commands')
    .column('package_digest')
    .execute();
}

/** Sensitive models' monitor programs and the verdicts on requests for their bytes. */
async function createMonitors(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const key = identity(dialect);
  await db.schema
    .createTable('monitor_programs')
    .addColumn('artifact_id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sensitive_downloads')
    .addColumn('id', key.type, key.build)
    .addColumn('artifact_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('allowed', 'integer', (c) => c.notNull())
    .addColumn('exit_code', 'integer')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('stdout', 'text', (c) => c.notNull())
    .addColumn('part', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('reused', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sensitive_downloads_artifact_id')
    .on('sensitive_downloads')
    .columns(['artifact_id', 'id'])
    .execute();
}

async function createPerformanceWorkloads(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const key = identity(dialect);
  await db.schema
    .createTable('performance_workloads')
    .addColumn('seq', key.type, key.build)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('clients', 'integer', (c) => c.notNull())
    .addColumn('models', 'integer', (c) => c.notNull())
    .addColumn('model_size_mb', 'integer', (c) => c.notNull())
    .addColumn('completed', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('components', 'text', (c) => c.notNull())
    .addColumn('results', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('performance_workloads_status')
    .on('performance_workloads')
    .column('status')
    .execute();
}
