import { type Kysely, Migrator, sql, type Transaction } from 'kysely';
import type { ArtifactRecord, ArtifactSummary, AuditEntry } from '../../domain/artifact.js';
import {
  BadRequestError,
  ComponentUnavailableError,
  ConflictError,
  LastAdminError,
  ResetConflictError,
} from '../../domain/errors.js';
import type { SecurityEvent } from '../../domain/security-event.js';
import type { TextQuery } from '../../search/required-text.js';
import { artifactPageQuery } from './artifact-filter.js';
import { seqAfter, toPage } from './cursor.js';
import { KeyedMutex } from './keyed-mutex.js';
import type {
  ArtifactQuerySpec,
  FencedWrite,
  MetadataStore,
  PackageReference,
  Page,
  PageRequest,
  SearchCandidate,
  SignInFailures,
  StoredRating,
  TokenRecord,
  UpstreamAnswer,
  UserChanges,
  UserRecord,
} from './metadata-store.js';
import { migrationProvider, type SqlDialect } from './migrations.js';
import { KyselyMonitorStore, type MonitorStore } from './monitor-store.js';
import { KyselyPopularityStore, type PopularityStore } from './popularity-store.js';
import {
  artifactToRow,
  auditToRow,
  rowToArtifact,
  rowToAudit,
  rowToSecurityEvent,
  rowToSummary,
  rowToUser,
  securityEventToRow,
  userChangesToRow,
  userToRow,
} from './rows.js';
import type { Database } from './schema.js';
import { mayContain } from './search-text.js';
import { KyselyTransactionStore, type TransactionStore } from './transaction-store.js';
import { KyselyWorkloadStore, type WorkloadStore } from './workload-store.js';

/** The id of registry_state's only row. */
const STATE_ROW = 1;

/** What a driver error means for callers; anything else propagates unchanged. */
export type DriverErrorKind = 'unique-violation' | 'unavailable' | 'unrepresentable-text';

export interface KyselyStoreOptions {
  dialect: SqlDialect;
  db: Kysely<Database>;
  classifyError(error: unknown): DriverErrorKind | null;
  /** PostgreSQL schema the connections' search_path points at; created by `migrate`. */
  schema?: string;
}

/** The MetadataStore for every SQL dialect Kysely speaks; adapters only supply the connection. */
export class KyselyMetadataStore implements MetadataStore {
  readonly kind: string;
  private readonly db: Kysely<Database>;
  private readonly digestLocks = new KeyedMutex();
  private readonly resetLock = new KeyedMutex();
  readonly popularity: PopularityStore;
  readonly transactions: TransactionStore;
  readonly monitors: MonitorStore;
  readonly workloads: WorkloadStore;

  constructor(private readonly options: KyselyStoreOptions) {
    this.kind = options.dialect;
    this.db = options.db;
    this.popularity = new KyselyPopularityStore(this.db, options.dialect, (operation) =>
      this.guard(operation),
    );
    this.transactions = new KyselyTransactionStore(
      this.db,
      (operation, conflictMessage) => this.guard(operation, conflictMessage),
      (work) => this.inTransaction(work),
    );
    this.monitors = new KyselyMonitorStore(this.db, (operation) => this.guard(operation));
    this.workloads = new KyselyWorkloadStore(this.db, (operation) => this.guard(operation));
  }

  migrate(): Promise<void> {
    return this.guard(async () => {
      const { schema, dialect } = this.options;
      // The migrator creates the schema itself, tolerating another instance doing the same at
      // once (`create schema if not exists` alone can still fail that race on PostgreSQL), and
      // serialises the migrations of concurrently starting instances with a lock.
      const tableSchema = schema ?? (dialect === 'postgres' ? await this.searchPathSchema() : undefined);
      const migrator = new Migrator({
        db: this.db,
        provider: migrationProvider(dialect),
        ...(tableSchema ? { migrationTableSchema: tableSchema } : {}),
      });
      const { error } = await migrator.migrateToLatest();
      if (error) throw error;
    });
  }

  /**
   * The schema unqualified tables go to when none is configured. Named explicitly because Kysely's
   * migrator, left to itself, finds its tables in any schema: a database where another schema
   * already holds them (another registry, another Kysely app) would skip creating them here.
   */
  private async searchPathSchema(): Promise<string | undefined> {
    const { rows } = await sql<{ current: string | null; path: string }>`
      select current_schema() as current, current_setting('search_path') as path`.execute(this.db);
    const row = rows[0];
    if (row?.current) return row.current;
    // The first schema of the path does not exist yet: the migrator creates it.
    const first = row?.path
      .split(',')[0]
      ?.trim()
      .replace(/^"(.*)"$/, '$1');
    return first && first !== '$user' ? first : undefined;
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  ping(): Promise<void> {
    return this.guard(async () => {
      await sql`select 1`.execute(this.db);
    });
  }

  insertArtifact(record: ArtifactRecord, fenced?: FencedWrite): Promise<void> {
    return this.guard(
      () =>
        this.inTransaction(async (db) => {
          if (fenced) await this.holdGeneration(db, fenced);
          await db.insertInto('artifacts').values(artifactToRow(record)).execute();
          if (fenced) await db.insertInto('audit_log').values(auditToRow(fenced.audit)).execute();
        }),
      `artifact ${record.id} already exists`,
    );
  }

  getArtifact(id: string): Promise<ArtifactRecord | null> {
    return this.guard(async () => {
      const row = await this.db.selectFrom('artifacts').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? rowToArtifact(row) : null;
    });
  }

  replaceArtifact(record: ArtifactRecord, expectedUpdatedAt: Date, fenced?: FencedWrite): Promise<boolean> {
    return this.guard(() =>
      this.inTransaction(async (db) => {
        if (fenced) await this.holdGeneration(db, fenced);
        const { id, ...columns } = artifactToRow(record);
        const result = await db
          .updateTable('artifacts')
          .set(columns)
          .where('id', '=', id)
          .where('updated_at', '=', expectedUpdatedAt.getTime())
          .executeTakeFirst();
        const replaced = Number(result.numUpdatedRows) === 1;
        // Only an applied update is audited; rolling back a lost one would also drop its entry.
        if (!replaced) return false;
        if (fenced) await db.insertInto('audit_log').values(auditToRow(fenced.audit)).execute();
        return true;
      }),
    );
  }

  deleteArtifact(id: string, expectedUpdatedAt?: Date): Promise<ArtifactRecord | null> {
    return this.guard(() =>
      this.inTransaction(async (trx) => {
        let query = trx.deleteFrom('artifacts').where('id', '=', id);
        if (expectedUpdatedAt) query = query.where('updated_at', '=', expectedUpdatedAt.getTime());
        const row = await query.returningAll().executeTakeFirst();
        if (!row) return null;
        await trx.deleteFrom('ratings').where('artifact_id', '=', id).execute();
        for (const table of ['popularity', 'downloaders', 'access_events', 'monitor_programs'] as const) {
          await trx.deleteFrom(table).where('artifact_id', '=', id).execute();
        }
        return rowToArtifact(row);
      }),
    );
  }

  putRating(artifactId: string, rating: StoredRating): Promise<void> {
    return this.guard(async () => {
      const row = {
        artifact_id: artifactId,
        body: JSON.stringify(rating.body),
        inputs: rating.inputs,
        scoring_version: rating.scoringVersion,
        computed_at: rating.computedAt.getTime(),
      };
      await this.db
        .insertInto('ratings')
        .values(row)
        .onConflict((oc) =>
          oc.column('artifact_id').doUpdateSet({
            body: row.body,
            inputs: row.inputs,
            scoring_version: row.scoring_version,
            computed_at: row.computed_at,
          }),
        )
        .execute();
    });
  }

  getRating(artifactId: string): Promise<StoredRating | null> {
    return this.guard(async () => {
      const row = await this.db
        .selectFrom('ratings')
        .selectAll()
        .where('artifact_id', '=', artifactId)
        .executeTakeFirst();
      return row
        ? {
            body: JSON.parse(row.body) as Record<string, unknown>,
            inputs: row.inputs,
            scoringVersion: row.scoring_version,
            computedAt: new Date(Number(row.computed_at)),
          }
        : null;
    });
  }

  getUpstreamAnswer(key: string): Promise<UpstreamAnswer | null> {
    return this.guard(async () => {
      const row = await this.db
        .selectFrom('upstream_answers')
        .selectAll()
        .where('key', '=', key)
        .executeTakeFirst();
      if (!row) return null;
      return {
        key: row.key,
        etag: row.etag,
        status: Number(row.status),
        headers: JSON.parse(row.headers) as [string, string][],
        body: row.body,
        usedAt: new Date(Number(row.used_at)),
      };
    });
  }

  putUpstreamAnswer(answer: UpstreamAnswer, maxTotalBytes: number): Promise<void> {
    return this.guard(async () => {
      const headers = JSON.stringify(answer.headers);
      const row = {
        key: answer.key,
        etag: answer.etag,
        status: answer.status,
        headers,
        body: answer.body,
        size: Buffer.byteLength(answer.key) + Buffer.byteLength(headers) + Buffer.byteLength(answer.body),
        used_at: answer.usedAt.getTime(),
      };
      const { key, ...update } = row;
      await this.db
        .insertInto('upstream_answers')
        .values(row)
        .onConflict((oc) => oc.column('key').doUpdateSet(update))
        .execute();
      await this.pruneUpstreamAnswers(maxTotalBytes);
    });
  }

  /** Keeps the most recently used answers that fit in `maxTotalBytes`; deletes the rest. */
  private async pruneUpstreamAnswers(maxTotalBytes: number): Promise<void> {
    const rows = await this.db
      .selectFrom('upstream_answers')
      .select(['key', 'size'])
      .orderBy('used_at', 'desc')
      .orderBy('key')
      .execute();
    let total = 0;
    const evicted: string[] = [];
    for (const row of rows) {
      total += Number(row.size);
      if (total > maxTotalBytes) evicted.push(row.key);
    }
    for (let start = 0; start < evicted.length; start += 500) {
      await this.db
        .deleteFrom('upstream_answers')
        .where('key', 'in', evicted.slice(start, start + 500))
        .execute();
    }
  }

  /**
   * PostgreSQL: a transaction-scoped advisory lock, so it holds across instances, with the work's
   * own queries in that transaction (one connection per holder: no pool starvation). SQLite is
   * embedded in one process, where an in-process lock is enough.
   */
  withDigestLock<T>(digest: string, work: (locked: MetadataStore) => Promise<T>): Promise<T> {
    return this.digestLocks.run(digest, () => {
      if (this.options.dialect !== 'postgres') return work(this);
      return this.guard(() =>
        this.db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(hashtext(${digest}))`.execute(trx);
          return work(new KyselyMetadataStore({ ...this.options, db: trx }));
        }),
      );
    });
  }

  /** Rows naming the package: artifacts, and commands of open transactions that staged it. */
  countByDigest(digest: string): Promise<number> {
    return this.guard(async () => {
      const count = async (table: 'artifacts' | 'transaction_commands') => {
        const row = await this.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('package_digest', '=', digest)
          .executeTakeFirstOrThrow();
        return Number(row.count);
      };
      return (await count('artifacts')) + (await count('transaction_commands'));
    });
  }

  /**
   * One transaction holding the locks of every digest (taken in sorted order, so two groups
   * cannot deadlock) and the reset generation, as a fenced write does: everything `work` does
   * through the store it is given commits together or not at all.
   */
  withGroupLock<T>(
    digests: string[],
    startedIn: number,
    work: (locked: MetadataStore) => Promise<T>,
  ): Promise<T> {
    const sorted = [...new Set(digests)].sort();
    const inProcess = sorted.reduceRight<() => Promise<T>>(
      (inner, digest) => () => this.digestLocks.run(digest, inner),
      () =>
        this.guard(() =>
          this.db.transaction().execute(async (trx) => {
            if (this.options.dialect === 'postgres') {
              for (const digest of sorted) {
                await sql`select pg_advisory_xact_lock(hashtext(${digest}))`.execute(trx);
              }
            }
            await this.holdGeneration(trx, { startedIn });
            return work(new KyselyMetadataStore({ ...this.options, db: trx }));
          }),
        ),
    );
    return inProcess();
  }

  queryArtifacts(queries: ArtifactQuerySpec[], page: PageRequest): Promise<Page<ArtifactSummary>> {
    return this.guard(async () => {
      const query = artifactPageQuery(this.db, queries, seqAfter(page.after), page.limit + 1);
      const rows = query ? await query.execute() : [];
      return toPage(rows, page.limit, rowToSummary);
    });
  }

  findByName(name: string, limit: number): Promise<ArtifactSummary[]> {
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('artifacts')
        .select(['id', 'type', 'name'])
        .where('name', '=', name)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(rowToSummary);
    });
  }

  scanPackageReferences(page: PageRequest): Promise<Page<PackageReference>> {
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('artifacts')
        .select(['seq', 'id', 'type', 'name', 'package_digest', 'package_size'])
        .where('seq', '>', seqAfter(page.after))
        .orderBy('seq')
        .limit(page.limit + 1)
        .execute();
      return toPage(rows, page.limit, (row) => ({
        ...rowToSummary(row),
        packageDigest: row.package_digest,
        packageSize: Number(row.package_size),
      }));
    });
  }

  scanSearchCandidates(page: PageRequest, required?: TextQuery | null): Promise<Page<SearchCandidate>> {
    return this.guard(async () => {
      const after = seqAfter(page.after);
      let query = this.db
        .selectFrom('artifacts')
        .select(['seq', 'id', 'type', 'name', 'readme'])
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(page.limit + 1);
      if (required) query = query.where(mayContain(this.options.dialect, required, after));
      const rows = await query.execute();
      return toPage(rows, page.limit, (row) => ({ ...rowToSummary(row), readme: row.readme }));
    });
  }

  appendAudit(entry: AuditEntry): Promise<void> {
    return this.guard(async () => {
      await this.db.insertInto('audit_log').values(auditToRow(entry)).execute();
    });
  }

  listAudit(artifactId: string, page: PageRequest): Promise<Page<AuditEntry>> {
    return this.guard(async () => {
      // Newest first: the cursor is the last entry's id and the next page holds the older ones.
      const before = page.after === undefined ? null : seqAfter(page.after);
      let query = this.db
        .selectFrom('audit_log')
        .selectAll()
        .where('artifact_id', '=', artifactId)
        .orderBy('id', 'desc')
        .limit(page.limit + 1);
      if (before !== null) query = query.where('id', '<', before);
      const rows = await query.execute();
      return toPage(
        rows.map((row) => ({ seq: row.id, row })),
        page.limit,
        ({ row }) => rowToAudit(row),
      );
    });
  }

  hasAdmin(): Promise<boolean> {
    return this.guard(async () => {
      const row = await this.db
        .selectFrom('users')
        .select('name')
        .where('is_admin', '=', 1)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  getUser(name: string): Promise<UserRecord | null> {
    return this.guard(async () => {
      const row = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? rowToUser(row) : null;
    });
  }

  insertUser(user: UserRecord): Promise<void> {
    return this.guard(async () => {
      await this.db.insertInto('users').values(userToRow(user)).execute();
    }, `user ${user.name} already exists`);
  }

  listUsers(page: PageRequest): Promise<Page<UserRecord>> {
    return this.guard(async () => {
      let query = this.db
        .selectFrom('users')
        .selectAll()
        .orderBy('name')
        .limit(page.limit + 1);
      if (page.after !== undefined) query = query.where('name', '>', page.after);
      const rows = await query.execute();
      const items = rows.slice(0, page.limit).map(rowToUser);
      return { items, next: rows.length > page.limit ? (items.at(-1)?.name ?? null) : null };
    });
  }

  updateUser(name: string, changes: UserChanges): Promise<boolean> {
    return this.withAdminsKept(async (trx) => {
      const result = await trx
        .updateTable('users')
        .set(userChangesToRow(changes))
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  /** Deleting a user revokes their tokens: the rows go in the same transaction. */
  deleteUser(name: string): Promise<boolean> {
    return this.withAdminsKept(async (trx) => {
      await trx.deleteFrom('tokens').where('user_name', '=', name).execute();
      const result = await trx.deleteFrom('users').where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    });
  }

  revokeTokens(userName: string, exceptTokenId?: string): Promise<number> {
    return this.guard(async () => {
      let query = this.db.deleteFrom('tokens').where('user_name', '=', userName);
      if (exceptTokenId !== undefined) query = query.where('id', '<>', exceptTokenId);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  getSignInFailures(userName: string): Promise<SignInFailures | null> {
    return this.guard(async () => {
      const row = await this.db
        .selectFrom('sign_in_failures')
        .selectAll()
        .where('user_name', '=', userName)
        .executeTakeFirst();
      return row ? { failures: row.failures, lastFailureAt: new Date(Number(row.last_failure_at)) } : null;
    });
  }

  addSignInFailure(userName: string, now: Date, forgetBefore: Date): Promise<SignInFailures> {
    return this.guard(async () => {
      await this.db
        .deleteFrom('sign_in_failures')
        .where('last_failure_at', '<', forgetBefore.getTime())
        .execute();
      const row = await this.db
        .insertInto('sign_in_failures')
        .values({ user_name: userName, failures: 1, last_failure_at: now.getTime() })
        .onConflict((oc) =>
          oc.column('user_name').doUpdateSet({
            failures: sql<number>`sign_in_failures.failures + 1`,
            last_failure_at: now.getTime(),
          }),
        )
        .returning(['failures', 'last_failure_at'])
        .executeTakeFirstOrThrow();
      return { failures: row.failures, lastFailureAt: new Date(Number(row.last_failure_at)) };
    });
  }

  clearSignInFailures(userName: string): Promise<void> {
    return this.guard(async () => {
      await this.db.deleteFrom('sign_in_failures').where('user_name', '=', userName).execute();
    });
  }

  appendSecurityEvent(event: SecurityEvent): Promise<void> {
    return this.guard(async () => {
      await this.db.insertInto('security_events').values(securityEventToRow(event)).execute();
    });
  }

  listSecurityEvents(page: PageRequest, subject?: string): Promise<Page<SecurityEvent>> {
    return this.guard(async () => {
      let query = this.db
        .selectFrom('security_events')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(page.limit + 1);
      if (page.after !== undefined) query = query.where('id', '<', seqAfter(page.after));
      if (subject !== undefined) query = query.where('subject', '=', subject);
      const rows = await query.execute();
      return toPage(
        rows.map((row) => ({ ...row, seq: Number(row.id) })),
        page.limit,
        rowToSecurityEvent,
      );
    });
  }

  insertToken(token: TokenRecord): Promise<void> {
    return this.guard(async () => {
      await this.db
        .insertInto('tokens')
        .values({
          id: token.id,
          user_name: token.userName,
          expires_at: token.expiresAt.getTime(),
          max_uses: token.maxUses,
        })
        .execute();
    }, `token ${token.id} already exists`);
  }

  /** One conditional UPDATE: the database, not the app, serialises concurrent uses. */
  consumeToken(id: string, now: Date): Promise<boolean> {
    return this.guard(async () => {
      const result = await this.db
        .updateTable('tokens')
        .set((eb) => ({ uses: eb('uses', '+', 1) }))
        .where('id', '=', id)
        .where((eb) => eb('uses', '<', eb.ref('max_uses')))
        .where('expires_at', '>', now.getTime())
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  /** Insert-if-absent then read back, so concurrent instances all end up with the first value. */
  getOrCreateSetting(key: string, create: () => string): Promise<string> {
    return this.guard(async () => {
      const existing = await this.readSetting(key);
      if (existing !== undefined) return existing;
      await this.db
        .insertInto('settings')
        .values({ key, value: create() })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const stored = await this.readSetting(key);
      if (stored === undefined) throw new Error(`setting ${key} vanished after insert`);
      return stored;
    });
  }

  writeGeneration(): Promise<number> {
    return this.guard(async () => {
      const state = await this.readState(this.db);
      if (state.resetting)
        throw new ResetConflictError('The registry is being reset; retry when it has finished.');
      return state.generation;
    });
  }

  /**
   * PostgreSQL: a transaction-scoped advisory lock held for the whole reset (one connection), so it
   * holds across instances. SQLite is embedded in one process, where an in-process lock is enough.
   */
  withResetLock<T>(work: () => Promise<T>): Promise<T> {
    return this.resetLock.run('reset', () => {
      if (this.options.dialect !== 'postgres') return work();
      return this.guard(() =>
        this.db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(hashtext('modelguard:reset'))`.execute(trx);
          return work();
        }),
      );
    });
  }

  /**
   * Updating the state row first takes its lock: fenced writes in flight (holding it shared) finish
   * before, and are deleted below; later ones wait and then see the new generation.
   */
  beginReset(admin: UserRecord): Promise<void> {
    return this.guard(() =>
      this.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('registry_state')
          .set((eb) => ({ generation: eb('generation', '+', 1), resetting: 1 }))
          .where('id', '=', STATE_ROW)
          .execute();
        for (const table of [
          'artifacts',
          'ratings',
          'audit_log',
          'users',
          'sign_in_failures',
          'popularity',
          'downloaders',
          'access_events',
          'transactions',
          'transaction_commands',
          'monitor_programs',
          'sensitive_downloads',
        ] as const) {
          await trx.deleteFrom(table).execute();
        }
        await trx.deleteFrom('tokens').where('user_name', '<>', admin.name).execute();
        await trx.insertInto('users').values(userToRow(admin)).execute();
      }),
    );
  }

  endReset(): Promise<void> {
    return this.guard(async () => {
      await this.db
        .updateTable('registry_state')
        .set((eb) => ({ generation: eb('generation', '+', 1), resetting: 0 }))
        .where('id', '=', STATE_ROW)
        .execute();
    });
  }

  private async readState(
    db: Kysely<Database>,
    shared = false,
  ): Promise<{ generation: number; resetting: boolean }> {
    let query = db
      .selectFrom('registry_state')
      .select(['generation', 'resetting'])
      .where('id', '=', STATE_ROW);
    // PostgreSQL: a shared lock on the row until the write commits; a reset's update waits for it.
    // SQLite: write transactions are serialised by the database itself.
    if (shared && this.options.dialect === 'postgres') query = query.forShare();
    const state = await query.executeTakeFirstOrThrow();
    return { generation: Number(state.generation), resetting: state.resetting === 1 };
  }

  /**
   * Inside a write's transaction, before its first change (every transaction takes the state row
   * before artifact rows, as a reset does, so they cannot deadlock): commit only in the generation
   * the write started in.
   */
  private async holdGeneration(db: Kysely<Database>, fenced: Pick<FencedWrite, 'startedIn'>): Promise<void> {
    const state = await this.readState(db, true);
    if (state.resetting || state.generation !== fenced.startedIn) {
      throw new ResetConflictError();
    }
  }

  /** Run `work` in a transaction, or in the one this store already belongs to (a digest lock's). */
  private inTransaction<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? work(this.db) : this.db.transaction().execute(work);
  }

  /**
   * Run a change to users in a transaction that refuses to commit when it removes the last administrator.
   * On PostgreSQL an advisory lock serialises such changes across instances (two admins demoting
   * each other at once would otherwise each see the other still in place); SQLite runs one
   * transaction at a time anyway.
   */
  private withAdminsKept<T>(change: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.guard(() =>
      this.db.transaction().execute(async (trx) => {
        if (this.options.dialect === 'postgres') {
          await sql`select pg_advisory_xact_lock(hashtext('modelguard:admins'))`.execute(trx);
        }
        const before = await countAdmins(trx);
        const result = await change(trx);
        if (before > 0 && (await countAdmins(trx)) === 0) throw new LastAdminError();
        return result;
      }),
    );
  }

  private async readSetting(key: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  /** Runs a database operation, translating driver failures into the registry's errors. */
  private async guard<T>(operation: () => Promise<T>, conflictMessage?: string): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const kind = this.options.classifyError(error);
      if (kind === 'unavailable') throw new ComponentUnavailableError('database', describeError(error));
      if (kind === 'unique-violation' && conflictMessage) throw new ConflictError(conflictMessage);
      if (kind === 'unrepresentable-text')
        throw new BadRequestError(
          'The request holds text the database cannot store, such as a NUL character.',
        );
      throw error;
    }
  }
}

async function countAdmins(db: Kysely<Database>): Promise<number> {
  const { admins } = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('admins'))
    .where('is_admin', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(admins);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return error.message || (typeof code === 'string' ? code : error.name);
}
