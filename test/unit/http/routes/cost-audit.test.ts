import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costAuditRoutes } from '../../../../src/http/routes/cost-audit.js';
import { DEFAULT_ADMIN_NAME } from '../../../../src/services/auth-service.js';
import { makeZip, modelZip } from '../../../support/zips.js';
import { defaultAdminActor } from '../../support/auth-parts.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';
import { uploadZip } from '../../support/unit-registry.js';

let h: RouteHarness;
let app: FastifyInstance;
let token: string;

beforeAll(async () => {
  h = await routeHarness([costAuditRoutes], { PAGE_SIZE: '2' });
  app = h.app;
  token = await h.adminToken();
});
afterAll(() => h.close());

const get = (url: string, authorization = token) =>
  app.inject({ url, headers: { 'x-authorization': authorization } });

describe('GET /artifact/{type}/{id}/details', () => {
  it('reports version, size, digest, provenance and the uncompressed bytes per aspect', async () => {
    const zip = await makeZip([
      { path: 'README.md', content: '# demo' },
      { path: 'config.json', content: '{"model_type":"bert"}' },
      { path: 'train.py', content: 'print(1)\n' },
    ]);
    const record = await uploadZip(h, 'model', 'demo', zip, '1.2.3');
    const response = await get(`/artifact/model/${record.id}/details`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      version: '1.2.3',
      size_bytes: zip.length,
      sha256: record.packageDigest,
      created_by: DEFAULT_ADMIN_NAME,
      created_at: record.createdAt.toISOString(),
      file_count: 3,
    });
    const total = Object.values(body.aspects as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(total).toBe('# demo'.length + '{"model_type":"bert"}'.length + 'print(1)\n'.length);
  });

  it('has no version for an unversioned upload, and answers 404 for another type or an unknown id', async () => {
    const record = await uploadZip(h, 'code', 'tool', await makeZip([{ path: 'a.py', content: 'x' }]));
    expect((await get(`/artifact/code/${record.id}/details`)).json().version).toBeNull();
    expect((await get(`/artifact/model/${record.id}/details`)).statusCode).toBe(404);
    const missing = await get('/artifact/code/00000000-0000-0000-0000-000000000000/details');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('NOT_FOUND');
  });

  it('needs the search permission (403 without it, 403 without a token) and a valid type (400)', async () => {
    const record = await uploadZip(h, 'model', 'demo', await modelZip('demo'));
    const uploader = await h.userToken('uploader', { can_upload: true });
    expect((await get(`/artifact/model/${record.id}/details`, uploader)).statusCode).toBe(403);
    expect((await app.inject({ url: `/artifact/model/${record.id}/details` })).statusCode).toBe(403);
    const reader = await h.userToken('reader', { can_search: true });
    expect((await get(`/artifact/model/${record.id}/details`, reader)).statusCode).toBe(200);
    expect((await get(`/artifact/widget/${record.id}/details`)).statusCode).toBe(400);
  });
});

describe('GET /artifact/{type}/{id}/cost', () => {
  it('answers the package size in MB, standalone and with dependencies', async () => {
    const zip = await modelZip('demo');
    const record = await uploadZip(h, 'model', 'demo', zip);
    const alone = await get(`/artifact/model/${record.id}/cost`);
    expect(alone.statusCode).toBe(200);
    expect(alone.json()).toEqual({ [record.id]: { total_cost: expect.closeTo(zip.length / 1e6, 3) } });
    const withDeps = await get(`/artifact/model/${record.id}/cost?dependency=true`);
    expect(withDeps.statusCode).toBe(200);
    expect(withDeps.json()[record.id]).toMatchObject({
      standalone_cost: expect.closeTo(zip.length / 1e6, 3),
      total_cost: expect.closeTo(zip.length / 1e6, 3),
    });
  });

  it('refuses a dependency flag that is not a boolean (400) and an unknown artifact (404)', async () => {
    const record = await uploadZip(h, 'model', 'demo', await modelZip('demo'));
    const bad = await get(`/artifact/model/${record.id}/cost?dependency=maybe`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('BAD_REQUEST');
    expect((await get('/artifact/model/nope/cost')).statusCode).toBe(404);
  });
});

describe('GET /artifact/{type}/{id}/audit', () => {
  it('pages newest first, names the next page in the offset header, and shows the weights scan once', async () => {
    const record = await uploadZip(h, 'model', 'demo', await modelZip('demo'));
    for (const action of ['DOWNLOAD', 'RATE', 'DOWNLOAD'] as const) {
      await h.registry.artifacts.audit(record, defaultAdminActor, action);
    }
    const first = await get(`/artifact/model/${record.id}/audit`);
    expect(first.statusCode).toBe(200);
    expect(first.json().map((entry: { action: string }) => entry.action)).toEqual(['DOWNLOAD', 'RATE']);
    expect(first.json()[0]).not.toHaveProperty('weights_scan');
    expect(first.json()[0].date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(first.json()[0].user).toEqual({ name: DEFAULT_ADMIN_NAME, is_admin: true });
    const offset = first.headers.offset;
    expect(typeof offset).toBe('string');

    const second = await get(`/artifact/model/${record.id}/audit?offset=${offset}`);
    expect(second.json().map((entry: { action: string }) => entry.action)).toEqual(['DOWNLOAD', 'CREATE']);
    // Older pages do not say which package the CREATE stored: only the first page reads the scan.
    expect(second.json()[1]).not.toHaveProperty('weights_scan');
    expect(second.headers.offset).toBeUndefined();
  });

  it('the first page carries the scan on the newest CREATE/UPDATE', async () => {
    const record = await uploadZip(h, 'model', 'demo', await modelZip('demo'));
    const page = await get(`/artifact/model/${record.id}/audit`);
    expect(page.json()).toEqual([
      expect.objectContaining({
        action: 'CREATE',
        weights_scan: { policy: 'pickle-allowlist/1', verdict: 'clean', files_scanned: 1 },
      }),
    ]);
  });

  it('answers 404 for an unknown artifact and 400 for an overlong offset', async () => {
    expect((await get('/artifact/model/unknown/audit')).statusCode).toBe(404);
    const record = await uploadZip(h, 'model', 'demo', await modelZip('demo'));
    expect((await get(`/artifact/model/${record.id}/audit?offset=${'9'.repeat(40)}`)).statusCode).toBe(400);
  });
});
