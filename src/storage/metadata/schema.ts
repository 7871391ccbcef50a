import type { Generated, GeneratedAlways } from 'kysely';

/**
 * The tables as Kysely sees them. Portable column types only: flags are 0/1 integers and
 * timestamps are epoch milliseconds, so SQLite and PostgreSQL read back identical values.
 */
export interface Database {
  artifacts: ArtifactsTable;
  audit_log: AuditLogTable;
  users: UsersTable;
  tokens: TokensTable;
  settings: SettingsTable;
  ratings: RatingsTable;
  upstream_answers: UpstreamAnswersTable;
  registry_state: RegistryStateTable;
  sign_in_failures: SignInFailuresTable;
  security_events: SecurityEventsTable;
  popularity: PopularityTable;
  downloaders: DownloadersTable;
  access_events: AccessEventsTable;
  transactions: TransactionsTable;
  transaction_commands: TransactionCommandsTable;
  monitor_programs: MonitorProgramsTable;
  sensitive_downloads: SensitiveDownloadsTable;
  performance_workloads: PerformanceWorkloadsTable;
}

/** 0 or 1. */
export type Flag = number;

export interface ArtifactsTable {
  /** Registry order; the keyset pagination cursor. */
  seq: GeneratedAlways<number>;
  id: string;
  type: string;
  name: string;
  source_url: string;
  version_text: string | null;
  version_major: number | null;
  version_minor: number | null;
  version_patch: number | null;
  version_prerelease: Flag | null;
  package_digest: string;
  package_size: number;
  /** PackageFacts as JSON, without the readme (kept in its own column). */
  facts: string;
  readme: string | null;
  source_metadata: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface AuditLogTable {
  id: GeneratedAlways<number>;
  artifact_id: string;
  artifact_name: string;
  artifact_type: string;
  user_name: string;
  user_is_admin: Flag;
  action: string;
  date: number;
}

export interface UsersTable {
  name: string;
  password_hash: string;
  is_admin: Flag;
  can_upload: Flag;
  can_search: Flag;
  can_download: Flag;
  created_at: number;
}

export interface TokensTable {
  id: string;
  user_name: string;
  expires_at: number;
  max_uses: number;
  uses: Generated<number>;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface RatingsTable {
  artifact_id: string;
  /** The rating as JSON. */
  body: string;
  inputs: string;
  scoring_version: string;
  computed_at: number;
}

export interface UpstreamAnswersTable {
  key: string;
  etag: string;
  status: number;
  /** The answer's headers as a JSON array of [name, value]. */
  headers: string;
  body: string;
  /** Bytes of the key, headers and body together: what the cache's bound counts. */
  size: number;
  used_at: number;
}

/** A single row (id 1): the reset generation, and whether a reset is running. */
export interface RegistryStateTable {
  id: number;
  generation: number;
  resetting: Flag;
}

/** Consecutive failed sign-ins of one account name, for its back-off. */
export interface SignInFailuresTable {
  user_name: string;
  failures: number;
  last_failure_at: number;
}

export interface SecurityEventsTable {
  id: GeneratedAlways<number>;
  date: number;
  action: string;
  outcome: string;
  actor: string | null;
  subject: string | null;
  address: string | null;
  detail: string | null;
}

/** Per-artifact counters, kept since the popularity migration (package-confusion audit). */
export interface PopularityTable {
  artifact_id: string;
  downloads: Generated<number>;
  downloaders: Generated<number>;
  search_hits: Generated<number>;
  views: Generated<number>;
}

/** Who has downloaded an artifact at least once: the distinct-downloaders counter's set. */
export interface DownloadersTable {
  artifact_id: string;
  user_name: string;
}

/** Recent accesses (download, search hit, metadata view) with account and client address. */
export interface AccessEventsTable {
  id: GeneratedAlways<number>;
  artifact_id: string;
  kind: string;
  user_name: string;
  client: string;
  at: number;
}

/** A group transaction: open until executed (or failed), forgotten once expires_at passes. */
export interface TransactionsTable {
  id: string;
  owner: string;
  state: string;
  created_at: number;
  expires_at: number;
  command_count: number;
  staged_bytes: number;
  /** The execute answer (status and body) as JSON, once there is one. */
  result: string | null;
}

/** One appended command; a command staging a package names its blob until executed or expired. */
export interface TransactionCommandsTable {
  transaction_id: string;
  position: number;
  op: string;
  artifact_id: string;
  artifact_type: string;
  artifact_name: string;
  expected_updated_at: number | null;
  package_digest: string | null;
  package_size: number | null;
  /** The prepared artifact record (and the admitting rating) as JSON. */
  body: string;
}

/** A sensitive model's monitor program (small text, kept with the row it guards). */
export interface MonitorProgramsTable {
  artifact_id: string;
  source: string;
  sha256: string;
  size: number;
  uploaded_by: string;
  uploaded_at: number;
}

/** Every request for a sensitive model's bytes, with the monitor's verdict. */
export interface SensitiveDownloadsTable {
  id: GeneratedAlways<number>;
  artifact_id: string;
  user_name: string;
  at: number;
  allowed: Flag;
  exit_code: number | null;
  reason: string;
  stdout: string;
  part: string;
  duration_ms: number;
  reused: Flag;
}

/** Runs of the performance workload (src/domain/workload.ts); JSON columns as text. */
export interface PerformanceWorkloadsTable {
  /** Order of the runs, newest last. */
  seq: GeneratedAlways<number>;
  id: string;
  status: string;
  started_by: string;
  clients: number;
  models: number;
  model_size_mb: number;
  completed: number;
  total: number;
  started_at: number;
  finished_at: number | null;
  updated_at: number;
  components: string;
  results: string | null;
  error: string | null;
}
