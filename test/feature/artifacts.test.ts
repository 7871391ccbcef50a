import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { listAll, uploadOk, uploadZip } from '../support/requests.js';
import { startZipServer, type ZipServer } from '../support/zip-server.js';
import { makeZip, modelZip, pseudoRandomBytes, sha256 } from '../support/zips.js';

describe('artifact lifecycle', () => {
  let t: TestApp;
  let token: string;
  let zipServer: ZipServer;

  beforeAll(async () => {
    t = await startTestApp({
      INGEST_ALLOW_PRIVATE_NETWORK: 'true',
      MAX_PACKAGE_BYTES: String(2 * 1024 * 1024),
    });
    zipServer = await startZipServer({
      '/models/tiny-bert.zip': await modelZip('tiny-bert'),
      '/models/tiny-bert-v2.zip': await modelZip('tiny-bert', '# tiny-bert\n\nVersion two.'),
      '/bad.zip': Buffer.from('not a zip at all'),
    });
  });
  afterAll(async () => {
    await zipServer.close();
    await t.close();
  });
  beforeEach(async () => {
    token = await t.token();
    await t.app.inject({ method: 'DELETE', url: '/reset', headers: { 'x-authorization': token } });
    token = await t.token();
  });

  const auth = () => ({ 'x-authorization': token });

  it('creates from a direct zip url, answering 201 with metadata and a download link', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/artifact/model',
      headers: auth(),
      payload: { url: `${zipServer.url}/models/tiny-bert.zip` },
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.metadata).toMatchObject({ name: 'tiny-bert', type: 'model' });
    expect(body.metadata.id).toMatch(/^[a-zA-Z0-9-]+$/);
    expect(body.data.url).toBe(`${zipServer.url}/models/tiny-bert.zip`);
    expect(body.data.download_url).toBe(`http://localhost:80/download/model/${body.metadata.id}`);

    const read = await t.app.inject({ url: `/artifacts/model/${body.metadata.id}`, headers: auth() });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(body);
  });

  it('gives artifacts with the same name different ids', async () => {
    const zip = await modelZip('twin');
    const a = await uploadOk(t.app, token, 'twin', zip);
    const b = await uploadOk(t.app, token, 'twin', zip);
    expect(a).not.toBe(b);
    const byName = await t.app.inject({ url: '/artifact/byName/twin', headers: auth() });
    expect(
      byName
        .json()
        .map((m: { id: string }) => m.id)
        .sort(),
    ).toEqual([a, b].sort());
  });

  it('stores identical packages once, under their SHA-256', async () => {
    const zip = await modelZip('dedup');
    const a = await uploadOk(t.app, token, 'dedup-a', zip);
    const b = await uploadOk(t.app, token, 'dedup-b', zip);
    const { store, blobs } = t.app.registry;
    expect((await store.getArtifact(a))?.packageDigest).toBe(sha256(zip));
    expect((await store.getArtifact(b))?.packageDigest).toBe(sha256(zip));
    expect(await store.countByDigest(sha256(zip))).toBe(2);
    expect(await blobs.stat(sha256(zip))).toEqual({ size: zip.length });
  });

  it('refuses loopback and private source urls unless allowed', async () => {
    const strict = await startTestApp();
    try {
      const strictToken = await strict.token();
      for (const url of [
        `${zipServer.url}/models/tiny-bert.zip`,
        'http://169.254.169.254/latest/meta-data',
        'http://10.0.0.1/a.zip',
      ]) {
        const response = await strict.app.inject({
          method: 'POST',
          url: '/artifact/model',
          headers: { 'x-authorization': strictToken },
          payload: { url },
        });
        expect(response.statusCode, url).toBe(400);
      }
    } finally {
      await strict.close();
    }
  });

  it.each([
    ['a body without url', {}],
    ['a url that is not a url', { url: 'not a url' }],
    ['a non-http scheme', { url: 'file:///etc/passwd' }],
  ])('answers 400 for %s', async (_case, payload) => {
    const response = await t.app.inject({ method: 'POST', url: '/artifact/model', headers: auth(), payload });
    expect(response.statusCode).toBe(400);
  });

  it('answers 404 when the source url does not exist and 400 when it is not a zip, storing nothing', async () => {
    const missing = await t.app.inject({
      method: 'POST',
      url: '/artifact/model',
      headers: auth(),
      payload: { url: `${zipServer.url}/nothing.zip` },
    });
    expect(missing.statusCode).toBe(404);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/artifact/model',
      headers: auth(),
      payload: { url: `${zipServer.url}/bad.zip` },
    });
    expect(bad.statusCode).toBe(400);
    expect((await listAll(t.app, token)).json()).toEqual([]);
  });

  it('answers 400 for an unknown type and for ids outside the pattern', async () => {
    expect((await t.app.inject({ url: '/artifacts/weights/abc', headers: auth() })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/artifacts/model/a_b', headers: auth() })).statusCode).toBe(400);
    expect(
      (await t.app.inject({ url: `/artifacts/model/${'a'.repeat(200)}`, headers: auth() })).statusCode,
    ).toBe(400);
  });

  it('answers 404 for an unknown id and for the right id under the wrong type', async () => {
    const id = await uploadOk(t.app, token, 'typed', await modelZip('typed'));
    expect((await t.app.inject({ url: '/artifacts/model/does-not-exist', headers: auth() })).statusCode).toBe(
      404,
    );
    expect((await t.app.inject({ url: `/artifacts/dataset/${id}`, headers: auth() })).statusCode).toBe(404);
  });

  it('updates from a new source when name and id match, and refuses mismatches', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/artifact/model',
      headers: auth(),
      payload: { url: `${zipServer.url}/models/tiny-bert.zip` },
    });
    const { id } = created.json().metadata;
    const put = (metadata: object, url = `${zipServer.url}/models/tiny-bert-v2.zip`) =>
      t.app.inject({
        method: 'PUT',
        url: `/artifacts/model/${id}`,
        headers: auth(),
        payload: { metadata, data: { url } },
      });

    expect((await put({ name: 'other', id, type: 'model' })).statusCode).toBe(400);
    expect((await put({ name: 'tiny-bert', id: 'other-id', type: 'model' })).statusCode).toBe(400);
    const ok = await put({ name: 'tiny-bert', id, type: 'model' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().data.url).toBe(`${zipServer.url}/models/tiny-bert-v2.zip`);

    const regex = await t.app.inject({
      method: 'POST',
      url: '/artifact/byRegEx',
      headers: auth(),
      payload: { regex: 'Version two' },
    });
    expect(regex.json()).toEqual([{ name: 'tiny-bert', id, type: 'model' }]);

    const failed = await put({ name: 'tiny-bert', id, type: 'model' }, `${zipServer.url}/bad.zip`);
    expect(failed.statusCode).toBe(400);
    const after = await t.app.inject({ url: `/artifacts/model/${id}`, headers: auth() });
    expect(after.json().data.url).toBe(`${zipServer.url}/models/tiny-bert-v2.zip`);

    const audit = await t.app.inject({ url: `/artifact/model/${id}/audit`, headers: auth() });
    expect(audit.json().map((e: { action: string }) => e.action)).toEqual(['UPDATE', 'CREATE']);
    expect(audit.json()[0]).toMatchObject({
      user: { name: 'ece30861defaultadminuser', is_admin: true },
      artifact: { name: 'tiny-bert', id, type: 'model' },
    });
  });

  it('answers 404 when updating or deleting what does not exist', async () => {
    const put = await t.app.inject({
      method: 'PUT',
      url: '/artifacts/model/missing-id',
      headers: auth(),
      payload: {
        metadata: { name: 'x', id: 'missing-id', type: 'model' },
        data: { url: `${zipServer.url}/models/tiny-bert.zip` },
      },
    });
    expect(put.statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/artifacts/model/missing-id', headers: auth() }))
        .statusCode,
    ).toBe(404);
  });

  it('deletes an artifact and its bytes once nothing else refers to them', async () => {
    const zip = await modelZip('doomed');
    const keep = await uploadOk(t.app, token, 'keeper', zip);
    const doomed = await uploadOk(t.app, token, 'doomed', zip);
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/artifacts/model/${doomed}`,
      headers: auth(),
    });
    expect(removed.statusCode).toBe(200);
    expect((await t.app.inject({ url: `/artifacts/model/${doomed}`, headers: auth() })).statusCode).toBe(404);
    const download = await t.app.inject({ url: `/download/model/${keep}`, headers: auth() });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(zip)).toBe(true);
    await t.app.inject({ method: 'DELETE', url: `/artifacts/model/${keep}`, headers: auth() });
    expect(await t.app.registry.blobs.stat(sha256(zip))).toBeNull();
  });

  describe('uploads', () => {
    it('accepts a zip with a version and refuses a malformed version', async () => {
      const ok = await uploadZip(t.app, token, 'versioned', await modelZip('versioned'), {
        version: '1.2.3',
      });
      expect(ok.statusCode).toBe(201);
      const bad = await uploadZip(t.app, token, 'versioned', await modelZip('versioned'), { version: 'one' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toMatch(/semantic version/);
    });

    it.each([
      ['a reserved name', '*'],
      ['a name with control characters', 'a\u0001b'],
      ['a name with non-keyboard characters', 'modèle'],
    ])('refuses %s', async (_case, name) => {
      const response = await uploadZip(t.app, token, name, await modelZip('n'));
      expect(response.statusCode).toBe(400);
    });

    it('refuses bodies that are not zips, zip-slip paths and packages over the size limit, keeping what is stored', async () => {
      await uploadOk(t.app, token, 'survivor', await modelZip('survivor'));
      const notZip = await uploadZip(t.app, token, 'junk', Buffer.from('hello'));
      expect(notZip.statusCode).toBe(400);
      // yazl refuses to write a zip-slip name, so write a same-length name and patch the bytes.
      const safe = await makeZip([{ path: 'AA/AA/etc/evil.sh', content: 'x' }]);
      const evil = Buffer.from(safe.toString('latin1').replaceAll('AA/AA/', '../../'), 'latin1');
      const slip = await uploadZip(t.app, token, 'slip', evil);
      expect(slip.statusCode).toBe(400);
      const huge = await makeZip([
        { path: 'model.safetensors', content: pseudoRandomBytes(3 * 1024 * 1024), store: true },
      ]);
      const tooBig = await uploadZip(t.app, token, 'huge', huge);
      expect(tooBig.statusCode).toBe(413);
      expect(tooBig.json().message).toMatch(/bytes/);
      const all = (await listAll(t.app, token)).json();
      expect(all.map((a: { name: string }) => a.name)).toEqual(['survivor']);
    });

    it('refuses a JSON body on the upload route', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/artifact/model/upload?name=x',
        headers: auth(),
        payload: { url: 'x' },
      });
      expect(response.statusCode).toBe(400);
    });
  });
});
