import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../support/registry-client.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { makeZip, safetensorsBytes, sha256, zipEntries } from '../support/zips.js';

/** The default admin's token on a running server. */
async function signIn(url: string): Promise<string> {
  return (await RegistryClient.signIn(url)).token;
}

describe('the real server process (npm start) on embedded storage', () => {
  let dataDir: string;
  let server: ServerProcess;
  let pkg: Buffer;
  let id: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'modelguard-e2e-'));
    pkg = await makeZip([
      { path: 'README.md', content: '# e2e-model\n\nAn end-to-end test model for sentiment analysis.' },
      { path: 'config.json', content: '{"model_type":"distilbert"}' },
      { path: 'tokenizer.json', content: '{"version":"1.0"}' },
      { path: 'model.safetensors', content: safetensorsBytes(5 * 1024 * 1024, 7), store: true },
    ]);
    server = await startServerProcess({ DATA_DIR: dataDir });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('uploads, searches and downloads (full, partial, ranged) with matching digests, and keeps it all across a restart', async () => {
    let token = await signIn(server.url);
    const upload = await fetch(`${server.url}/artifact/model/upload?name=e2e-model&version=1.0.0`, {
      method: 'POST',
      headers: { 'x-authorization': token, 'content-type': 'application/zip' },
      body: pkg,
    });
    expect(upload.status).toBe(201);
    const created = (await upload.json()) as { metadata: { id: string }; data: { download_url: string } };
    id = created.metadata.id;
    expect(created.data.download_url).toBe(`${server.url}/download/model/${id}`);

    const search = await fetch(`${server.url}/artifact/byRegEx`, {
      method: 'POST',
      headers: { 'x-authorization': token, 'content-type': 'application/json' },
      body: JSON.stringify({ regex: 'sentiment' }),
    });
    expect(await search.json()).toEqual([{ name: 'e2e-model', id, type: 'model' }]);

    const full = await fetch(created.data.download_url, { headers: { 'x-authorization': token } });
    expect(full.status).toBe(200);
    const fullBytes = Buffer.from(await full.arrayBuffer());
    expect(sha256(fullBytes)).toBe(sha256(pkg));
    expect(full.headers.get('etag')).toBe(`"sha256-${sha256(pkg)}"`);

    const ranged = await fetch(created.data.download_url, {
      headers: { 'x-authorization': token, range: 'bytes=1000000-1999999' },
    });
    expect(ranged.status).toBe(206);
    expect(sha256(Buffer.from(await ranged.arrayBuffer()))).toBe(sha256(pkg.subarray(1_000_000, 2_000_000)));

    const weights = await fetch(`${created.data.download_url}?aspect=weights`, {
      headers: { 'x-authorization': token },
    });
    const weightEntries = await zipEntries(Buffer.from(await weights.arrayBuffer()));
    const original = await zipEntries(pkg);
    expect([...weightEntries.keys()]).toEqual(['model.safetensors']);
    expect(weightEntries.get('model.safetensors')).toBe(original.get('model.safetensors'));

    await server.stop();
    server = await startServerProcess({ DATA_DIR: dataDir });
    token = await signIn(server.url);

    const listed = await fetch(`${server.url}/artifacts`, {
      method: 'POST',
      headers: { 'x-authorization': token, 'content-type': 'application/json' },
      body: JSON.stringify([{ name: 'e2e-model', version: '^1.0.0' }]),
    });
    expect(await listed.json()).toEqual([{ name: 'e2e-model', id, type: 'model' }]);
    const again = await fetch(`${server.url}/download/model/${id}`, {
      headers: { 'x-authorization': token },
    });
    expect(sha256(Buffer.from(await again.arrayBuffer()))).toBe(sha256(pkg));
    const audit = await fetch(`${server.url}/artifact/model/${id}/audit`, {
      headers: { 'x-authorization': token },
    });
    expect(((await audit.json()) as { action: string }[]).map((e) => e.action)).toEqual([
      'DOWNLOAD',
      'DOWNLOAD',
      'DOWNLOAD',
      'CREATE',
    ]);
  }, 300_000);
});
