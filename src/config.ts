import { resolve } from 'node:path';

/**
 * The only module that reads the environment (twelve-factor). Every variable is documented in
 * README.md; `loadConfig` validates them all and fails fast with one message listing each
 * problem, so a misconfigured deployment never starts half-right.
 */
export interface Config {
  host: string;
  port: number;
  /** Processes serving the port (node:cluster); 1 runs in-process. */
  workers: number;
  logLevel: string;
  /** Base URL clients reach this server at; when unset, download links use the request's host. */
  publicUrl: string | null;
  /**
   * URI prefix of an nginx `internal` location serving DATA_DIR/blobs: full downloads are then
   * authorised and audited here and sent by nginx (X-Accel-Redirect, sendfile). Null streams here.
   */
  accelRedirectPrefix: string | null;
  dataDir: string;
  /** PostgreSQL connection string; null selects embedded SQLite under dataDir. */
  databaseUrl: string | null;
  /** PostgreSQL connection settings, used only when databaseUrl is set. */
  database: DatabaseConfig;
  s3: S3Config | null;
  limits: Limits;
  auth: AuthConfig;
  ingest: IngestConfig;
  sources: SourcesConfig;
  gate: GateConfig;
  llm: LlmConfig;
}

/** Optional LLM assistance for the card-reading metrics (docs/metrics.md); off while endpoint is null. */
export interface LlmConfig {
  /** OpenAI-compatible base URL, e.g. https://api.openai.com/v1. */
  endpoint: string | null;
  apiKey: string | null;
  model: string;
  timeoutMs: number;
}

/** The ingest gate for public Hugging Face models (see docs/metrics.md). */
export interface GateConfig {
  enabled: boolean;
  threshold: number;
  thresholds: Record<string, number>;
  reviewednessWhenAbsent: 'pass' | 'fail' | 'ignore';
  sizeDevice: 'raspberry_pi' | 'jetson_nano' | 'desktop_pc' | 'aws_server' | 'max' | 'any';
  excluded: string[];
}

export interface DatabaseConfig {
  /** Schema holding the registry's tables (created on start); null uses the server's search_path. */
  schema: string | null;
  /** Connections per app instance; keep small on Lambda, where each instance serves one request at a time. */
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

export interface S3Config {
  bucket: string;
  prefix: string;
  region: string;
  endpoint: string | null;
  forcePathStyle: boolean;
  /** Redirect downloads to presigned URLs instead of streaming through the app. */
  presignDownloads: boolean;
  connectTimeoutMs: number;
  /** Socket inactivity limit per request, not a bound on a whole transfer. */
  requestTimeoutMs: number;
}

export interface Limits {
  /** Largest package accepted, in bytes (upload or fetched source). */
  maxPackageBytes: number;
  /** Largest JSON request body, in bytes. */
  maxJsonBodyBytes: number;
  zipMaxEntries: number;
  zipMaxUncompressedBytes: number;
  zipMaxCompressionRatio: number;
  /** Results per page of POST /artifacts. */
  pageSize: number;
  /** Most queries one POST /artifacts may carry. */
  maxQueriesPerRequest: number;
  /** Most results byName / byRegEx return before answering 413. */
  maxSearchResults: number;
  maxRegexLength: number;
  /** Time budget of one regex search over the registry. */
  regexSearchTimeoutMs: number;
  /** Characters of a README kept for search. */
  readmeMaxChars: number;
}

export interface AuthConfig {
  /** Sign-in attempts per client address per minute (brute-force brake); 0 turns it off. */
  signInsPerMinute: number;
  tokenTtlSeconds: number;
  tokenMaxUses: number;
  /** Fixed signing key; when unset a random key is created once and kept in the database. */
  jwtSecret: string | null;
}

export interface IngestConfig {
  allowPrivateNetwork: boolean;
  fetchTimeoutMs: number;
  maxRedirects: number;
}

export interface SourcesConfig {
  hfEndpoint: string;
  hfToken: string | null;
  githubApiUrl: string;
  githubToken: string | null;
}

type Env = Record<string, string | undefined>;

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const s3Bucket = read.string('S3_BUCKET', '');
  const config: Config = {
    host: read.string('HOST', '0.0.0.0'),
    port: read.integer('PORT', 3000, 0, 65535),
    workers: read.integer('WORKERS', 1, 1, 64),
    logLevel: read.oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    publicUrl: read.url('PUBLIC_URL'),
    accelRedirectPrefix: read.optional('ACCEL_REDIRECT_PREFIX'),
    dataDir: resolve(read.string('DATA_DIR', './data')),
    databaseUrl: read.optional('DATABASE_URL'),
    database: {
      schema: read.optional('DATABASE_SCHEMA'),
      poolSize: read.integer('DATABASE_POOL_SIZE', 10, 1, 1000),
      connectTimeoutMs: read.integer('DATABASE_CONNECT_TIMEOUT_MS', 5_000, 1),
      statementTimeoutMs: read.integer('DATABASE_STATEMENT_TIMEOUT_MS', 30_000, 1),
    },
    s3: s3Bucket
      ? {
          bucket: s3Bucket,
          prefix: read.string('S3_PREFIX', ''),
          region: read.string('S3_REGION', read.string('AWS_REGION', 'us-east-1')),
          endpoint: read.url('S3_ENDPOINT'),
          forcePathStyle: read.boolean('S3_FORCE_PATH_STYLE', false),
          presignDownloads: read.boolean('S3_PRESIGN_DOWNLOADS', false),
          connectTimeoutMs: read.integer('S3_CONNECT_TIMEOUT_MS', 3_000, 1),
          requestTimeoutMs: read.integer('S3_REQUEST_TIMEOUT_MS', 30_000, 1),
        }
      : null,
    limits: {
      maxPackageBytes: read.integer('MAX_PACKAGE_BYTES', 20 * GIB, 1),
      maxJsonBodyBytes: read.integer('MAX_JSON_BODY_BYTES', MIB, 1024),
      zipMaxEntries: read.integer('ZIP_MAX_ENTRIES', 20_000, 1),
      zipMaxUncompressedBytes: read.integer('ZIP_MAX_UNCOMPRESSED_BYTES', 40 * GIB, 1),
      zipMaxCompressionRatio: read.integer('ZIP_MAX_COMPRESSION_RATIO', 200, 1),
      pageSize: read.integer('PAGE_SIZE', 100, 1, 10_000),
      maxQueriesPerRequest: read.integer('MAX_QUERIES_PER_REQUEST', 50, 1, 10_000),
      maxSearchResults: read.integer('MAX_SEARCH_RESULTS', 1000, 1),
      maxRegexLength: read.integer('MAX_REGEX_LENGTH', 1024, 1),
      regexSearchTimeoutMs: read.integer('REGEX_SEARCH_TIMEOUT_MS', 5000, 1),
      readmeMaxChars: read.integer('README_MAX_CHARS', 100_000, 0),
    },
    auth: {
      signInsPerMinute: read.integer('AUTH_RATE_LIMIT_PER_MINUTE', 60, 0),
      tokenTtlSeconds: read.integer('TOKEN_TTL_SECONDS', 10 * 3600, 1),
      tokenMaxUses: read.integer('TOKEN_MAX_USES', 1000, 1),
      jwtSecret: read.optional('JWT_SECRET'),
    },
    ingest: {
      allowPrivateNetwork: read.boolean('INGEST_ALLOW_PRIVATE_NETWORK', false),
      fetchTimeoutMs: read.integer('INGEST_TIMEOUT_MS', 30_000, 1),
      maxRedirects: read.integer('INGEST_MAX_REDIRECTS', 5, 0, 20),
    },
    gate: {
      enabled: read.boolean('GATE_ENABLED', true),
      threshold: Number(read.string('GATE_THRESHOLD', '0.5')),
      thresholds: {},
      reviewednessWhenAbsent: read.oneOf('GATE_REVIEWEDNESS_WHEN_ABSENT', 'pass', [
        'pass',
        'fail',
        'ignore',
      ]) as GateConfig['reviewednessWhenAbsent'],
      sizeDevice: read.oneOf('GATE_SIZE_DEVICE', 'max', [
        'raspberry_pi',
        'jetson_nano',
        'desktop_pc',
        'aws_server',
        'max',
        'any',
      ]) as GateConfig['sizeDevice'],
      excluded: read
        .string('GATE_EXCLUDE', 'reviewedness')
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    },
    sources: {
      hfEndpoint: read.url('HF_ENDPOINT') ?? 'https://huggingface.co',
      hfToken: read.optional('HF_TOKEN'),
      githubApiUrl: read.url('GITHUB_API_URL') ?? 'https://api.github.com',
      githubToken: read.optional('GITHUB_TOKEN'),
    },
    llm: {
      endpoint: read.url('LLM_ENDPOINT'),
      apiKey: read.optional('LLM_API_KEY'),
      model: read.string('LLM_MODEL', 'gpt-4o-mini'),
      timeoutMs: read.integer('LLM_TIMEOUT_MS', 10_000, 1),
    },
  };

  if (config.accelRedirectPrefix !== null && !/^\/[\w./-]*\/$/.test(config.accelRedirectPrefix)) {
    problems.push('ACCEL_REDIRECT_PREFIX must be a URI path starting and ending with "/", e.g. /_blobs/');
  }
  if (!(config.gate.threshold >= 0 && config.gate.threshold <= 1)) {
    problems.push('GATE_THRESHOLD must be a number between 0 and 1');
  }
  if (config.auth.jwtSecret !== null && config.auth.jwtSecret.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters');
  }
  if (config.databaseUrl !== null && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  if (config.database.schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(config.database.schema)) {
    problems.push('DATABASE_SCHEMA must be a lowercase SQL identifier (letters, digits, underscores)');
  }
  if (problems.length > 0) {
    throw new Error(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  }
  return config;
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  optional(name: string): string | null {
    const value = this.env[name]?.trim();
    return value ? value : null;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  integer(
    name: string,
    fallback: number,
    min = Number.MIN_SAFE_INTEGER,
    max = Number.MAX_SAFE_INTEGER,
  ): number {
    const raw = this.optional(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  }

  oneOf(name: string, fallback: string, allowed: string[]): string {
    const value = this.string(name, fallback);
    if (!allowed.includes(value)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
      return fallback;
    }
    return value;
  }

  url(name: string): string | null {
    const raw = this.optional(name);
    if (raw === null) return null;
    try {
      const url = new URL(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      return raw.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${name} must be an http(s) URL, got "${raw}"`);
      return null;
    }
  }
}
