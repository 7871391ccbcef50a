import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandling } from '../../../src/http/errors.js';
import { CONTENT_SECURITY_POLICY, registerWebUi } from '../../../src/http/web-ui.js';

const INDEX =
  '<!doctype html><title>ModelGuard</title><script type="module" src="/assets/app-1a2b.js"></script>';
let root: string;
let app: FastifyInstance;

/** The web app's registration as src/app.ts does it: helmet's CSP, the files, the page fallback. */
async function webApp(webRoot: string): Promise<FastifyInstance> {
  const web = Fastify({ logger: false });
  await web.register(helmet, { contentSecurityPolicy: CONTENT_SECURITY_POLICY });
  registerErrorHandling(web, await registerWebUi(web, webRoot));
  web.get('/artifacts', async () => []);
  await web.ready();
  return web;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'modelguard-web-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), INDEX);
  await writeFile(join(root, 'assets', 'app-1a2b.js'), 'console.log(1);');
  await writeFile(join(root, 'favicon.svg'), '<svg/>');
  app = await webApp(root);
});
afterAll(async () => {
  await app.close();
  await rm(root, { recursive: true, force: true });
});

const html = { accept: 'text/html,application/xhtml+xml' };

describe('the web app', () => {
  it('serves index.html at / uncached, under the Content-Security-Policy', async () => {
    const response = await app.inject('/');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(INDEX);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  });

  it('caches hashed assets for a year and other files not at all', async () => {
    const asset = await app.inject('/assets/app-1a2b.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log(1);');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject('/favicon.svg');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers a browser navigating to a client-side route with index.html', async () => {
    const page = await app.inject({ url: '/models/abc?tab=lineage', headers: html });
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe(INDEX);
    const head = await app.inject({ method: 'HEAD', url: '/health-dashboard', headers: html });
    expect(head.statusCode).toBe(200);
  });

  it('keeps the API’s JSON 404 for missing assets, API paths, non-browsers and other methods', async () => {
    for (const request of [
      { url: '/assets/missing.js' },
      { url: '/artifact/model/x', headers: html },
      { url: '/health/nope', headers: html },
      { url: '/models/abc', headers: { accept: 'application/json' } },
      { method: 'POST' as const, url: '/models/abc', headers: html },
    ]) {
      const response = await app.inject(request);
      expect(response.statusCode, request.url).toBe(404);
      expect(response.json(), request.url).toEqual({
        error: 'NOT_FOUND',
        message: `No route ${request.method ?? 'GET'} ${request.url}.`,
      });
    }
    expect((await app.inject({ url: '/artifacts', headers: html })).json()).toEqual([]);
  });

  it('runs the API alone when there is no build', async () => {
    const bare = await webApp(join(root, 'no-build-here'));
    const response = await bare.inject({ url: '/', headers: html });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toBe('NOT_FOUND');
    await bare.close();
  });
});
