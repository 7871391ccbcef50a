import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactRoutes } from '../../../../src/http/routes/artifacts.js';
import { makeZip, modelZip } from '../../../support/zips.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';
import { uploadZip } from '../../support/unit-registry.js';

describe('artifact routes', () => {
  let h: RouteHarness;
  let admin: string;
  let reader: string;
  beforeAll(async () => {
    h = await routeHarness([artifactRoutes], { PUBLIC_URL: 'https://registry.example' });
    admin = await h.adminToken();
    reader = await h.userToken('reader', { can_search: true });
    h.sources.serve('https://huggingface.co/org/tiny', { name: 'tiny', zip: await modelZip('tiny') });
    h.sources.serve('https://example.com/tiny-v2.zip', { name: 'tiny', zip: await modelZip('tiny', '# v2') });
  });
  afterAll(() => h.close());

  const as = (token: string) => ({ 'x-authorization': token });

  it('registers an artifact from a URL (201) with its links under PUBLIC_URL', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/artifact/model',
      headers: as(admin),
      payload: { url: 'https://huggingface.co/org/tiny' },
    });
    expect(response.statusCode).toBe(201);
    const { metadata, data } = response.json();
    expect(metadata).toMatchObject({ name: 'tiny', type: 'model' });
    expect(data).toEqual({
      url: 'https://huggingface.co/org/tiny',
      download_url: `https://registry.example/download/model/${metadata.id}`,
    });
  });

  it('answers the source error, 400 for a bad type or body, and 403 without the upload permission', async () => {
    const missing = await h.app.inject({
      method: 'POST',
      url: '/artifact/model',
      headers: as(admin),
      payload: { url: 'https://huggingface.co/org/none' },
    });
    expect(missing.statusCode).toBe(404);
    const badType = await h.app.inject({
      method: 'POST',
      url: '/artifact/widget',
      headers: as(admin),
      payload: { url: 'https://x' },
    });
    expect(badType.statusCode).toBe(400);
    const noUrl = await h.app.inject({
      method: 'POST',
      url: '/artifact/model',
      headers: as(admin),
      payload: {},
    });
    expect(noUrl.statusCode).toBe(400);
    expect(noUrl.json().error).toBe('BAD_REQUEST');
    const denied = await h.app.inject({
      method: 'POST',
      url: '/artifact/model',
      headers: as(reader),
      payload: { url: 'https://huggingface.co/org/tiny' },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().message).toBe('You do not have the upload permission.');
  });

  it('reads, updates and deletes an artifact by type and id', async () => {
    const record = await uploadZip(h, 'model', 'crud-model', await modelZip('crud-model'));
    const url = `/artifacts/model/${record.id}`;

    const read = await h.app.inject({ method: 'GET', url, headers: as(reader) });
    expect(read.statusCode).toBe(200);
    expect(read.json().metadata).toEqual({ name: 'crud-model', id: record.id, type: 'model' });
    expect(
      (await h.app.inject({ method: 'GET', url: `/artifacts/dataset/${record.id}`, headers: as(reader) }))
        .statusCode,
    ).toBe(404);

    const updated = await h.app.inject({
      method: 'PUT',
      url,
      headers: as(admin),
      payload: {
        metadata: { name: 'crud-model', id: record.id, type: 'model' },
        data: { url: 'https://example.com/tiny-v2.zip' },
      },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().data.url).toBe('https://example.com/tiny-v2.zip');
    expect((await h.registry.artifacts.get('model', record.id)).sourceUrl).toBe(
      'https://example.com/tiny-v2.zip',
    );

    const readerDelete = await h.app.inject({ method: 'DELETE', url, headers: as(reader) });
    expect(readerDelete.statusCode).toBe(403);
    const deleted = await h.app.inject({ method: 'DELETE', url, headers: as(admin) });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ message: 'Artifact is deleted.' });
    expect((await h.app.inject({ method: 'GET', url, headers: as(reader) })).statusCode).toBe(404);
  });

  describe('POST /artifact/:type/upload', () => {
    it('stores a zip body as a new artifact (201), named and versioned by the query', async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: '/artifact/code/upload?name=tool&version=1.2.3',
        headers: { ...as(admin), 'content-type': 'application/zip' },
        payload: await makeZip([{ path: 'main.py', content: 'print(1)\n' }]),
      });
      expect(response.statusCode).toBe(201);
      const { metadata } = response.json();
      expect(metadata).toMatchObject({ name: 'tool', type: 'code' });
      expect((await h.registry.artifacts.get('code', metadata.id)).version?.text).toBe('1.2.3');
    });

    it('refuses a JSON body (400), a missing name (400) and a body that is not a zip', async () => {
      const json = await h.app.inject({
        method: 'POST',
        url: '/artifact/code/upload?name=tool',
        headers: as(admin),
        payload: { zip: 'no' },
      });
      expect(json.statusCode).toBe(400);
      expect(json.json().message).toMatch(/Send the zip itself/);
      const unnamed = await h.app.inject({
        method: 'POST',
        url: '/artifact/code/upload',
        headers: { ...as(admin), 'content-type': 'application/zip' },
        payload: Buffer.from('x'),
      });
      expect(unnamed.statusCode).toBe(400);
      const garbage = await h.app.inject({
        method: 'POST',
        url: '/artifact/code/upload?name=junk',
        headers: { ...as(admin), 'content-type': 'application/octet-stream' },
        payload: Buffer.from('definitely not a zip archive'),
      });
      expect(garbage.statusCode).toBe(400);
    });
  });
});
