import { randomUUID } from 'node:crypto';
import type { TransactionLimits } from '../config.js';
import type { ArtifactRecord, ArtifactSummary, ArtifactType } from '../domain/artifact.js';
import {
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionError,
  RegistryError,
} from '../domain/errors.js';
import type { ExplainedRating } from '../rating/pipeline.js';
import type { Actor } from '../security/permissions.js';
import type { MetadataStore } from '../storage/metadata/metadata-store.js';
import type {
  AppendOutcome,
  CommandOp,
  TransactionCommand,
  TransactionRecord,
  TransactionResult,
} from '../storage/metadata/transaction-store.js';
import type { ArtifactService, GroupWrite, PreparedWrite, UploadRequest } from './artifact-service.js';

/** A command as a client appends it (an upload comes with its zip instead). */
export type CommandRequest =
  | { op: 'create'; type: ArtifactType; url: string }
  | { op: 'update'; type: ArtifactType; id: string; url: string }
  | { op: 'delete'; type: ArtifactType; id: string };

export interface TransactionView {
  id: string;
  owner: string;
  state: TransactionRecord['state'];
  created_at: string;
  expires_at: string;
  staged_bytes: number;
  /** The commands of an open transaction, in order (an executed one lists them in its result). */
  commands: { position: number; op: CommandOp; artifact: ArtifactSummary }[];
  /** The execute answer, once executed (or refused with a conflict). */
  result: TransactionResult | null;
}

/** Expired transactions collected per request that opens, appends to or executes one. */
const SWEEP_BATCH = 20;

/** Thrown inside the group's database transaction when another execute already finished it. */
class AlreadyFinished extends Error {}

/**
 * Three-stage group transactions: open one, append commands (each package fetched, gated, checked
 * and stored as it is appended, so executing needs no network), execute them all or none. Staged
 * packages are named by their command rows until the transaction is executed or expires, so
 * releases and fsck leave them alone. Expired transactions are collected by the requests of any
 * instance, a few at a time, with no timer to run.
 */
export class TransactionService {
  constructor(
    private readonly store: MetadataStore,
    private readonly artifacts: ArtifactService,
    private readonly limits: TransactionLimits,
  ) {}

  async open(actor: Actor): Promise<TransactionView> {
    await this.sweep();
    const now = new Date();
    const id = randomUUID();
    await this.store.transactions.open({
      id,
      owner: actor.name,
      createdAt: now,
      expiresAt: this.expiry(now),
    });
    return this.view(id, actor);
  }

  /** The transaction, to its owner or an administrator (anyone else is told it does not exist). */
  async view(id: string, actor: Actor): Promise<TransactionView> {
    const transaction = await this.find(id, actor);
    const commands = transaction.state === 'open' ? await this.store.transactions.commands(id) : [];
    return {
      id: transaction.id,
      owner: transaction.owner,
      state: transaction.state,
      created_at: transaction.createdAt.toISOString(),
      expires_at: transaction.expiresAt.toISOString(),
      staged_bytes: transaction.stagedBytes,
      commands: commands.map((command, position) => ({
        position,
        op: command.op,
        artifact: command.artifact,
      })),
      result: transaction.result,
    };
  }

  /** Append a create from a URL, an update or a delete; the package (if any) is stored now. */
  async append(id: string, request: CommandRequest, actor: Actor): Promise<TransactionView> {
    await this.sweep();
    await this.appendable(id, actor, 'id' in request ? request.id : null);
    const startedIn = await this.store.writeGeneration();
    if (request.op === 'delete') {
      const current = await this.artifacts.get(request.type, request.id);
      const command: TransactionCommand = {
        op: 'delete',
        artifact: { id: current.id, type: current.type, name: current.name },
        expectedUpdatedAt: current.updatedAt,
        record: null,
        rating: null,
      };
      await this.appendCommand(this.store, id, command);
      return this.view(id, actor);
    }
    const prepared =
      request.op === 'create'
        ? await this.artifacts.prepareCreate(request.type, request.url, actor)
        : await this.artifacts.prepareUpdate(
            request.type,
            request.id,
            await this.nameOf(request),
            request.url,
            actor,
          );
    return this.stage(id, request.op, prepared, startedIn, actor);
  }

  /** Append an upload: the zip is received, checked and stored now. */
  async appendUpload(
    id: string,
    type: ArtifactType,
    upload: UploadRequest,
    actor: Actor,
  ): Promise<TransactionView> {
    await this.sweep();
    await this.appendable(id, actor, null);
    const startedIn = await this.store.writeGeneration();
    const prepared = await this.artifacts.prepareUpload(type, upload, actor);
    return this.stage(id, 'create', prepared, startedIn, actor);
  }

  /**
   * Apply every command in one database transaction, or none: 200 with the artifacts written, or
   * 409 when an artifact an update or delete names changed since it was appended. Either answer is
   * kept: executing again returns it. A failure that may pass (a component unavailable) keeps the
   * transaction open.
   */
  async execute(
    id: string,
    actor: Actor,
    render: (record: ArtifactRecord) => unknown,
  ): Promise<TransactionResult> {
    await this.sweep();
    const transaction = await this.owned(id, actor);
    if (transaction.result) return transaction.result;
    const commands = await this.store.transactions.commands(id);
    const startedIn = await this.store.writeGeneration();
    const now = new Date();
    const writes = commands.map((command) => groupWrite(command, now));
    const result: TransactionResult = {
      status: 200,
      body: {
        id,
        state: 'executed',
        results: writes.map((write) =>
          write.op === 'delete'
            ? { op: 'delete', metadata: write.artifact }
            : { op: write.op, ...(render(write.record) as object) },
        ),
      },
    };
    try {
      await this.artifacts.applyGroup(writes, actor, startedIn, async (store) => {
        if (!(await store.transactions.finish(id, 'executed', result, this.expiry(now))))
          throw new AlreadyFinished();
      });
      return result;
    } catch (error) {
      if (error instanceof AlreadyFinished) return this.storedResult(id, actor);
      if (!(error instanceof ConflictError)) throw error;
      const refused: TransactionResult = {
        status: 409,
        body: { error: error.code, message: `Nothing was applied: ${error.message}` },
      };
      if (!(await this.store.transactions.finish(id, 'failed', refused, this.expiry(now)))) {
        return this.storedResult(id, actor);
      }
      await this.releaseStaged(commands);
      return refused;
    }
  }

  private async stage(
    id: string,
    op: 'create' | 'update',
    prepared: PreparedWrite,
    startedIn: number,
    actor: Actor,
  ): Promise<TransactionView> {
    const { record, current } = prepared;
    const command: TransactionCommand = {
      op,
      artifact: { id: record.id, type: record.type, name: record.name },
      expectedUpdatedAt: current?.updatedAt ?? null,
      record,
      rating: prepared.admitted,
    };
    await this.artifacts.stage(prepared, startedIn, (store) => this.appendCommand(store, id, command));
    return this.view(id, actor);
  }

  private async appendCommand(store: MetadataStore, id: string, command: TransactionCommand): Promise<void> {
    const now = new Date();
    const outcome = await store.transactions.append(id, command, {
      now,
      expiresAt: this.expiry(now),
      maxCommands: this.limits.maxCommands,
      maxStagedBytes: this.limits.maxStagedBytes,
    });
    if (outcome !== 'appended') throw this.refusal(id, outcome, command.artifact);
  }

  private refusal(
    id: string,
    outcome: Exclude<AppendOutcome, 'appended'>,
    artifact?: ArtifactSummary,
  ): Error {
    switch (outcome) {
      case 'not-found':
        return notFound(id);
      case 'not-open':
        return new ConflictError(`Transaction ${id} was already executed; open a new one.`);
      case 'too-many-commands':
        return new PayloadTooLargeError(
          `A transaction holds at most ${this.limits.maxCommands} commands (TRANSACTION_MAX_COMMANDS).`,
        );
      case 'too-many-bytes':
        return new PayloadTooLargeError(
          `A transaction stages at most ${this.limits.maxStagedBytes} bytes of packages (TRANSACTION_MAX_STAGED_BYTES).`,
        );
      case 'artifact-already-in-transaction':
        return new ConflictError(
          `${artifact ? `${artifact.type} ${artifact.id}` : 'The artifact'} already has a command in transaction ${id}.`,
        );
    }
  }

  /**
   * Checked before any package is fetched or received: the caller owns the transaction, it is open
   * and below its command limit, and the artifact has no command in it yet. `append` checks all of
   * this again atomically.
   */
  private async appendable(id: string, actor: Actor, artifactId: string | null): Promise<void> {
    const transaction = await this.owned(id, actor);
    if (transaction.state !== 'open') throw this.refusal(id, 'not-open');
    if (transaction.commandCount >= this.limits.maxCommands) throw this.refusal(id, 'too-many-commands');
    if (artifactId === null) return;
    const existing = (await this.store.transactions.commands(id)).find(
      (command) => command.artifact.id === artifactId,
    );
    if (existing) throw this.refusal(id, 'artifact-already-in-transaction', existing.artifact);
  }

  /** An update names the artifact's current name implicitly (the route's body does not repeat it). */
  private async nameOf(request: { type: ArtifactType; id: string }): Promise<string> {
    return (await this.artifacts.get(request.type, request.id)).name;
  }

  private async find(id: string, actor: Actor): Promise<TransactionRecord> {
    const transaction = await this.store.transactions.get(id);
    const visible =
      transaction !== null &&
      transaction.expiresAt.getTime() > Date.now() &&
      (transaction.owner === actor.name || actor.isAdmin);
    if (!visible) throw notFound(id);
    return transaction;
  }

  /** Only its owner changes a transaction; an administrator may look at it, nothing more. */
  private async owned(id: string, actor: Actor): Promise<TransactionRecord> {
    const transaction = await this.find(id, actor);
    if (transaction.owner !== actor.name) {
      throw new PermissionError(
        `Transaction ${id} belongs to ${transaction.owner}; only they can change it.`,
      );
    }
    return transaction;
  }

  private async storedResult(id: string, actor: Actor): Promise<TransactionResult> {
    const { result } = await this.find(id, actor);
    if (!result) throw new RegistryError(500, `transaction ${id} finished without a result`);
    return result;
  }

  /** The commands are gone (finished or expired): their packages go too unless something else names them. */
  private async releaseStaged(commands: TransactionCommand[]): Promise<void> {
    const digests = new Set(
      commands.flatMap((command) => (command.record ? [command.record.packageDigest] : [])),
    );
    for (const digest of digests) await this.artifacts.releasePackage(digest);
  }

  /** Forget a few expired transactions and collect the packages only they staged. */
  private async sweep(): Promise<void> {
    const digests = await this.store.transactions.expire(new Date(), SWEEP_BATCH);
    for (const digest of digests) await this.artifacts.releasePackage(digest);
  }

  private expiry(from: Date): Date {
    return new Date(from.getTime() + this.limits.ttlSeconds * 1000);
  }
}

/** What executing a command writes; created and updated rows carry the execution time. */
function groupWrite(command: TransactionCommand, now: Date): GroupWrite {
  if (command.op === 'delete' || !command.record) {
    return { op: 'delete', artifact: command.artifact, expectedUpdatedAt: command.expectedUpdatedAt ?? now };
  }
  const admitted = (command.rating ?? null) as ExplainedRating | null;
  if (command.op === 'create') {
    return { op: 'create', record: { ...command.record, createdAt: now, updatedAt: now }, admitted };
  }
  return {
    op: 'update',
    record: { ...command.record, updatedAt: now },
    expectedUpdatedAt: command.expectedUpdatedAt ?? now,
    admitted,
  };
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`No open or recent transaction with id ${id}.`);
}
