import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../../../src/domain/artifact.js';
import { downloadRoutes } from '../../../../src/http/routes/downloads.js';
import { modelZip, sha256, zipFileNames } from '../../../support/zips.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';
import { uploadZip } from '../../support/unit-registry.js';

describe('download routes', () => {
  let h: RouteHarness;
  let downloader: string;
  let zip: Buffer;
  let record: ArtifactRecord;
  let url: string;
  beforeAll(async () => {
    h = await routeHarness([downloadRoutes]);
    downloader = await h.userToken('downloader', { can_download: true });
    zip = await modelZip('dl-model');
    record = await uploadZip(h, 'model', 'dl-model', zip);
    url = `/download/model/${record.id}`;
  });
  afterAll(() => h.close());

  const get = (headers: Record<string, string> = {}, path = url, method: 'GET' | 'HEAD' = 'GET') =>
    h.app.inject({ method, url: path, headers: { 'x-authorization': downloader, ...headers } });
  const downloads = async () =>
    (await h.registry.store.listAudit(record.id, { limit: 100 })).items.filter(
      (e) => e.action === 'DOWNLOAD',
    );

  it('sends the stored package byte for byte with its validators, and audits the download', async () => {
    const before = (await downloads()).length;
    const response = await get();
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(zip)).toBe(true);
    expect(response.headers).toMatchObject({
      'content-type': 'application/zip',
      'content-length': String(zip.length),
      'accept-ranges': 'bytes',
      'cache-control': 'private, no-cache',
      'repr-digest': `sha-256=:${Buffer.from(sha256(zip), 'hex').toString('base64')}:`,
    });
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="dl-model/);
    expect(response.headers.etag).toEqual(expect.any(String));
    expect((await downloads()).length).toBe(before + 1);
  });

  it('answers HEAD with the headers only, without auditing', async () => {
    const before = (await downloads()).length;
    const response = await get({}, url, 'HEAD');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe(String(zip.length));
    expect(response.rawPayload.length).toBe(0);
    expect((await downloads()).length).toBe(before);
  });

  it('serves single ranges (206), refuses impossible ones (416) and revalidates (304)', async () => {
    const etag = String((await get({}, url, 'HEAD')).headers.etag);
    const part = await get({ range: 'bytes=10-19' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 10-19/${zip.length}`);
    expect(part.rawPayload.equals(zip.subarray(10, 20))).toBe(true);

    const impossible = await get({ range: `bytes=${zip.length + 10}-` });
    expect(impossible.statusCode).toBe(416);
    expect(impossible.headers['content-range']).toBe(`bytes */${zip.length}`);
    expect(impossible.json().error).toBe('RANGE_NOT_SATISFIABLE');

    const unchanged = await get({ 'if-none-match': etag });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.rawPayload.length).toBe(0);

    // A stale If-Range validator gets the whole package instead of the range.
    const stale = await get({ range: 'bytes=0-9', 'if-range': '"stale"' });
    expect(stale.statusCode).toBe(200);
    expect(stale.rawPayload.length).toBe(zip.length);
  });

  it('sends one aspect as a zip of only those files', async () => {
    const docs = await get({}, `${url}?aspect=docs`);
    expect(docs.statusCode).toBe(200);
    const expected = record.facts.files.filter((f) => f.aspect === 'docs').map((f) => f.path);
    expect(expected.length).toBeLessThan(record.facts.files.length);
    expect((await zipFileNames(docs.rawPayload)).sort()).toEqual(expected.sort());
    expect((await get({}, `${url}?aspect=everything`)).statusCode).toBe(400);
  });

  it('needs the download permission (403) and an existing artifact (404)', async () => {
    const searcher = await h.userToken('only-searcher', { can_search: true });
    const denied = await h.app.inject({ method: 'GET', url, headers: { 'x-authorization': searcher } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().message).toBe('You do not have the download permission.');
    expect((await get({}, '/download/model/no-such-id')).statusCode).toBe(404);
    expect((await get({}, `/download/dataset/${record.id}`)).statusCode).toBe(404);
  });
});
