import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weightsScanRoutes } from '../../../../src/http/routes/weights-scan.js';
import { makeZip, safetensorsBytes } from '../../../support/zips.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';
import { uploadZip } from '../../support/unit-registry.js';

let h: RouteHarness;
let app: FastifyInstance;
let token: string;

beforeAll(async () => {
  h = await routeHarness([weightsScanRoutes]);
  app = h.app;
  token = await h.adminToken();
});
afterAll(() => h.close());

const scanOf = (type: string, id: string, authorization = token) =>
  app.inject({ url: `/artifact/${type}/${id}/weights-scan`, headers: { 'x-authorization': authorization } });

describe('GET /artifact/{type}/{id}/weights-scan', () => {
  it('answers the scan kept with the artifact: policy, verdict and every weights file', async () => {
    const zip = await makeZip([
      { path: 'README.md', content: '# m' },
      { path: 'model.safetensors', content: safetensorsBytes(1024), store: true },
    ]);
    const record = await uploadZip(h, 'model', 'scanned', zip);
    const response = await scanOf('model', record.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      artifact_id: record.id,
      policy: 'pickle-allowlist/1',
      verdict: 'clean',
      files_scanned: 1,
      files: [
        { path: 'model.safetensors', format: 'safetensors', verdict: 'clean', globals: [], findings: [] },
      ],
    });
  });

  it('says not_scanned for a package stored before scanning existed', async () => {
    const record = await uploadZip(h, 'dataset', 'old', await makeZip([{ path: 'a.csv', content: 'x,y\n' }]));
    const { weightsScan: _dropped, ...facts } = record.facts;
    await h.registry.store.replaceArtifact({ ...record, facts }, record.updatedAt);
    const response = await scanOf('dataset', record.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      artifact_id: record.id,
      policy: null,
      verdict: 'not_scanned',
      files_scanned: 0,
      files: [],
    });
  });

  it('answers 404 for an unknown artifact and 403 without the search permission', async () => {
    expect((await scanOf('model', 'no-such-id')).statusCode).toBe(404);
    const record = await uploadZip(h, 'code', 'c', await makeZip([{ path: 'a.py', content: 'x' }]));
    const downloader = await h.userToken('downloader', { can_download: true });
    const refused = await scanOf('code', record.id, downloader);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toBe('You do not have the search permission.');
  });
});
