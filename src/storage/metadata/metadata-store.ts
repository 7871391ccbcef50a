import type { ArtifactRecord, ArtifactSummary, ArtifactType, AuditEntry } from '../../domain/artifact.js';
import type { SecurityEvent } from '../../domain/security-event.js';
import type { TextQuery } from '../../search/required-text.js';
import type { MonitorStore } from './monitor-store.js';
import type { PopularityStore } from './popularity-store.js';
import type { TransactionStore } from './transaction-store.js';
import type { WorkloadStore } from './workload-store.js';

/** A version constraint already translated to comparisons on (major, minor, patch). */
export interface VersionComparator {
  op: '<' | '<=' | '>' | '>=' | '=';
  major: number;
  minor: number;
  patch: number;
}

/** Versions satisfying every comparator of at least one set (semver's OR of ANDs). */
export interface VersionFilter {
  anyOf: VersionComparator[][];
  /** Exact queries may match a prerelease; ranges never do (npm semantics). */
  includePrerelease: boolean;
}

export interface ArtifactQuerySpec {
  /** Exact name, or '*' for all. */
  name: string;
  types?: ArtifactType[];
  version?: VersionFilter;
}

export interface PageRequest {
  /** Opaque cursor from a previous page; undefined for the first page. */
  after?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Cursor for the next page, or null when this is the last. */
  next: string | null;
}

export interface UserRecord {
  name: string;
  passwordHash: string;
  isAdmin: boolean;
  canUpload: boolean;
  canSearch: boolean;
  canDownload: boolean;
  createdAt: Date;
}

/** Fields of a user that can change after it is created. */
export type UserChanges = Partial<
  Pick<UserRecord, 'passwordHash' | 'isAdmin' | 'canUpload' | 'canSearch' | 'canDownload'>
>;

/** A user's run of failed sign-ins, for the per-account back-off. */
export interface SignInFailures {
  failures: number;
  lastFailureAt: Date;
}

export interface TokenRecord {
  id: string;
  userName: string;
  expiresAt: Date;
  maxUses: number;
}

/** A model's computed rating, kept so `/rate` reuses it until what it was computed from changes. */
export interface StoredRating {
  /** The rating as the API answers it. */
  body: Record<string, unknown>;
  /** Fingerprint of the inputs (artifact version, parents' scores); a different one means stale. */
  inputs: string;
  /** The scoring code and settings it was computed under (src/rating/scoring-version.ts); another means stale. */
  scoringVersion: string;
  computedAt: Date;
}

/** An upstream API answer kept with its ETag, so asking again costs only a revalidation. */
export interface UpstreamAnswer {
  /** The request it answers (URL, Accept, and who asked). */
  key: string;
  etag: string;
  status: number;
  headers: [string, string][];
  body: string;
  usedAt: Date;
}

/**
 * How a write of an artifact commits: with its audit entry, and only if no reset started since
 * the write did (`startedIn`, from `writeGeneration`). Otherwise it throws ConflictError and
 * nothing is written.
 */
export interface FencedWrite {
  startedIn: number;
  audit: AuditEntry;
}

/** Which package an artifact names, as the consistency check reads it. */
export interface PackageReference extends ArtifactSummary {
  packageDigest: string;
  packageSize: number;
}

export interface SearchCandidate extends ArtifactSummary {
  readme: string | null;
}

/**
 * Everything the registry remembers except package bytes. Adapters: SQLite (embedded) and
 * PostgreSQL (scale-out), both built on Kysely and both held to the conformance suite in
 * test/storage/metadata-store.conformance.ts.
 */
export interface MetadataStore {
  readonly kind: string;
  /** Download, search and view counters and the recent access log (package-confusion audit). */
  readonly popularity: PopularityStore;
  /** Group transactions (`/transactions`) and their staged commands. */
  readonly transactions: TransactionStore;
  /** Sensitive models' monitor programs and their download history. */
  readonly monitors: MonitorStore;
  /** Runs of the performance workload (`/performance/workloads`), kept across resets for comparison. */
  readonly workloads: WorkloadStore;
  /** Create tables / run pending migrations. Safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  ping(): Promise<void>;

  /** Insert the artifact; with `fenced`, together with its audit entry and only in its generation. */
  insertArtifact(record: ArtifactRecord, fenced?: FencedWrite): Promise<void>;
  getArtifact(id: string): Promise<ArtifactRecord | null>;
  /**
   * Replace the artifact's content. `expectedUpdatedAt` guards against lost updates: when
   * another writer changed the row first, nothing is written and false is returned.
   */
  replaceArtifact(record: ArtifactRecord, expectedUpdatedAt: Date, fenced?: FencedWrite): Promise<boolean>;
  /**
   * Delete the artifact and return it, or null when it did not exist (or, with
   * `expectedUpdatedAt`, was changed since: a concurrent writer's change is never deleted unseen).
   */
  deleteArtifact(id: string, expectedUpdatedAt?: Date): Promise<ArtifactRecord | null>;
  /**
   * How many rows name this package digest: artifacts and commands of open transactions that
   * staged it (blob garbage collection).
   */
  countByDigest(digest: string): Promise<number>;
  /**
   * Run `work` holding an exclusive lock on a package digest, shared by every instance on this
   * store: "check the blob exists, then write a row naming it" and "count the rows naming it,
   * then delete the blob" must not interleave, or a row could end up without its bytes. `work`
   * must make its reads and writes through the store it is given (the lock's own transaction).
   */
  withDigestLock<T>(digest: string, work: (locked: MetadataStore) => Promise<T>): Promise<T>;
  /**
   * Run `work` in one database transaction holding the lock of every digest and the reset
   * generation `startedIn` (ResetConflictError otherwise): a group of writes that commits together
   * or not at all. `work` must make its reads and writes through the store it is given.
   */
  withGroupLock<T>(
    digests: string[],
    startedIn: number,
    work: (locked: MetadataStore) => Promise<T>,
  ): Promise<T>;

  /** Union of the queries, in registry order, one bounded page at a time (keyset pagination). */
  queryArtifacts(queries: ArtifactQuerySpec[], page: PageRequest): Promise<Page<ArtifactSummary>>;
  /** Artifacts with exactly this name; at most `limit` rows. */
  findByName(name: string, limit: number): Promise<ArtifactSummary[]>;
  /** Every artifact's package digest and size in registry order, one batch at a time (fsck). */
  scanPackageReferences(page: PageRequest): Promise<Page<PackageReference>>;
  /**
   * Names and READMEs in registry order, one batch at a time, for regex search. With `required`,
   * only (a superset of) the artifacts whose name or README satisfies it, found through the
   * text index: every artifact that satisfies it is returned.
   */
  scanSearchCandidates(page: PageRequest, required?: TextQuery | null): Promise<Page<SearchCandidate>>;

  /** Store (replace) the artifact's rating; deleting the artifact deletes it. */
  putRating(artifactId: string, rating: StoredRating): Promise<void>;
  getRating(artifactId: string): Promise<StoredRating | null>;

  getUpstreamAnswer(key: string): Promise<UpstreamAnswer | null>;
  /**
   * Store (replace) an answer, then drop the least recently used ones until all kept answers
   * together take at most `maxTotalBytes`. Not part of the registry's content: a reset keeps it.
   */
  putUpstreamAnswer(answer: UpstreamAnswer, maxTotalBytes: number): Promise<void>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** One artifact's entries, newest first, one bounded page at a time (keyset pagination). */
  listAudit(artifactId: string, page: PageRequest): Promise<Page<AuditEntry>>;

  getUser(name: string): Promise<UserRecord | null>;
  /** Whether any administrator account exists. */
  hasAdmin(): Promise<boolean>;
  insertUser(user: UserRecord): Promise<void>;
  /** Users in name order, one bounded page at a time (the cursor is the last name). */
  listUsers(page: PageRequest): Promise<Page<UserRecord>>;
  /**
   * Change a user; false when there is no such user. Like `deleteUser`, refuses with LastAdminError
   * (and changes nothing) when the registry would be left without an administrator; concurrent
   * demotions and deletions are serialised so two admins cannot remove each other at once.
   */
  updateUser(name: string, changes: UserChanges): Promise<boolean>;
  /** Delete the user and revoke their tokens; false when there is no such user. */
  deleteUser(name: string): Promise<boolean>;
  /** Revoke every token of the user except `exceptTokenId`; returns how many were revoked. */
  revokeTokens(userName: string, exceptTokenId?: string): Promise<number>;

  /** The account's current run of failed sign-ins, or null when its last sign-in succeeded. */
  getSignInFailures(userName: string): Promise<SignInFailures | null>;
  /**
   * Count one more failed sign-in (atomically) and return the run. Runs whose last failure is older
   * than `forgetBefore` are forgotten first, so the table holds only recent attempts.
   */
  addSignInFailure(userName: string, now: Date, forgetBefore: Date): Promise<SignInFailures>;
  clearSignInFailures(userName: string): Promise<void>;

  appendSecurityEvent(event: SecurityEvent): Promise<void>;
  /** Newest first, one bounded page at a time; optionally only events about one subject. */
  listSecurityEvents(page: PageRequest, subject?: string): Promise<Page<SecurityEvent>>;

  insertToken(token: TokenRecord): Promise<void>;
  /**
   * Count one use of the token. Returns false when the token is unknown, expired, revoked or
   * used up; atomic so concurrent calls cannot exceed the budget.
   */
  consumeToken(id: string, now: Date): Promise<boolean>;

  /** A persistent setting (e.g. the token signing key), created by `create` on first use. */
  getOrCreateSetting(key: string, create: () => string): Promise<string>;

  /**
   * The reset generation a write of an artifact starts in (see FencedWrite); ConflictError while
   * a reset is running.
   */
  writeGeneration(): Promise<number>;
  /**
   * Run a reset holding a lock shared by every instance on this store, so resets never overlap.
   */
  withResetLock<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Reset, first step, in one transaction: move the generation on and mark a reset running (writes
   * that started before can no longer commit, new ones are refused), delete every artifact,
   * rating, audit entry, user and token, and make `admin` the only user. The admin's tokens are
   * kept: its open sessions stay valid. The security audit trail is kept too: a reset must not erase
   * who signed in and who did what.
   */
  beginReset(admin: UserRecord): Promise<void>;
  /** Reset, last step: move the generation on again and let writes start. */
  endReset(): Promise<void>;
}
