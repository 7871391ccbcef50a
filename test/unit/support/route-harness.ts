import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { type Config, loadConfig } from '../../../src/config.js';
import type { ArtifactRecord, ArtifactType } from '../../../src/domain/artifact.js';
import { NotFoundError } from '../../../src/domain/errors.js';
import { registerAccessControl } from '../../../src/http/access.js';
import { registerErrorHandling } from '../../../src/http/errors.js';
import { transactionSchemas } from '../../../src/http/routes/transactions.js';
import { lineageLicenseSchemas, ratingSchemas, sharedSchemas } from '../../../src/http/schemas.js';
import { userSchemas } from '../../../src/http/user-schemas.js';
import { validationOptions } from '../../../src/http/validation.js';
import { createRegistry, type Registry } from '../../../src/registry.js';
import type { Actor } from '../../../src/security/permissions.js';
import { DEFAULT_ADMIN_NAME } from '../../../src/services/auth-service.js';
import type { FetchedPackage, PackageSources } from '../../../src/services/package-sources.js';
import type { PermissionFlags } from '../../../src/services/user-service.js';
import type { BlobStore } from '../../../src/storage/blobs/blob-store.js';
import { FsBlobStore } from '../../../src/storage/blobs/fs-blob-store.js';
import { createSqliteStore } from '../../../src/storage/metadata/sqlite.js';

/** A route plugin as src/app.ts registers it. */
export type RoutePlugin = FastifyPluginAsync<{ registry: Registry }>;

/** A package a fake source serves for a URL: a name and the zip bytes. */
export interface FakePackage {
  name: string;
  zip: Buffer;
  version?: string | null;
}

/**
 * PackageSources without a network: URLs registered with `serve` answer their zip (written to the
 * destination like the real router does); any other URL is not found, as an unknown repo is.
 */
export class FakeSources implements PackageSources {
  private readonly packages = new Map<string, FakePackage>();

  serve(url: string, pkg: FakePackage): void {
    this.packages.set(url, pkg);
  }

  async fetch(_type: ArtifactType, url: string, destPath: string): Promise<FetchedPackage> {
    const pkg = this.packages.get(url);
    if (!pkg) throw new NotFoundError(`Nothing at ${url}.`);
    await writeFile(destPath, pkg.zip);
    return {
      name: pkg.name,
      version: pkg.version ?? null,
      canonicalUrl: url,
      sourceMetadata: { kind: 'direct' },
      digest: createHash('sha256').update(pkg.zip).digest('hex'),
      size: pkg.zip.length,
    };
  }
}

export interface RouteHarness {
  app: FastifyInstance;
  registry: Registry;
  config: Config;
  sources: FakeSources;
  /** `X-Authorization` value of a fresh token of the default administrator. */
  adminToken(): Promise<string>;
  /** Creates the user (strong password `passwordOf(name)`) and answers a fresh token of theirs. */
  userToken(name: string, permissions?: Partial<PermissionFlags>, isAdmin?: boolean): Promise<string>;
  /** The actor the route would see for this user. */
  actor(name: string): Promise<Actor>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Another blob store than the temp folder's (e.g. one whose disk has gone away). */
  blobs?: (dataDir: string) => BlobStore;
  /**
   * Replaces parts of the registry the plugins see, for services that would leave the process
   * (the monitor sandbox's isolation probe spawns programs; the license check asks GitHub).
   */
  adapt?: (registry: Registry) => Registry;
}

export const passwordOf = (name: string) => `Long-enough-${[...name].reverse().join('')}!7`;

/**
 * A bare Fastify with only `plugins` registered, plus what every route relies on (shared schemas,
 * validation options, access control, error handling, the rate-limit plugin), over a registry
 * built from in-process parts: SQLite in memory, blobs in a temp folder, sources faked.
 * `env` adds settings to the test configuration (cheap password hashing, quiet logs).
 */
export async function routeHarness(
  plugins: RoutePlugin[],
  env: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<RouteHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'modelguard-unit-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PASSWORD_SCRYPT_LOG2_N: '12',
    AUTH_RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  });
  const sources = new FakeSources();
  const built = await createRegistry(config, {
    store: createSqliteStore(':memory:'),
    blobs: options.blobs?.(dataDir) ?? new FsBlobStore(join(dataDir, 'blobs')),
    sources,
  });
  const registry = options.adapt?.(built) ?? built;
  const app = Fastify({
    logger: false,
    routerOptions: { maxParamLength: 300 },
    ...validationOptions(),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('registry', registry);
  registerAccessControl(app, registry.auth);
  await app.register(rateLimit, { global: false });
  for (const schema of [
    ...sharedSchemas,
    ...lineageLicenseSchemas,
    ...ratingSchemas,
    ...userSchemas,
    ...transactionSchemas,
  ]) {
    app.addSchema(schema);
  }
  registerErrorHandling(app);
  for (const plugin of plugins) await app.register(plugin, { registry });
  await app.ready();

  const admin = await registry.auth.defaultAdmin();
  return {
    app,
    registry,
    config,
    sources,
    adminToken: () => registry.auth.issueToken(DEFAULT_ADMIN_NAME, config.auth.tokenMaxUses),
    async userToken(name, permissions = {}, isAdmin = false) {
      await registry.users.create(
        { name: admin.name, isAdmin: true, canUpload: true, canSearch: true, canDownload: true },
        { name, isAdmin, password: passwordOf(name), permissions },
      );
      return registry.auth.issueToken(name, config.auth.tokenMaxUses);
    },
    async actor(name) {
      return registry.auth.resolve(await registry.auth.issueToken(name, 1));
    },
    async close() {
      await app.close();
      await built.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Stores a zip as an artifact of the default administrator through the real upload path. */
export async function uploadZip(
  harness: RouteHarness,
  type: ArtifactType,
  name: string,
  zip: Buffer,
  version?: string,
): Promise<ArtifactRecord> {
  const admin = await harness.actor(DEFAULT_ADMIN_NAME);
  return harness.registry.artifacts.upload(type, { name, version, body: Readable.from([zip]) }, admin);
}
