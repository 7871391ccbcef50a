import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { type Config, loadConfig } from '../../../src/config.js';
import type { ArtifactRecord, ArtifactType } from '../../../src/domain/artifact.js';
import { registerAccessControl } from '../../../src/http/access.js';
import { registerErrorHandling } from '../../../src/http/errors.js';
import { transactionSchemas } from '../../../src/http/routes/transactions.js';
import { lineageLicenseSchemas, ratingSchemas, sharedSchemas } from '../../../src/http/schemas.js';
import { userSchemas } from '../../../src/http/user-schemas.js';
import { validationOptions } from '../../../src/http/validation.js';
import { createRegistry, type Registry, type RegistryOverrides } from '../../../src/registry.js';
import type { Actor } from '../../../src/security/permissions.js';
import type { PermissionFlags } from '../../../src/services/user-service.js';
import { FsBlobStore } from '../../../src/storage/blobs/fs-blob-store.js';
import { createSqliteStore } from '../../../src/storage/metadata/sqlite.js';

/**
 * A registry from real in-process parts: SQLite in memory, blobs in a temp directory (which also
 * holds DATA_DIR's temp files). Close it in afterEach.
 */
export interface UnitRegistry {
  registry: Registry;
  config: Config;
  dataDir: string;
  /** The default administrator, as the access hook resolves it. */
  admin: Actor;
  close(): Promise<void>;
}

export async function createUnitRegistry(
  env: Record<string, string> = {},
  overrides: RegistryOverrides = {},
): Promise<UnitRegistry> {
  const dataDir = await mkdtemp(join(tmpdir(), 'modelguard-unit-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PASSWORD_SCRYPT_LOG2_N: '12',
    ...env,
  });
  const registry = await createRegistry(config, {
    store: overrides.store ?? createSqliteStore(':memory:'),
    blobs: overrides.blobs ?? new FsBlobStore(join(dataDir, 'blobs')),
  });
  const defaultAdmin = await registry.auth.defaultAdmin();
  return {
    registry,
    config,
    dataDir,
    admin: { name: defaultAdmin.name, isAdmin: true, canUpload: true, canSearch: true, canDownload: true },
    async close() {
      await registry.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

type RoutePlugin = FastifyPluginAsync<{ registry: Registry }>;

/**
 * A bare Fastify with what every route relies on (the registry's validation, shared schemas,
 * access control and error handling) and only the given route plugins; drive it with inject().
 */
export async function routeApp(registry: Registry, ...plugins: RoutePlugin[]): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ...validationOptions() });
  app.decorate('registry', registry);
  registerAccessControl(app, registry.auth);
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
  return app;
}

/** An X-Authorization value for the default admin (or `user`), without going through /authenticate. */
export function tokenFor(registry: Registry, user?: string, maxUses = 100): Promise<string> {
  return user === undefined
    ? registry.auth.defaultAdmin().then((admin) => registry.auth.issueToken(admin.name, maxUses))
    : registry.auth.issueToken(user, maxUses);
}

/** A non-admin user with the given permissions, and a token for it. */
export async function userWith(
  unit: UnitRegistry,
  name: string,
  permissions: Partial<PermissionFlags>,
): Promise<string> {
  await unit.registry.users.create(unit.admin, {
    name,
    isAdmin: false,
    password: 'a long enough password 123!',
    permissions: { can_upload: false, can_search: false, can_download: false, ...permissions },
  });
  return tokenFor(unit.registry, name);
}

/** Store a zip as an artifact through the real upload path (digest, facts, weights scan). */
export function uploadZip(
  unit: UnitRegistry,
  type: ArtifactType,
  name: string,
  zip: Buffer,
  version?: string,
): Promise<ArtifactRecord> {
  return unit.registry.artifacts.upload(type, { name, version, body: Readable.from([zip]) }, unit.admin);
}
