import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  datasetInfo,
  downloadFile,
  fileExists,
  HubApiError,
  listFiles,
  modelInfo,
  pathsInfo,
  snapshotDownload,
} from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/security/passwords.js';
import { authenticate, startTestApp } from '../support/app.js';
import { type AppOnFixtures, startAppOnFixtures } from '../support/fixture-sources.js';
import { ingestOk, uploadOk } from '../support/requests.js';
import { makeZip, safetensorsBytes, sha256 } from '../support/zips.js';

const WEIGHTS = safetensorsBytes(300_000, 7);
const V1_FILES = [
  {
    path: 'demo/README.md',
    content: '---\nlicense: mit\npipeline_tag: text-classification\n---\n# demo v1\n',
  },
  { path: 'demo/config.json', content: '{"model_type":"bert"}' },
  { path: 'demo/model.safetensors', content: WEIGHTS, store: true },
  { path: 'demo/tokenizer/vocab.txt', content: 'hello\nworld\n'.repeat(2000) },
];
const V2_README = '# demo v2\n';

/** The registry token as the JS client wants it (`hf_` + the JWT). */
const hfToken = (registryToken: string) => `hf_${registryToken.replace(/^bearer\s+/i, '')}`;

describe('Hugging Face Hub-compatible API, driven by @huggingface/hub', () => {
  let f: AppOnFixtures;
  let hubUrl: string;
  let accessToken: string;
  let cacheDir: string;
  let v1Id: string;

  const client = () => ({ hubUrl, accessToken });
  const audit = async (id: string) =>
    (
      await f.t.app.inject({ url: `/artifact/model/${id}/audit`, headers: { 'x-authorization': f.token } })
    ).json() as { action: string }[];

  beforeAll(async () => {
    f = await startAppOnFixtures();
    await f.t.app.listen({ port: 0, host: '127.0.0.1' });
    hubUrl = `http://127.0.0.1:${(f.t.app.server.address() as AddressInfo).port}`;
    accessToken = hfToken(f.token);
    cacheDir = await mkdtemp(join(tmpdir(), 'hub-cache-'));
    v1Id = await uploadOk(f.t.app, f.token, 'acme/demo', await makeZip(V1_FILES), { version: '1.0.0' });
    const v2 = await makeZip([...V1_FILES.slice(1), { path: 'demo/README.md', content: V2_README }]);
    await uploadOk(f.t.app, f.token, 'acme/demo', v2, { version: '2.0.0' });
    await uploadOk(
      f.t.app,
      f.token,
      'acme/corpus',
      await makeZip([{ path: 'train.csv', content: 'a,b\n1,2\n' }]),
      {
        type: 'dataset',
      },
    );
    await ingestOk(f.t.app, f.token, 'model', 'https://huggingface.co/google-bert/bert-base-uncased');
    for (const [name, canDownload, canSearch] of [
      ['reader', false, true],
      ['fetcher', true, false],
    ] as const) {
      await f.t.app.registry.store.insertUser({
        name,
        passwordHash: await new PasswordHasher(12).hash('pw-123456'),
        isAdmin: false,
        canUpload: false,
        canSearch,
        canDownload,
        createdAt: new Date(),
      });
    }
  }, 120_000);
  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true });
    await f.close();
  });

  it('modelInfo answers the newest version as main, and each version by its tag', async () => {
    const info = await modelInfo({ ...client(), name: 'acme/demo', additionalFields: ['sha', 'cardData'] });
    expect(info.name).toBe('acme/demo');
    expect(info.private).toBe(true);
    expect(info.sha).toMatch(/^[0-9a-f]{40}$/);
    const v1 = await modelInfo({
      ...client(),
      name: 'acme/demo',
      revision: 'v1.0.0',
      additionalFields: ['sha', 'cardData'],
    });
    expect(v1.id).toBe(v1Id);
    expect(v1.sha).not.toBe(info.sha);
    expect(v1.cardData).toMatchObject({ license: 'mit' });
    const byCommit = await modelInfo({
      ...client(),
      name: 'acme/demo',
      revision: v1.sha,
      additionalFields: ['sha'],
    });
    expect(byCommit.sha).toBe(v1.sha);
  });

  it('an ingested model keeps its Hub id and commit; the legacy id redirects to it', async () => {
    const upstream = f.sources.hub.repos.find((repo) => repo.id === 'google-bert/bert-base-uncased');
    const info = await modelInfo({
      ...client(),
      name: 'google-bert/bert-base-uncased',
      additionalFields: ['sha'],
    });
    expect(info.sha).toBe(upstream?.sha);
    expect(info.task).toBe('fill-mask');
    const legacy = await modelInfo({ ...client(), name: 'bert-base-uncased', additionalFields: ['sha'] });
    expect(legacy.name).toBe('google-bert/bert-base-uncased');

    const response = await f.t.app.inject({
      url: '/bert-base-uncased/resolve/main/config.json',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(response.statusCode).toBe(307);
    expect(response.headers.location).toBe('/google-bert/bert-base-uncased/resolve/main/config.json');
  });

  it('listFiles lists the package files without its top folder, by folder or recursively', async () => {
    const top = [];
    for await (const entry of listFiles({ ...client(), repo: 'acme/demo' }))
      top.push(`${entry.type}:${entry.path}`);
    expect(top).toEqual([
      'directory:tokenizer',
      'file:README.md',
      'file:config.json',
      'file:model.safetensors',
    ]);
    const all = [];
    for await (const entry of listFiles({ ...client(), repo: 'acme/demo', recursive: true })) all.push(entry);
    const weights = all.find((entry) => entry.path === 'model.safetensors');
    expect(weights).toMatchObject({ type: 'file', size: WEIGHTS.length });
    expect(weights?.oid).toMatch(/^[0-9a-f]{40}$/);
    expect(all.map((entry) => entry.path)).toContain('tokenizer/vocab.txt');
    const sub = [];
    for await (const entry of listFiles({ ...client(), repo: 'acme/demo', path: 'tokenizer' }))
      sub.push(entry.path);
    expect(sub).toEqual(['tokenizer/vocab.txt']);
  });

  it('downloadFile returns the stored bytes, stored and deflated entries alike', async () => {
    const weights = await downloadFile({ ...client(), repo: 'acme/demo', path: 'model.safetensors' });
    expect(sha256(Buffer.from(await (weights as Blob).arrayBuffer()))).toBe(sha256(WEIGHTS));
    const vocab = await downloadFile({ ...client(), repo: 'acme/demo', path: 'tokenizer/vocab.txt' });
    expect(await vocab?.text()).toBe('hello\nworld\n'.repeat(2000));
    const oldReadme = await downloadFile({
      ...client(),
      repo: 'acme/demo',
      path: 'README.md',
      revision: '1.0.0',
    });
    expect(await oldReadme?.text()).toContain('# demo v1');
    const newReadme = await downloadFile({ ...client(), repo: 'acme/demo', path: 'README.md' });
    expect(await newReadme?.text()).toBe(V2_README);
    expect(await downloadFile({ ...client(), repo: 'acme/demo', path: 'nope.bin' })).toBeNull();
  });

  it('fileExists and pathsInfo', async () => {
    expect(await fileExists({ ...client(), repo: 'acme/demo', path: 'config.json' })).toBe(true);
    expect(await fileExists({ ...client(), repo: 'acme/demo', path: 'missing.json' })).toBe(false);
    const info = await pathsInfo({
      ...client(),
      repo: 'acme/demo',
      paths: ['config.json', 'tokenizer', 'missing'],
      expand: true,
    });
    expect(info.map((entry) => [entry.type, entry.path])).toEqual([
      ['file', 'config.json'],
      ['directory', 'tokenizer'],
    ]);
    expect(info[0]?.lastCommit?.id).toMatch(/^[0-9a-f]{40}$/);
  });

  it('snapshotDownload fetches every file of an ingested model byte for byte', async () => {
    const folder = await snapshotDownload({ ...client(), repo: 'google-bert/bert-base-uncased', cacheDir });
    const upstream = f.sources.hub.repos.find((repo) => repo.id === 'google-bert/bert-base-uncased');
    expect(upstream?.files.length).toBeGreaterThan(3);
    for (const file of upstream?.files ?? []) {
      const local = await readFile(join(folder, file.path));
      expect(createHash('sha256').update(local).digest('hex'), file.path).toBe(file.content.sha256());
    }
  });

  it('datasets live under /datasets', async () => {
    const info = await datasetInfo({ ...client(), name: 'acme/corpus' });
    expect(info.name).toBe('acme/corpus');
    const csv = await downloadFile({
      ...client(),
      repo: { type: 'dataset', name: 'acme/corpus' },
      path: 'train.csv',
    });
    expect(await csv?.text()).toBe('a,b\n1,2\n');
    await expect(modelInfo({ ...client(), name: 'acme/corpus' })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('serves ranges, HEAD and conditional requests with the headers the clients read', async () => {
    const url = '/acme/demo/resolve/main/model.safetensors';
    const headers = { authorization: `Bearer ${accessToken}` };
    const head = await f.t.app.inject({ method: 'HEAD', url, headers });
    expect(head.statusCode).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(WEIGHTS.length);
    expect(head.headers['x-repo-commit']).toMatch(/^[0-9a-f]{40}$/);
    expect(head.headers['x-linked-size']).toBe(String(WEIGHTS.length));
    expect(head.headers['accept-ranges']).toBe('bytes');
    const etag = head.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    const part = await f.t.app.inject({ url, headers: { ...headers, range: 'bytes=1000-1999' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${WEIGHTS.length}`);
    expect(part.rawPayload.equals(WEIGHTS.subarray(1000, 2000))).toBe(true);
    const deflated = await f.t.app.inject({
      url: '/acme/demo/resolve/main/tokenizer/vocab.txt',
      headers: { ...headers, range: 'bytes=6-10' },
    });
    expect(deflated.statusCode).toBe(206);
    expect(deflated.body).toBe('world');
    const cached = await f.t.app.inject({ url, headers: { ...headers, 'if-none-match': etag } });
    expect(cached.statusCode).toBe(304);
    const beyond = await f.t.app.inject({ url, headers: { ...headers, range: `bytes=${WEIGHTS.length}-` } });
    expect(beyond.statusCode).toBe(416);
  });

  it('answers the Hub error codes: unknown repo, revision and file', async () => {
    const headers = { authorization: `Bearer ${accessToken}` };
    const repo = await f.t.app.inject({ url: '/api/models/acme/unknown', headers });
    expect([repo.statusCode, repo.headers['x-error-code']]).toEqual([404, 'RepoNotFound']);
    expect(repo.json().error).toBe('RepoNotFound');
    const revision = await f.t.app.inject({ url: '/acme/demo/resolve/9.9.9/config.json', headers });
    expect([revision.statusCode, revision.headers['x-error-code']]).toEqual([404, 'RevisionNotFound']);
    const entry = await f.t.app.inject({ method: 'HEAD', url: '/acme/demo/resolve/main/nope.txt', headers });
    expect([entry.statusCode, entry.headers['x-error-code']]).toEqual([404, 'EntryNotFound']);
    expect(entry.headers['x-repo-commit']).toMatch(/^[0-9a-f]{40}$/);
    // A public Hub model that was never ingested is not fetched for the caller.
    const notIngested = await f.t.app.inject({ url: '/api/models/openai/whisper-tiny', headers });
    expect(notIngested.statusCode).toBe(404);
  });

  it('refuses without a token (401 RepoNotFound), with a bad one, and without the download permission', async () => {
    const anonymous = await f.t.app.inject({ url: '/acme/demo/resolve/main/config.json' });
    expect([anonymous.statusCode, anonymous.headers['x-error-code']]).toEqual([401, 'RepoNotFound']);
    await expect(downloadFile({ hubUrl, repo: 'acme/demo', path: 'config.json' })).rejects.toMatchObject({
      statusCode: 401,
    });
    await expect(
      downloadFile({ hubUrl, accessToken: 'hf_not-a-token', repo: 'acme/demo', path: 'config.json' }),
    ).rejects.toBeInstanceOf(HubApiError);

    const reader = hfToken(await authenticate(f.t.app, 'reader', 'pw-123456'));
    // Metadata is readable with the search permission ...
    expect((await modelInfo({ hubUrl, accessToken: reader, name: 'acme/demo' })).name).toBe('acme/demo');
    // ... the bytes need download.
    const refused = await f.t.app.inject({
      url: '/acme/demo/resolve/main/config.json',
      headers: { authorization: `Bearer ${reader}` },
    });
    expect([refused.statusCode, refused.headers['x-error-code']]).toEqual([403, 'GatedRepo']);
    await expect(
      downloadFile({ hubUrl, accessToken: reader, repo: 'acme/demo', path: 'config.json' }),
    ).rejects.toMatchObject({ statusCode: 403 });

    const fetcher = hfToken(await authenticate(f.t.app, 'fetcher', 'pw-123456'));
    const blob = await downloadFile({ hubUrl, accessToken: fetcher, repo: 'acme/demo', path: 'config.json' });
    expect(await blob?.text()).toBe('{"model_type":"bert"}');
  });

  it('audits a file download once: not the HEAD, the bytes=0-0 probe or a resumed chunk', async () => {
    const before = (await audit(v1Id)).filter((entry) => entry.action === 'DOWNLOAD').length;
    const url = '/acme/demo/resolve/1.0.0/model.safetensors';
    const headers = { authorization: `Bearer ${accessToken}` };
    await f.t.app.inject({ method: 'HEAD', url, headers });
    await f.t.app.inject({ url, headers: { ...headers, range: 'bytes=0-0' } });
    await f.t.app.inject({ url, headers: { ...headers, range: 'bytes=0-999' } });
    await f.t.app.inject({ url, headers: { ...headers, range: 'bytes=1000-' } });
    const after = (await audit(v1Id)).filter((entry) => entry.action === 'DOWNLOAD').length;
    expect(after - before).toBe(1);
  });

  it('spends the token budget like every registry call, then answers 401', async () => {
    const small = await startTestApp({ TOKEN_MAX_USES: '2' });
    try {
      const headers = { authorization: `Bearer ${hfToken(await small.token())}` };
      for (let call = 0; call < 2; call += 1) {
        expect((await small.app.inject({ url: '/api/whoami-v2', headers })).statusCode).toBe(200);
      }
      const spent = await small.app.inject({ url: '/api/whoami-v2', headers });
      expect([spent.statusCode, spent.headers['x-error-code']]).toEqual([401, 'RepoNotFound']);
      expect(spent.json().message).toContain('used up');
    } finally {
      await small.close();
    }
  });

  it('is documented in the OpenAPI document as extensions', async () => {
    const doc = (await f.t.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/models/{namespace}/{repo_name}',
        '/api/models/{namespace}/{repo_name}/revision/{revision}',
        '/api/models/{namespace}/{repo_name}/tree/{revision}/{*}',
        '/api/datasets/{namespace}/{repo_name}/paths-info/{revision}',
        '/{namespace}/{repo_name}/resolve/{revision}/{*}',
        '/datasets/{namespace}/{repo_name}/resolve/{revision}/{*}',
      ]),
    );
  });
});
