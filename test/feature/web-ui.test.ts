import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { uploadOk } from '../support/requests.js';
import { modelZip } from '../support/zips.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('serving the web app next to the API', () => {
  let webRoot: string;
  let t: TestApp;

  beforeAll(async () => {
    // A stand-in for `vite build`'s output: what is served does not depend on the app's contents.
    webRoot = await mkdtemp(join(tmpdir(), 'modelguard-web-'));
    await mkdir(join(webRoot, 'assets'));
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(join(webRoot, 'assets', 'index-abc123.js'), 'console.log(1)');
    t = await startTestApp({}, { webRoot });
  });
  afterAll(async () => {
    await t.close();
    await rm(webRoot, { recursive: true, force: true });
  });

  it('serves index.html at / and hashed assets with a long cache, under a script-src self policy', async () => {
    const index = await t.app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.headers['cache-control']).toBe('no-cache');
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    const asset = await t.app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it("answers a browser navigation to an app page with the app, and keeps every API answer the API's", async () => {
    const page = await t.app.inject({ url: '/model/some-id?tab=rating', headers: HTML });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="root">');
    // Not a browser navigation: the API's 404.
    expect((await t.app.inject({ url: '/model/some-id' })).json()).toMatchObject({ error: 'NOT_FOUND' });
    expect((await t.app.inject({ method: 'POST', url: '/model/some-id', headers: HTML })).statusCode).toBe(
      404,
    );
    // Below the API's own paths: the API answers, even to a browser.
    const api = await t.app.inject({ url: '/artifacts/model/some-id', headers: HTML });
    expect(api.statusCode).toBe(403);
    const missing = await t.app.inject({ url: '/artifact/no/such/route/here', headers: HTML });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'NOT_FOUND' });
  });

  it('keeps /docs and the API under the same policy', async () => {
    const docs = await t.app.inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(String(docs.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(docs.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('runs the API alone when there is no build', async () => {
    const bare = await startTestApp({}, { webRoot: join(webRoot, 'missing') });
    try {
      expect((await bare.app.inject({ url: '/', headers: HTML })).statusCode).toBe(404);
      expect((await bare.app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});

describe('GET /artifact/{type}/{id}/details (extension)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers version, size, digest, provenance and the bytes of each aspect', async () => {
    const token = await t.token();
    const zip = await modelZip('detailed-model');
    const id = await uploadOk(t.app, token, 'detailed-model', zip, { version: '2.1.0' });
    const response = await t.app.inject({
      url: `/artifact/model/${id}/details`,
      headers: { 'x-authorization': token },
    });
    expect(response.statusCode).toBe(200);
    const details = response.json();
    expect(details).toMatchObject({
      version: '2.1.0',
      size_bytes: zip.length,
      created_by: 'ece30861defaultadminuser',
    });
    expect(details.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(details.file_count).toBeGreaterThan(0);
    expect(Object.keys(details.aspects).length).toBeGreaterThan(0);
    const missing = await t.app.inject({
      url: '/artifact/model/nope/details',
      headers: { 'x-authorization': token },
    });
    expect(missing.statusCode).toBe(404);
    expect((await t.app.inject({ url: `/artifact/model/${id}/details` })).statusCode).toBe(403);
  });
});
