import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { authenticate } from '../../support/app.js';

let dataDir: string;
let app: FastifyInstance;

const env = (dir: string, extra: Record<string, string> = {}) =>
  loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', PASSWORD_SCRYPT_LOG2_N: '12', ...extra });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'modelguard-app-'));
  app = await buildApp(env(join(dataDir, 'main'), { MAX_JSON_BODY_BYTES: '2048' }), {
    webRoot: join(dataDir, 'no-web-build'),
  });
});
afterAll(async () => {
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('buildApp', () => {
  it('mounts every route with a declared access (none falls back to admin-only)', () => {
    const routes = app.routeAccess();
    expect(routes.length).toBeGreaterThan(50);
    expect(routes.filter((route) => route.access === null)).toEqual([]);
    const byUrl = (url: string) => routes.find((route) => route.url === url);
    expect(byUrl('/openapi.json')?.access).toBe('public');
    expect(byUrl('/docs/')?.access).toBe('public');
    expect(byUrl('/health')?.access).toBe('public');
    expect(byUrl('/reset')?.access).toBe('admin');
  });

  it('serves the OpenAPI document publicly, with the token scheme and the shared schemas', async () => {
    const response = await app.inject('/openapi.json');
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.info.title).toBe('ModelGuard registry API');
    expect(doc.components.securitySchemes.XAuthorization).toEqual({
      type: 'apiKey',
      in: 'header',
      name: 'X-Authorization',
    });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Artifact', 'ArtifactID', 'ModelRating', 'UserPermissions']),
    );
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/artifacts', '/api/models/{namespace}/{repo_name}']),
    );
    // The legacy bare Hub ids and the document itself are hidden.
    expect(Object.keys(doc.paths)).not.toContain('/api/models/{repo_name}');
    expect(Object.keys(doc.paths)).not.toContain('/openapi.json');
  });

  it('serves the interactive docs without a token, under the CSP, with security headers everywhere', async () => {
    const docs = await app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    const health = await app.inject('/health');
    expect(health.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers the registry’s JSON errors: 404 for a page without a web build, 413 beyond the JSON body limit', async () => {
    const page = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(404);
    expect(page.json()).toEqual({ error: 'NOT_FOUND', message: 'No route GET /.' });
    const big = await app.inject({
      method: 'PUT',
      url: '/authenticate',
      payload: { user: { name: 'x', is_admin: false }, secret: { password: 'p'.repeat(4096) } },
    });
    expect(big.statusCode).toBe(413);
  });

  it('counts requests by route pattern and valid artifact type only, for the health report', async () => {
    const token = await authenticate(app);
    const before = app.registry.activity.summarize(60);
    await app.inject({
      url: '/artifacts/model/00000000-0000-0000-0000-000000000000',
      headers: { 'x-authorization': token },
    });
    await app.inject({ url: '/artifacts/widget/123', headers: { 'x-authorization': token } });
    await app.inject('/no/such/path');
    const after = app.registry.activity.summarize(60);
    const delta = (map: Record<string, number>, key: string, old: Record<string, number>) =>
      (map[key] ?? 0) - (old[key] ?? 0);
    expect(delta(after.perRoute, 'GET /artifacts/:artifact_type/:id', before.perRoute)).toBe(2);
    expect(delta(after.perRoute, 'GET unmatched', before.perRoute)).toBe(1);
    expect(delta(after.perType, 'model', before.perType)).toBe(1);
    expect(after.perType).not.toHaveProperty('widget');
    expect(after.errors).toBe(before.errors);
  });

  it('closes the registry with the app', async () => {
    const other = await buildApp(env(join(dataDir, 'closing')));
    await other.close();
    await expect(other.registry.store.ping()).rejects.toThrow();
  });

  it('logs JSON lines to the instance’s recent-log ring when logging is on', async () => {
    const logged = await buildApp(env(join(dataDir, 'logged'), { LOG_LEVEL: 'warn' }));
    logged.log.warn({ probe: 42 }, 'a warning for the dashboard');
    logged.log.info('below the level');
    const lines = logged.registry.logs.recent(10);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'a warning for the dashboard', fields: { probe: 42 } }),
    );
    expect(lines.map((line) => line.msg)).not.toContain('below the level');
    await logged.close();
  });
});
