import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aspectBlobKey } from '../../src/services/aspect-packages.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { uploadOk } from '../support/requests.js';
import { makeZip, pseudoRandomBytes, safetensorsBytes, sha256, zipFileNames } from '../support/zips.js';

describe('downloads', () => {
  let t: TestApp;
  let token: string;
  let id: string;
  let zip: Buffer;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token();
    zip = await makeZip([
      { path: 'README.md', content: '# demo' },
      { path: 'config.json', content: '{"model_type":"gpt2"}' },
      { path: 'model.safetensors', content: safetensorsBytes(300_000), store: true },
      { path: 'onnx/model.onnx', content: pseudoRandomBytes(10_000, 2), store: true },
      { path: 'inference.py', content: 'print(1)\n' },
    ]);
    id = await uploadOk(t.app, token, 'demo', zip);
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url, headers: { 'x-authorization': token, ...headers } });

  it('returns the full package byte-identical, with length, ETag and digest', async () => {
    const response = await get(`/download/model/${id}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(Number(response.headers['content-length'])).toBe(zip.length);
    expect(response.headers.etag).toBe(`"sha256-${sha256(zip)}"`);
    expect(response.headers['repr-digest']).toBe(
      `sha-256=:${Buffer.from(sha256(zip), 'hex').toString('base64')}:`,
    );
    expect(response.headers['content-disposition']).toBe('attachment; filename="demo.zip"');
    expect(sha256(response.rawPayload)).toBe(sha256(zip));
  });

  it('serves byte ranges for resuming', async () => {
    const partial = await get(`/download/model/${id}`, { range: 'bytes=100-1099' });
    expect(partial.statusCode).toBe(206);
    expect(partial.headers['content-range']).toBe(`bytes 100-1099/${zip.length}`);
    expect(partial.rawPayload.equals(zip.subarray(100, 1100))).toBe(true);

    const open = await get(`/download/model/${id}`, { range: `bytes=${zip.length - 10}-` });
    expect(open.rawPayload.equals(zip.subarray(zip.length - 10))).toBe(true);
    const suffix = await get(`/download/model/${id}`, { range: 'bytes=-20' });
    expect(suffix.rawPayload.equals(zip.subarray(zip.length - 20))).toBe(true);
  });

  it('answers 416 for a range past the end, and ignores the range when If-Range does not match', async () => {
    const beyond = await get(`/download/model/${id}`, { range: `bytes=${zip.length}-` });
    expect(beyond.statusCode).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${zip.length}`);
    const stale = await get(`/download/model/${id}`, { range: 'bytes=0-9', 'if-range': '"other"' });
    expect(stale.statusCode).toBe(200);
    expect(stale.rawPayload.length).toBe(zip.length);
  });

  it('answers 304 when the client already has it, and headers only for HEAD', async () => {
    const etag = `"sha256-${sha256(zip)}"`;
    expect((await get(`/download/model/${id}`, { 'if-none-match': etag })).statusCode).toBe(304);
    const head = await t.app.inject({
      method: 'HEAD',
      url: `/download/model/${id}`,
      headers: { 'x-authorization': token },
    });
    expect(head.statusCode).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(zip.length);
    expect(head.rawPayload.length).toBe(0);
  });

  it('revalidates per RFC 9110: If-None-Match * or a list holding the tag, weak comparison, strong If-Range', async () => {
    const etag = `"sha256-${sha256(zip)}"`;
    for (const ifNoneMatch of ['*', `"older", ${etag}`, `W/${etag}`]) {
      const response = await get(`/download/model/${id}`, { 'if-none-match': ifNoneMatch });
      expect(response.statusCode, ifNoneMatch).toBe(304);
      expect(response.headers.etag).toBe(etag);
      expect(response.rawPayload.length).toBe(0);
    }
    expect((await get(`/download/model/${id}`, { 'if-none-match': '"older"' })).statusCode).toBe(200);

    const strong = await get(`/download/model/${id}`, { range: 'bytes=0-9', 'if-range': etag });
    expect(strong.statusCode).toBe(206);
    const weak = await get(`/download/model/${id}`, { range: 'bytes=0-9', 'if-range': `W/${etag}` });
    expect(weak.statusCode).toBe(200);
    expect(weak.rawPayload.length).toBe(zip.length);
  });

  it('audits as DOWNLOAD only what sends the body, not a 304 revalidation', async () => {
    const etag = `"sha256-${sha256(zip)}"`;
    const downloads = async () =>
      (await get(`/artifact/model/${id}/audit`))
        .json()
        .filter((entry: { action: string }) => entry.action === 'DOWNLOAD').length;
    const before = await downloads();
    expect((await get(`/download/model/${id}`, { 'if-none-match': etag })).statusCode).toBe(304);
    expect((await get(`/download/model/${id}`, { 'if-none-match': '*' })).statusCode).toBe(304);
    expect((await get(`/download/model/${id}`, { range: `bytes=${zip.length}-` })).statusCode).toBe(416);
    expect(await downloads()).toBe(before);
    expect((await get(`/download/model/${id}`, { 'if-none-match': '"older"' })).statusCode).toBe(200);
    expect(await downloads()).toBe(before + 1);
  });

  it('downloads one aspect as a valid zip of exactly those files, with ranges', async () => {
    const weights = await get(`/download/model/${id}?aspect=weights`);
    expect(weights.statusCode).toBe(200);
    expect(Number(weights.headers['content-length'])).toBe(weights.rawPayload.length);
    expect(await zipFileNames(weights.rawPayload)).toEqual(['model.safetensors', 'onnx/model.onnx']);
    const docs = await get(`/download/model/${id}?aspect=docs`);
    expect(await zipFileNames(docs.rawPayload)).toEqual(['README.md', 'config.json']);
    const code = await get(`/download/model/${id}?aspect=code`);
    expect(await zipFileNames(code.rawPayload)).toEqual(['inference.py']);

    const slice = await get(`/download/model/${id}?aspect=weights`, { range: 'bytes=50-149' });
    expect(slice.statusCode).toBe(206);
    expect(slice.rawPayload.equals(weights.rawPayload.subarray(50, 150))).toBe(true);
  });

  it('answers 404 for an aspect the package lacks and 400 for an unknown aspect', async () => {
    expect((await get(`/download/model/${id}?aspect=datasets`)).statusCode).toBe(404);
    expect((await get(`/download/model/${id}?aspect=everything`)).statusCode).toBe(400);
    expect((await get('/download/model/unknown-id')).statusCode).toBe(404);
  });

  it('records one DOWNLOAD audit entry per download, not per resumed chunk', async () => {
    const before = (await get(`/artifact/model/${id}/audit`)).json().length;
    await get(`/download/model/${id}`);
    await get(`/download/model/${id}`, { range: 'bytes=10-20' });
    const after = (await get(`/artifact/model/${id}/audit`)).json();
    expect(after.length).toBe(before + 1);
    expect(after[0].action).toBe('DOWNLOAD');
  });

  it('reports the cost in MB, alone and with dependencies', async () => {
    const mb = Math.round((zip.length / 1e6) * 1000) / 1000;
    expect((await get(`/artifact/model/${id}/cost`)).json()).toEqual({ [id]: { total_cost: mb } });
    expect((await get(`/artifact/model/${id}/cost?dependency=true`)).json()).toEqual({
      [id]: { standalone_cost: mb, total_cost: mb },
    });
    expect((await get('/artifact/model/nope/cost')).statusCode).toBe(404);
  });
});

describe('downloads behind nginx (ACCEL_REDIRECT_PREFIX)', () => {
  it('authorises and audits here, and hands full downloads to nginx by X-Accel-Redirect', async () => {
    const t = await startTestApp({ ACCEL_REDIRECT_PREFIX: '/_blobs/' });
    try {
      const token = await t.token();
      const zip = await makeZip([
        { path: 'README.md', content: '# fronted' },
        { path: 'model.safetensors', content: safetensorsBytes(1000), store: true },
      ]);
      const id = await uploadOk(t.app, token, 'fronted', zip);
      const digest = sha256(zip);
      const full = await t.app.inject({
        url: `/download/model/${id}`,
        headers: { 'x-authorization': token },
      });
      expect(full.statusCode).toBe(200);
      expect(full.headers['content-disposition']).toBe('attachment; filename="fronted.zip"');
      if (t.app.registry.blobs.kind === 'filesystem') {
        expect(full.headers['x-accel-redirect']).toBe(
          `/_blobs/sha256/${digest.slice(0, 2)}/${digest.slice(2, 4)}/${digest}`,
        );
        expect(full.rawPayload.length).toBe(0);
      } else {
        // An object store has no file for nginx to send: the registry streams the package itself.
        expect(full.headers['x-accel-redirect']).toBeUndefined();
        expect(full.rawPayload.equals(zip)).toBe(true);
      }
      const audit = await t.app.inject({
        url: `/artifact/model/${id}/audit`,
        headers: { 'x-authorization': token },
      });
      expect(audit.json().map((e: { action: string }) => e.action)).toEqual(['DOWNLOAD', 'CREATE']);

      // An aspect package is built once, stored as a blob, and then handed over like the package.
      const weights = await t.app.inject({
        url: `/download/model/${id}?aspect=weights`,
        headers: { 'x-authorization': token },
      });
      if (t.app.registry.blobs.kind === 'filesystem') {
        const key = aspectBlobKey(digest, 'weights');
        expect(weights.headers['x-accel-redirect']).toBe(
          `/_blobs/sha256/${key.slice(0, 2)}/${key.slice(2, 4)}/${key}`,
        );
      } else {
        expect(await zipFileNames(weights.rawPayload)).toEqual(['model.safetensors']);
      }
      // Without the permission nothing is handed over.
      expect((await t.app.inject({ url: `/download/model/${id}` })).statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });

  it('refuses a prefix that is not a URI path', async () => {
    await expect(startTestApp({ ACCEL_REDIRECT_PREFIX: 'blobs' })).rejects.toThrow(/ACCEL_REDIRECT_PREFIX/);
  });
});

describe('aspect packages', () => {
  let t: TestApp;
  let token: string;
  let id: string;
  let digest: string;
  let packageSize: number;
  /** Bytes asked of the blob store, per key. */
  const reads = new Map<string, number>();

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token();
    // Deflated weights (hex text compresses about 2:1): serving any byte of the aspect the old
    // way meant inflating all of them.
    const weights = Buffer.from(pseudoRandomBytes(4 * 1024 * 1024, 3).toString('hex'));
    const zip = await makeZip([
      { path: 'README.md', content: '# big weights' },
      { path: 'model.onnx', content: weights },
    ]);
    packageSize = zip.length;
    digest = sha256(zip);
    id = await uploadOk(t.app, token, 'big-weights', zip);
    const { blobs } = t.app.registry;
    const read = blobs.read.bind(blobs);
    vi.spyOn(blobs, 'read').mockImplementation(async (key, range) => {
      const size = range ? range.end - range.start + 1 : ((await blobs.stat(key))?.size ?? 0);
      reads.set(key, (reads.get(key) ?? 0) + size);
      return read(key, range);
    });
    // A filesystem store sends downloads with writeTo; count what it reads too.
    const writeTo = blobs.writeTo?.bind(blobs);
    if (writeTo) {
      vi.spyOn(blobs, 'writeTo').mockImplementation(async (key, destination, range) => {
        reads.set(key, (reads.get(key) ?? 0) + range.end - range.start + 1);
        return writeTo(key, destination, range);
      });
    }
  });
  afterAll(() => t.close());

  const lastByte = () =>
    t.app.inject({
      url: `/download/model/${id}?aspect=weights`,
      headers: { 'x-authorization': token, range: 'bytes=-1' },
    });

  it('are built once; then a ranged request reads only the bytes it serves', async () => {
    const first = await lastByte();
    expect(first.statusCode).toBe(206);
    expect(first.rawPayload.length).toBe(1);
    expect(reads.get(digest)).toBeGreaterThan(packageSize / 2);

    reads.clear();
    const again = await lastByte();
    expect(again.statusCode).toBe(206);
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    expect([...reads]).toEqual([[aspectBlobKey(digest, 'weights'), 1]]);

    const whole = await t.app.inject({
      url: `/download/model/${id}?aspect=weights`,
      headers: { 'x-authorization': token },
    });
    expect(await zipFileNames(whole.rawPayload)).toEqual(['model.onnx']);
    expect(whole.rawPayload.at(-1)).toBe(first.rawPayload[0]);
  });

  it('stops building when the client goes away', async () => {
    reads.clear();
    const record = await t.app.registry.artifacts.get('model', id);
    const clientGone = new AbortController();
    const opening = t.app.registry.downloads.open(record, 'docs', clientGone.signal);
    clientGone.abort();
    await expect(opening).rejects.toThrow('the client went away');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await t.app.registry.blobs.stat(aspectBlobKey(digest, 'docs'))).toBeNull();
  });

  it('are released with the package', async () => {
    const key = aspectBlobKey(digest, 'weights');
    expect(await t.app.registry.blobs.stat(key)).not.toBeNull();
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/artifacts/model/${id}`,
      headers: { 'x-authorization': token },
    });
    expect(removed.statusCode).toBe(200);
    expect(await t.app.registry.blobs.stat(key)).toBeNull();
    expect(await t.app.registry.blobs.stat(digest)).toBeNull();
  });
});
