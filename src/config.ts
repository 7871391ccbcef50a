import { resolve } from 'node:path';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { FormatRegistry } from '@sinclair/typebox/type';
import { Value } from '@sinclair/typebox/value';
import { GATED_METRICS } from './rating/gate.js';
import { DEVICES } from './rating/metric.js';

/**
 * The only module that reads the environment (twelve-factor). `CONFIG_SCHEMA` is the one
 * definition of every setting: its variable, type, bounds, default and meaning. `loadConfig`
 * validates the environment against it and fails fast with one message listing each problem, so
 * a misconfigured deployment never starts half-right; `npm run docs:config` writes README.md's
 * configuration table from it, and a test keeps the two in agreement.
 *
 * To add a setting, add one leaf below (helpers `text`, `integer`, ...); its place in the schema
 * is its place in `Config`.
 */

/** Schema keywords this module adds to each leaf (TypeBox keeps unknown keywords). */
export interface SettingDoc {
  /** The environment variable. */
  env: string;
  /** Read when `env` is unset. */
  alias?: string;
  /** What the table shows as the default, when the value itself does not say it well. */
  shown?: string;
  /** What a valid value looks like, for the error message. */
  expected?: string;
  description: string;
}

FormatRegistry.Set('http-url', (value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
});

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

const text = (fallback: string, doc: SettingDoc, options: object = {}) =>
  Type.String({ ...options, ...doc, default: fallback });
const optionalText = (doc: SettingDoc, options: object = {}) =>
  Type.Union([Type.String(options), Type.Null()], { shown: 'unset', ...doc, default: null });
const url = (fallback: string, doc: SettingDoc) =>
  Type.String({ format: 'http-url', expected: 'an http(s) URL', ...doc, default: fallback });
const optionalUrl = (doc: SettingDoc) =>
  Type.Union([Type.String({ format: 'http-url' }), Type.Null()], {
    shown: 'unset',
    expected: 'an http(s) URL',
    ...doc,
    default: null,
  });
const integer = (fallback: number, bounds: { minimum: number; maximum?: number }, doc: SettingDoc) =>
  Type.Integer({ maximum: Number.MAX_SAFE_INTEGER, ...bounds, ...doc, default: fallback });
const flag = (fallback: boolean, doc: SettingDoc) => Type.Boolean({ ...doc, default: fallback });
const literals = <const T extends readonly string[]>(values: T, options: object = {}) =>
  Type.Union(
    values.map((value) => Type.Literal(value as T[number])),
    options,
  );
const choice = <const T extends readonly string[]>(values: T, fallback: T[number], doc: SettingDoc) =>
  literals(values, { ...doc, default: fallback });
/** A comma-separated list of names from `values`. */
const names = <const T extends readonly string[]>(values: T, fallback: T[number][], doc: SettingDoc) =>
  Type.Array(literals(values), {
    ...doc,
    default: fallback,
    shown: fallback.length > 0 ? `\`${fallback.join(',')}\`` : 'none',
    expected: `a comma-separated list of ${values.join(', ')}`,
  });
/** `name:score,...` pairs: names from `values`, scores between 0 and 1. */
const scores = <const T extends readonly string[]>(values: T, doc: SettingDoc) =>
  Type.Partial(Type.Record(literals(values), Type.Number({ minimum: 0, maximum: 1 })), {
    additionalProperties: false,
    ...doc,
    default: {},
    shown: 'none',
    expected: `name:score pairs separated by commas (names: ${values.join(', ')}; scores 0 to 1)`,
  });

export const CONFIG_SCHEMA = Type.Object({
  host: text('0.0.0.0', { env: 'HOST', description: 'address the API and docs listen on' }),
  port: integer(
    3000,
    { minimum: 0, maximum: 65535 },
    { env: 'PORT', description: 'port the API and docs listen on' },
  ),
  workers: integer(
    1,
    { minimum: 1, maximum: 64 },
    { env: 'WORKERS', description: 'processes serving the port (node:cluster); more uses more cores' },
  ),
  /** Timeouts of the HTTP server while it receives a request (not while it answers). */
  http: Type.Object({
    headersTimeoutMs: integer(
      30_000,
      { minimum: 1 },
      {
        env: 'HTTP_HEADERS_TIMEOUT_MS',
        description:
          'time a client has to send the complete request headers; then 408 and the connection closes',
      },
    ),
    bodyIdleTimeoutMs: integer(
      30_000,
      { minimum: 0 },
      {
        env: 'HTTP_BODY_IDLE_TIMEOUT_MS',
        shown: '`30000` (0: off)',
        description:
          'longest pause between two pieces of a request body (an upload that keeps sending, however slowly, is not cut); then 408 and the connection closes',
      },
    ),
    requestTimeoutMs: integer(
      6 * 3600_000,
      { minimum: 0 },
      {
        env: 'HTTP_REQUEST_TIMEOUT_MS',
        shown: '`21600000` (6 h; 0: off)',
        description:
          'time a client has to send a whole request, body included (6 h lets a 20 GiB upload arrive at 1 MB/s); then 408',
      },
    ),
  }),
  logLevel: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info', {
    env: 'LOG_LEVEL',
    description: 'pino level (logs are JSON on stdout)',
  }),
  publicUrl: optionalUrl({
    env: 'PUBLIC_URL',
    shown: 'from the request',
    description: 'base of `download_url` links, e.g. behind a proxy',
  }),
  accelRedirectPrefix: optionalText(
    {
      env: 'ACCEL_REDIRECT_PREFIX',
      expected: 'a URI path starting and ending with "/", e.g. /_blobs/',
      description:
        'behind nginx: full downloads are authorised and audited here, then sent by nginx from this `internal` location aliasing `DATA_DIR/blobs` (see Deploying)',
    },
    { pattern: '^/[\\w./-]*/$' },
  ),
  dataDir: text('./data', {
    env: 'DATA_DIR',
    description: 'embedded database (`registry.db`), blobs and scratch files',
  }),
  databaseUrl: optionalText(
    {
      env: 'DATABASE_URL',
      shown: 'unset: SQLite',
      expected: 'a postgres:// or postgresql:// URL',
      description: '`postgres://...` selects PostgreSQL',
    },
    { pattern: '^postgres(ql)?://' },
  ),
  database: Type.Object({
    schema: optionalText(
      {
        env: 'DATABASE_SCHEMA',
        shown: 'first on search_path',
        expected: 'a lowercase SQL identifier (letters, digits, underscores)',
        description: 'PostgreSQL schema for the tables (created if missing)',
      },
      { pattern: '^[a-z_][a-z0-9_]{0,62}$' },
    ),
    poolSize: integer(
      10,
      { minimum: 1, maximum: 1000 },
      {
        env: 'DATABASE_POOL_SIZE',
        description: 'PostgreSQL connections per instance (keep small on Lambda: one request per instance)',
      },
    ),
    connectTimeoutMs: integer(
      5_000,
      { minimum: 1 },
      { env: 'DATABASE_CONNECT_TIMEOUT_MS', description: 'bound on connecting to the database (503 beyond)' },
    ),
    statementTimeoutMs: integer(
      30_000,
      { minimum: 1 },
      { env: 'DATABASE_STATEMENT_TIMEOUT_MS', description: 'bound on one database statement (503 beyond)' },
    ),
  }),
  /** Read only when S3_BUCKET is set (`Config.s3` is null otherwise). */
  s3: Type.Object({
    bucket: text('', {
      env: 'S3_BUCKET',
      shown: 'unset: filesystem',
      description: 'selects the S3 blob store',
    }),
    prefix: text('', {
      env: 'S3_PREFIX',
      shown: 'empty',
      description: 'key prefix of the blobs in the bucket',
    }),
    region: text('us-east-1', { env: 'S3_REGION', alias: 'AWS_REGION', description: 'bucket region' }),
    endpoint: optionalUrl({
      env: 'S3_ENDPOINT',
      shown: 'AWS',
      description: 'endpoint of an S3-compatible server (MinIO, s3rver ...)',
    }),
    forcePathStyle: flag(false, {
      env: 'S3_FORCE_PATH_STYLE',
      description: 'path-style bucket addressing (most S3-compatible servers)',
    }),
    presignDownloads: flag(false, {
      env: 'S3_PRESIGN_DOWNLOADS',
      description: 'full downloads redirect to a 5-minute presigned URL',
    }),
    connectTimeoutMs: integer(
      3_000,
      { minimum: 1 },
      { env: 'S3_CONNECT_TIMEOUT_MS', description: 'bound on connecting to the object store (503 beyond)' },
    ),
    requestTimeoutMs: integer(
      30_000,
      { minimum: 1 },
      {
        env: 'S3_REQUEST_TIMEOUT_MS',
        description: 'socket inactivity bound per object-store request, not a bound on a whole transfer',
      },
    ),
  }),
  /** Group transactions (`/transactions`): open, append commands, execute all or nothing. */
  transactions: Type.Object({
    ttlSeconds: integer(
      3600,
      { minimum: 1 },
      {
        env: 'TRANSACTION_TTL_SECONDS',
        description:
          'a transaction untouched this long expires and its staged packages are collected; an executed one is remembered this long',
      },
    ),
    maxCommands: integer(
      100,
      { minimum: 1, maximum: 10_000 },
      { env: 'TRANSACTION_MAX_COMMANDS', description: 'commands in one transaction (413 beyond)' },
    ),
    maxStagedBytes: integer(
      50 * GIB,
      { minimum: 1 },
      {
        env: 'TRANSACTION_MAX_STAGED_BYTES',
        shown: '50 GiB',
        description: 'package bytes staged by one transaction (413 beyond)',
      },
    ),
  }),
  limits: Type.Object({
    maxPackageBytes: integer(
      20 * GIB,
      { minimum: 1 },
      { env: 'MAX_PACKAGE_BYTES', shown: '20 GiB', description: 'largest package accepted (413 beyond)' },
    ),
    maxJsonBodyBytes: integer(
      MIB,
      { minimum: 1024 },
      { env: 'MAX_JSON_BODY_BYTES', shown: '1 MiB', description: 'largest JSON request body (413 beyond)' },
    ),
    zipMaxEntries: integer(
      20_000,
      { minimum: 1 },
      { env: 'ZIP_MAX_ENTRIES', description: 'zip-bomb limit: entries' },
    ),
    zipMaxUncompressedBytes: integer(
      40 * GIB,
      { minimum: 1 },
      {
        env: 'ZIP_MAX_UNCOMPRESSED_BYTES',
        shown: '40 GiB',
        description: 'zip-bomb limit: bytes once unpacked',
      },
    ),
    zipMaxCompressionRatio: integer(
      200,
      { minimum: 1 },
      {
        env: 'ZIP_MAX_COMPRESSION_RATIO',
        description: 'zip-bomb limit: unpacked size over packed size of an entry',
      },
    ),
    pageSize: integer(
      100,
      { minimum: 1, maximum: 10_000 },
      { env: 'PAGE_SIZE', description: 'results per page of `POST /artifacts` and of an audit trail' },
    ),
    maxQueriesPerRequest: integer(
      50,
      { minimum: 1, maximum: 10_000 },
      { env: 'MAX_QUERIES_PER_REQUEST', description: 'queries in one `POST /artifacts` (413 beyond)' },
    ),
    maxSearchResults: integer(
      1000,
      { minimum: 1 },
      { env: 'MAX_SEARCH_RESULTS', description: 'results of byName / byRegEx (413 beyond)' },
    ),
    maxRegexLength: integer(
      1024,
      { minimum: 1 },
      { env: 'MAX_REGEX_LENGTH', description: 'longest search regex' },
    ),
    regexMaxProgramSize: integer(
      1000,
      { minimum: 10 },
      {
        env: 'REGEX_MAX_PROGRAM_SIZE',
        description:
          'largest compiled search regex, in RE2 instructions (bounds the matching cost per character); larger answers 400',
      },
    ),
    regexSearchTimeoutMs: integer(
      5000,
      { minimum: 1 },
      {
        env: 'REGEX_SEARCH_TIMEOUT_MS',
        description:
          'time budget of one regex search over the registry; the search (in a worker thread) is then stopped and answers 413',
      },
    ),
    readmeMaxChars: integer(
      100_000,
      { minimum: 0 },
      { env: 'README_MAX_CHARS', description: 'README characters kept for search' },
    ),
  }),
  auth: Type.Object({
    signInsPerMinute: integer(
      60,
      { minimum: 0 },
      { env: 'AUTH_RATE_LIMIT_PER_MINUTE', description: 'sign-ins per client address per minute (0: off)' },
    ),
    tokenTtlSeconds: integer(
      10 * 3600,
      { minimum: 1 },
      { env: 'TOKEN_TTL_SECONDS', description: 'lifetime of a token in seconds' },
    ),
    tokenMaxUses: integer(
      1000,
      { minimum: 1 },
      { env: 'TOKEN_MAX_USES', description: 'API calls one token may make' },
    ),
    passwordScryptLog2N: integer(
      17,
      { minimum: 10, maximum: 20 },
      {
        env: 'PASSWORD_SCRYPT_LOG2_N',
        description:
          'scrypt cost log2(N) of password hashes (OWASP: 17); weaker hashes are upgraded at the next sign-in. Only tests lower it',
      },
    ),
    jwtSecret: optionalText(
      {
        env: 'JWT_SECRET',
        shown: 'generated, kept in the database',
        expected: 'at least 32 characters',
        description: 'token signing key',
      },
      { minLength: 32 },
    ),
  }),
  /** Sensitive models' monitor programs (docs/security.md). */
  monitor: Type.Object({
    timeoutMs: integer(
      5_000,
      { minimum: 100, maximum: 300_000 },
      {
        env: 'MONITOR_TIMEOUT_MS',
        description: 'wall time a monitor program may run; beyond it the download is refused',
      },
    ),
    heapMb: integer(
      64,
      { minimum: 16, maximum: 4096 },
      { env: 'MONITOR_HEAP_MB', description: "a monitor program's V8 heap limit in MiB" },
    ),
    memoryMb: integer(
      512,
      { minimum: 128, maximum: 16_384 },
      {
        env: 'MONITOR_MEMORY_MB',
        description: "a monitor program's data-segment limit in MiB (`prlimit --data`: native memory too)",
      },
    ),
    outputBytes: integer(
      8192,
      { minimum: 256, maximum: 1_048_576 },
      {
        env: 'MONITOR_OUTPUT_BYTES',
        description: 'stdout kept from a monitor program (and shown in a refusal); printing more refuses',
      },
    ),
    programMaxBytes: integer(
      262_144,
      { minimum: 1024, maximum: 10_485_760 },
      { env: 'MONITOR_PROGRAM_MAX_BYTES', description: 'largest monitor program accepted' },
    ),
    verdictTtlSeconds: integer(
      60,
      { minimum: 0, maximum: 3600 },
      {
        env: 'MONITOR_VERDICT_TTL_SECONDS',
        description:
          'how long an allowing verdict also covers resumed (ranged) requests of the same user for the same part (0: every request runs the program)',
      },
    ),
  }),
  ingest: Type.Object({
    allowPrivateNetwork: flag(false, {
      env: 'INGEST_ALLOW_PRIVATE_NETWORK',
      description: 'allow source URLs on private/loopback addresses',
    }),
    fetchTimeoutMs: integer(
      30_000,
      { minimum: 1 },
      { env: 'INGEST_TIMEOUT_MS', description: 'bound on waiting for a source' },
    ),
    deadlineMs: integer(
      1_800_000,
      { minimum: 1 },
      {
        env: 'INGEST_DEADLINE_MS',
        description:
          'total time one ingest may take (metadata, rating, download); beyond it 504, nothing stored',
      },
    ),
    maxRedirects: integer(
      5,
      { minimum: 0, maximum: 20 },
      { env: 'INGEST_MAX_REDIRECTS', description: 'redirects followed when fetching a source' },
    ),
  }),
  sources: Type.Object({
    hfEndpoint: url('https://huggingface.co', {
      env: 'HF_ENDPOINT',
      description: 'Hugging Face Hub (same name as huggingface_hub)',
    }),
    hfToken: optionalText({ env: 'HF_TOKEN', shown: 'none', description: 'Hugging Face access token' }),
    githubApiUrl: url('https://api.github.com', { env: 'GITHUB_API_URL', description: 'GitHub REST API' }),
    githubToken: optionalText({ env: 'GITHUB_TOKEN', shown: 'none', description: 'GitHub access token' }),
  }),
  /** The ingest gate for public Hugging Face models (docs/metrics.md). */
  gate: Type.Object({
    enabled: flag(true, {
      env: 'GATE_ENABLED',
      description: 'rate public Hugging Face models before storing them; refuse (424) below the policy',
    }),
    threshold: Type.Number({
      minimum: 0,
      maximum: 1,
      env: 'GATE_THRESHOLD',
      expected: 'a number between 0 and 1',
      description: 'score every gated metric and net_score must reach',
      default: 0.5,
    }),
    thresholds: scores(GATED_METRICS, {
      env: 'GATE_THRESHOLDS',
      description:
        'per-metric thresholds replacing `GATE_THRESHOLD`, as `metric:score` pairs (e.g. `license:0.8,net_score:0.6`) of the metrics',
    }),
    reviewednessWhenAbsent: choice(['pass', 'fail', 'ignore'], 'pass', {
      env: 'GATE_REVIEWEDNESS_WHEN_ABSENT',
      description: 'reviewedness -1 (no repository) passes, fails or is not counted',
    }),
    sizeDevice: choice([...DEVICES, 'max', 'any'], 'max', {
      env: 'GATE_SIZE_DEVICE',
      description: 'which size_score counts: one device, `max` (the best device) or `any` (every device)',
    }),
    excluded: names(GATED_METRICS, ['reviewedness'], {
      env: 'GATE_EXCLUDE',
      description:
        'comma-separated metrics the gate does not look at (set but empty: none) among the metrics',
    }),
  }),
  /** Optional LLM assistance for the card-reading metrics (docs/metrics.md); off while endpoint is null. */
  llm: Type.Object({
    endpoint: optionalUrl({
      env: 'LLM_ENDPOINT',
      shown: 'unset: off',
      description:
        'OpenAI-compatible base URL (e.g. `https://api.openai.com/v1`) for optional LLM assistance of ramp_up_time and performance_claims ([docs/metrics.md](docs/metrics.md#llm-assistance-llm-optional))',
    }),
    apiKey: optionalText({ env: 'LLM_API_KEY', shown: 'none', description: 'bearer key for that endpoint' }),
    model: text('gpt-4o-mini', { env: 'LLM_MODEL', description: 'model asked at that endpoint' }),
    timeoutMs: integer(
      10_000,
      { minimum: 1 },
      {
        env: 'LLM_TIMEOUT_MS',
        description: 'bound on one LLM request; beyond it the metrics keep their deterministic scores',
      },
    ),
  }),
});

type Settings = Static<typeof CONFIG_SCHEMA>;
export type S3Config = Settings['s3'];
export type Limits = Settings['limits'];
export type TransactionLimits = Settings['transactions'];
export type AuthConfig = Settings['auth'];
export type SourcesConfig = Settings['sources'];
export type MonitorConfig = Settings['monitor'];
/** The settings, with `s3` null when S3_BUCKET is unset (blobs then live under dataDir). */
export type Config = Omit<Settings, 's3'> & { s3: S3Config | null };

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const settings = readObject(CONFIG_SCHEMA, env, problems) as Settings;
  const { headersTimeoutMs, requestTimeoutMs } = settings.http;
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    problems.push(
      'HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (headers are part of the request)',
    );
  }
  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  }
  return { ...settings, dataDir: resolve(settings.dataDir), s3: settings.s3.bucket ? settings.s3 : null };
}

/** Every setting of the schema with its path, in declaration order. */
export function configSettings(
  schema: TSchema = CONFIG_SCHEMA,
  path: string[] = [],
): { path: string[]; schema: TSchema & SettingDoc }[] {
  if (isSetting(schema)) return [{ path, schema }];
  return Object.entries(schema.properties as Record<string, TSchema>).flatMap(([key, child]) =>
    configSettings(child, [...path, key]),
  );
}

function isSetting(schema: TSchema): schema is TSchema & SettingDoc {
  return typeof schema.env === 'string';
}

function readObject(schema: TSchema, env: Env, problems: string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(schema.properties as Record<string, TSchema>)) {
    result[key] = isSetting(child) ? readSetting(child, env, problems) : readObject(child, env, problems);
  }
  return result;
}

function readSetting(schema: TSchema & SettingDoc, env: Env, problems: string[]): unknown {
  const raw = (env[schema.env] ?? (schema.alias ? env[schema.alias] : undefined))?.trim();
  // An empty list is a choice ("exclude nothing"); any other empty variable means "the default".
  if (raw === '' && schema.type === 'array') return [];
  if (!raw) return structuredClone(schema.default);
  const value = convert(schema, raw);
  if (value === undefined || !Value.Check(schema, value)) {
    problems.push(`${schema.env} must be ${expected(schema)}, got "${raw}"`);
    return structuredClone(schema.default);
  }
  return typeof value === 'string' && schema.format === 'http-url' ? value.replace(/\/+$/, '') : value;
}

/** The environment's text as the value the schema describes; undefined when it cannot be one. */
function convert(schema: TSchema, raw: string): unknown {
  switch (typeof schema.default) {
    case 'number':
      return raw === '' || Number.isNaN(Number(raw)) ? undefined : Number(raw);
    case 'boolean': {
      const word = raw.toLowerCase();
      if (['true', '1', 'yes'].includes(word)) return true;
      if (['false', '0', 'no'].includes(word)) return false;
      return undefined;
    }
    default:
      if (schema.type === 'array') {
        return raw
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
      }
      if (schema.type === 'object') return scorePairs(raw);
      return raw;
  }
}

function scorePairs(raw: string): Record<string, number> | undefined {
  const pairs: Record<string, number> = {};
  for (const item of raw.split(',')) {
    const match = /^\s*([\w.]+)\s*:\s*([^\s,]+)\s*$/.exec(item);
    if (!match || Number.isNaN(Number(match[2]))) return undefined;
    pairs[match[1] as string] = Number(match[2]);
  }
  return pairs;
}

/** What a valid value of the setting looks like, in words. */
function expected(schema: TSchema & SettingDoc): string {
  if (schema.expected) return schema.expected;
  if (schema.type === 'integer') return `an integer between ${schema.minimum} and ${schema.maximum}`;
  if (schema.type === 'boolean') return 'true or false';
  if (Array.isArray(schema.anyOf) && schema.anyOf.every((option: TSchema) => 'const' in option)) {
    return `one of ${schema.anyOf.map((option: TSchema) => option.const).join(', ')}`;
  }
  return 'a text';
}
