import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Config } from '../../../src/config.js';
import type { ArtifactType } from '../../../src/domain/artifact.js';
import { NotFoundError } from '../../../src/domain/errors.js';
import { registerAccessControl } from '../../../src/http/access.js';
import { registerErrorHandling } from '../../../src/http/errors.js';
import { transactionSchemas } from '../../../src/http/routes/transactions.js';
import { lineageLicenseSchemas, ratingSchemas, sharedSchemas } from '../../../src/http/schemas.js';
import { userSchemas } from '../../../src/http/user-schemas.js';
import { validationOptions } from '../../../src/http/validation.js';
import type { Registry } from '../../../src/registry.js';
import type { Actor } from '../../../src/security/permissions.js';
import { DEFAULT_ADMIN_NAME } from '../../../src/services/auth-service.js';
import type { FetchedPackage, PackageSources } from '../../../src/services/package-sources.js';
import type { PermissionFlags } from '../../../src/services/user-service.js';
import { createUnitRegistry, type UnitRegistryOverrides } from './unit-registry.js';

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
  /** The default administrator, as the access hook resolves it. */
  admin: Actor;
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
  blobs?: UnitRegistryOverrides['blobs'];
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
  const sources = new FakeSources();
  const unit = await createUnitRegistry(
    { AUTH_RATE_LIMIT_PER_MINUTE: '0', ...env },
    { sources, ...(options.blobs ? { blobs: options.blobs } : {}) },
  );
  const { config } = unit;
  const registry = options.adapt?.(unit.registry) ?? unit.registry;
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

  const { admin } = unit;
  return {
    app,
    admin,
    registry,
    config,
    sources,
    adminToken: () => registry.auth.issueToken(DEFAULT_ADMIN_NAME, config.auth.tokenMaxUses),
    async userToken(name, permissions = {}, isAdmin = false) {
      await registry.users.create(admin, { name, isAdmin, password: passwordOf(name), permissions });
      return registry.auth.issueToken(name, config.auth.tokenMaxUses);
    },
    async actor(name) {
      return registry.auth.resolve(await registry.auth.issueToken(name, 1));
    },
    async close() {
      await app.close();
      await unit.close();
    },
  };
}
