import type { Kysely } from 'kysely';
import type { ArtifactRecord, ArtifactSummary, ArtifactType } from '../../domain/artifact.js';
import { artifactToRow, rowToArtifact } from './rows.js';
import type { Database, TransactionCommandsTable, TransactionsTable } from './schema.js';

export type TransactionState = 'open' | 'executed' | 'failed';

/** What executing answered, kept so a second execute answers the same. */
export interface TransactionResult {
  status: number;
  body: unknown;
}

export interface TransactionRecord {
  id: string;
  owner: string;
  state: TransactionState;
  createdAt: Date;
  /** Open: forgotten (and its staged packages collected) at this time unless touched again. */
  expiresAt: Date;
  commandCount: number;
  stagedBytes: number;
  result: TransactionResult | null;
}

export type CommandOp = 'create' | 'update' | 'delete';

export interface TransactionCommand {
  op: CommandOp;
  artifact: ArtifactSummary;
  /** update, delete: the artifact's updatedAt when appended; a change since is a conflict. */
  expectedUpdatedAt: Date | null;
  /** create, update: the row to write, its package already stored (staged). */
  record: ArtifactRecord | null;
  /** The ingest gate's admitting rating, kept with the artifact once executed. */
  rating: unknown;
}

/** A package a command of an open transaction names (fsck counts it as named). */
export interface StagedPackage {
  transactionId: string;
  artifact: ArtifactSummary;
  packageDigest: string;
  packageSize: number;
}

export interface AppendLimits {
  now: Date;
  /** The transaction's new expiry: appending is activity. */
  expiresAt: Date;
  maxCommands: number;
  maxStagedBytes: number;
}

export type AppendOutcome =
  | 'appended'
  | 'not-found'
  | 'not-open'
  | 'too-many-commands'
  | 'too-many-bytes'
  | 'artifact-already-in-transaction';

/** Group transactions and their commands. */
export interface TransactionStore {
  open(transaction: Pick<TransactionRecord, 'id' | 'owner' | 'createdAt' | 'expiresAt'>): Promise<void>;
  get(id: string): Promise<TransactionRecord | null>;
  commands(id: string): Promise<TransactionCommand[]>;
  /** Append at the end, atomically within the limits, while the transaction is open and unexpired. */
  append(id: string, command: TransactionCommand, limits: AppendLimits): Promise<AppendOutcome>;
  /**
   * Close an open transaction with its result and drop its commands (their packages are then named
   * by artifacts or released); false when it was no longer open.
   */
  finish(
    id: string,
    state: 'executed' | 'failed',
    result: TransactionResult,
    expiresAt: Date,
  ): Promise<boolean>;
  /** Forget up to `limit` transactions expired at `now`; returns the package digests their commands named. */
  expire(now: Date, limit: number): Promise<string[]>;
  /** Every package staged by an open transaction. */
  stagedPackages(): Promise<StagedPackage[]>;
}

type Guard = <T>(operation: () => Promise<T>, conflictMessage?: string) => Promise<T>;
type InTransaction = <T>(work: (db: Kysely<Database>) => Promise<T>) => Promise<T>;

export class KyselyTransactionStore implements TransactionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly guard: Guard,
    private readonly inTransaction: InTransaction,
  ) {}

  open(transaction: Pick<TransactionRecord, 'id' | 'owner' | 'createdAt' | 'expiresAt'>): Promise<void> {
    return this.guard(async () => {
      await this.db
        .insertInto('transactions')
        .values({
          id: transaction.id,
          owner: transaction.owner,
          state: 'open',
          created_at: transaction.createdAt.getTime(),
          expires_at: transaction.expiresAt.getTime(),
          command_count: 0,
          staged_bytes: 0,
          result: null,
        })
        .execute();
    });
  }

  get(id: string): Promise<TransactionRecord | null> {
    return this.guard(async () => {
      const row = await this.db
        .selectFrom('transactions')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? rowToTransaction(row) : null;
    });
  }

  commands(id: string): Promise<TransactionCommand[]> {
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('transaction_commands')
        .selectAll()
        .where('transaction_id', '=', id)
        .orderBy('position')
        .execute();
      return rows.map(rowToCommand);
    });
  }

  append(id: string, command: TransactionCommand, limits: AppendLimits): Promise<AppendOutcome> {
    const size = command.record?.packageSize ?? 0;
    return this.guard(
      () =>
        this.inTransaction(async (db) => {
          const duplicate = await db
            .selectFrom('transaction_commands')
            .select('position')
            .where('transaction_id', '=', id)
            .where('artifact_id', '=', command.artifact.id)
            .executeTakeFirst();
          if (duplicate) return 'artifact-already-in-transaction';
          // One conditional update claims the next position within the limits, so concurrent
          // appends to one transaction (from any instance) can never exceed them.
          const claimed = await db
            .updateTable('transactions')
            .set((eb) => ({
              command_count: eb('command_count', '+', 1),
              staged_bytes: eb('staged_bytes', '+', size),
              expires_at: limits.expiresAt.getTime(),
            }))
            .where('id', '=', id)
            .where('state', '=', 'open')
            .where('expires_at', '>', limits.now.getTime())
            .where('command_count', '<', limits.maxCommands)
            .where((eb) => eb(eb('staged_bytes', '+', size), '<=', limits.maxStagedBytes))
            .returning('command_count')
            .executeTakeFirst();
          if (!claimed) return this.whyNotAppended(db, id, limits);
          await db
            .insertInto('transaction_commands')
            .values(commandToRow(id, Number(claimed.command_count) - 1, command))
            .execute();
          return 'appended';
        }),
      `artifact ${command.artifact.id} already has a command in this transaction`,
    );
  }

  private async whyNotAppended(
    db: Kysely<Database>,
    id: string,
    limits: AppendLimits,
  ): Promise<AppendOutcome> {
    const row = await db.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || Number(row.expires_at) <= limits.now.getTime()) return 'not-found';
    if (row.state !== 'open') return 'not-open';
    return Number(row.command_count) >= limits.maxCommands ? 'too-many-commands' : 'too-many-bytes';
  }

  finish(
    id: string,
    state: 'executed' | 'failed',
    result: TransactionResult,
    expiresAt: Date,
  ): Promise<boolean> {
    return this.guard(() =>
      this.inTransaction(async (db) => {
        const updated = await db
          .updateTable('transactions')
          .set({ state, result: JSON.stringify(result), expires_at: expiresAt.getTime() })
          .where('id', '=', id)
          .where('state', '=', 'open')
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return false;
        await db.deleteFrom('transaction_commands').where('transaction_id', '=', id).execute();
        return true;
      }),
    );
  }

  expire(now: Date, limit: number): Promise<string[]> {
    return this.guard(async () => {
      const expired = await this.db
        .selectFrom('transactions')
        .select('id')
        .where('expires_at', '<=', now.getTime())
        .orderBy('expires_at')
        .limit(limit)
        .execute();
      const digests = new Set<string>();
      for (const { id } of expired) {
        await this.inTransaction(async (db) => {
          const staged = await db
            .deleteFrom('transaction_commands')
            .where('transaction_id', '=', id)
            .returning('package_digest')
            .execute();
          for (const row of staged) if (row.package_digest !== null) digests.add(row.package_digest);
          // Only if still expired: an append may have extended it meanwhile (its commands then stay).
          await db
            .deleteFrom('transactions')
            .where('id', '=', id)
            .where('expires_at', '<=', now.getTime())
            .execute();
        });
      }
      return [...digests];
    });
  }

  stagedPackages(): Promise<StagedPackage[]> {
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('transaction_commands')
        .selectAll()
        .where('package_digest', 'is not', null)
        .execute();
      return rows.map((row) => ({
        transactionId: row.transaction_id,
        artifact: summaryOf(row),
        packageDigest: row.package_digest ?? '',
        packageSize: Number(row.package_size),
      }));
    });
  }
}

function rowToTransaction(row: TransactionsTable): TransactionRecord {
  return {
    id: row.id,
    owner: row.owner,
    state: row.state as TransactionState,
    createdAt: new Date(Number(row.created_at)),
    expiresAt: new Date(Number(row.expires_at)),
    commandCount: Number(row.command_count),
    stagedBytes: Number(row.staged_bytes),
    result: row.result === null ? null : (JSON.parse(row.result) as TransactionResult),
  };
}

function commandToRow(
  transactionId: string,
  position: number,
  command: TransactionCommand,
): TransactionCommandsTable {
  return {
    transaction_id: transactionId,
    position,
    op: command.op,
    artifact_id: command.artifact.id,
    artifact_type: command.artifact.type,
    artifact_name: command.artifact.name,
    expected_updated_at: command.expectedUpdatedAt?.getTime() ?? null,
    package_digest: command.record?.packageDigest ?? null,
    package_size: command.record?.packageSize ?? null,
    body: JSON.stringify({
      record: command.record ? { ...artifactToRow(command.record), seq: 0 } : null,
      rating: command.rating ?? null,
    }),
  };
}

function rowToCommand(row: TransactionCommandsTable): TransactionCommand {
  const body = JSON.parse(row.body) as {
    record: Parameters<typeof rowToArtifact>[0] | null;
    rating: unknown;
  };
  return {
    op: row.op as CommandOp,
    artifact: summaryOf(row),
    expectedUpdatedAt: row.expected_updated_at === null ? null : new Date(Number(row.expected_updated_at)),
    record: body.record ? rowToArtifact(body.record) : null,
    rating: body.rating,
  };
}

function summaryOf(row: TransactionCommandsTable): ArtifactSummary {
  return { id: row.artifact_id, type: row.artifact_type as ArtifactType, name: row.artifact_name };
}
