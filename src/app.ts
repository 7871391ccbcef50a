import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Level, multistream } from 'pino';
import type { Config } from './config.js';
import { isArtifactType } from './domain/artifact.js';
import { registerAccessControl } from './http/access.js';
import { registerErrorHandling } from './http/errors.js';
import { artifactRoutes } from './http/routes/artifacts.js';
import { authRoutes } from './http/routes/auth.js';
import { confusionAuditRoutes } from './http/routes/confusion-audit.js';
import { costAuditRoutes } from './http/routes/cost-audit.js';
import { downloadRoutes } from './http/routes/downloads.js';
import { healthRoutes } from './http/routes/health.js';
import { hubCompatRoutes } from './http/routes/hub-compat/index.js';
import { licenseRoutes } from './http/routes/license.js';
import { lineageRoutes } from './http/routes/lineage.js';
import { monitorRoutes } from './http/routes/monitors.js';
import { performanceRoutes } from './http/routes/performance.js';
import { ratingRoutes } from './http/routes/rating.js';
import { searchRoutes } from './http/routes/search.js';
import { transactionRoutes, transactionSchemas } from './http/routes/transactions.js';
import { userRoutes } from './http/routes/users.js';
import { weightsScanRoutes } from './http/routes/weights-scan.js';
import { lineageLicenseSchemas, ratingSchemas, sharedSchemas } from './http/schemas.js';
import { registerBodyIdleTimeout, serverTimeoutOptions } from './http/timeouts.js';
import { userSchemas } from './http/user-schemas.js';
import { validationOptions } from './http/validation.js';
import { CONTENT_SECURITY_POLICY, DEFAULT_WEB_ROOT, registerWebUi } from './http/web-ui.js';
import type { RecentLogs } from './observability/recent-logs.js';
import { createRegistry, type Registry, type RegistryOverrides } from './registry.js';

/** JSON lines on stdout and, for the health dashboard, in the instance's recent-log ring. */
function loggerOptions(level: string, recent: RecentLogs) {
  if (level === 'silent') return { level };
  const streams = [
    { level: level as Level, stream: process.stdout },
    { level: level as Level, stream: recent },
  ];
  return { level, stream: multistream(streams) };
}

declare module 'fastify' {
  interface FastifyInstance {
    registry: Registry;
  }
}

/**
 * The composition root: builds the registry from a config and mounts the HTTP API on it.
 * Tests call this and use `app.inject()`; src/server.ts and src/lambda.ts add only a transport.
 */
export interface AppOverrides extends RegistryOverrides {
  /** The built web app's folder (default dist/web). */
  webRoot?: string;
}

export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<FastifyInstance> {
  const registry = await createRegistry(config, overrides);
  const app = Fastify({
    logger: loggerOptions(config.logLevel, registry.logs),
    bodyLimit: config.limits.maxJsonBodyBytes,
    // Artifact ids are UUIDs; anything much longer in a path is not ours.
    routerOptions: { maxParamLength: 300 },
    ...serverTimeoutOptions(config.http),
    ...validationOptions(),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('registry', registry);
  registerBodyIdleTimeout(app, config.http.bodyIdleTimeoutMs);
  // First, so it sees every route (the security doc and the authorization matrix are built from it).
  registerAccessControl(app, registry.auth);
  app.addHook('onClose', async () => registry.close());

  await app.register(helmet, { contentSecurityPolicy: CONTENT_SECURITY_POLICY });
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ModelGuard registry API',
        version: '1.0.0',
        description:
          'A private, trustworthy registry for ML models, datasets and code. Implements the ECE 461 registry ' +
          'contract exactly, plus documented extensions (zip upload, downloads by aspect, version queries).',
      },
      components: {
        securitySchemes: { XAuthorization: { type: 'apiKey', in: 'header', name: 'X-Authorization' } },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(async (docs) => {
    // The interactive docs are public, like the document they render.
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'public' };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });
  for (const schema of sharedSchemas) app.addSchema(schema);
  for (const schema of [...lineageLicenseSchemas, ...ratingSchemas, ...userSchemas, ...transactionSchemas]) {
    app.addSchema(schema);
  }

  registerErrorHandling(app, await registerWebUi(app, overrides.webRoot ?? DEFAULT_WEB_ROOT));
  app.addHook('onResponse', async (request, reply) => {
    // Only what the registry defines is counted by name: route patterns (never raw paths) and
    // valid artifact types, so anonymous traffic cannot grow the public health report.
    const params = request.params as { artifact_type?: string } | undefined;
    const type = params?.artifact_type;
    registry.activity.record(
      `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      type !== undefined && isArtifactType(type) ? type : undefined,
      request.ip,
      reply.statusCode >= 500,
      Date.now(),
      reply.elapsedTime,
    );
  });

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  const options = { registry };
  await app.register(healthRoutes, options);
  await app.register(authRoutes, options);
  await app.register(userRoutes, options);
  await app.register(artifactRoutes, options);
  await app.register(searchRoutes, options);
  await app.register(costAuditRoutes, options);
  await app.register(lineageRoutes, options);
  await app.register(ratingRoutes, options);
  await app.register(licenseRoutes, options);
  await app.register(downloadRoutes, options);
  await app.register(monitorRoutes, options);
  await app.register(hubCompatRoutes, options);
  await app.register(weightsScanRoutes, options);
  await app.register(confusionAuditRoutes, options);
  await app.register(performanceRoutes, options);
  await app.register(transactionRoutes, options);
  return app;
}
