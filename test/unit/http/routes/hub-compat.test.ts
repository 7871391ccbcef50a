import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../../../src/domain/artifact.js';
import { hubCompatRoutes } from '../../../../src/http/routes/hub-compat/index.js';
import { DEFAULT_ADMIN_NAME } from '../../../../src/services/auth-service.js';
import { makeZip, safetensorsBytes } from '../../../support/zips.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';
import { uploadZip } from '../../support/unit-registry.js';

const WEIGHTS = safetensorsBytes(8192);
const COMMIT = 'c'.repeat(40);
let h: RouteHarness;
let app: FastifyInstance;
/** `Authorization` values as Hub clients send them: `Bearer hf_<token>`. */
let admin: string;
let v1: ArtifactRecord;
let v2: ArtifactRecord;

const bearer = (token: string) => `Bearer hf_${token.replace(/^bearer /, '')}`;

beforeAll(async () => {
  h = await routeHarness([hubCompatRoutes]);
  app = h.app;
  admin = bearer(await h.adminToken());
  const files = (version: string) => [
    { path: 'demo/README.md', content: `---\nlicense: mit\ntags: [nlp]\n---\n# demo ${version}` },
    { path: 'demo/config.json', content: '{"model_type":"bert"}' },
    { path: 'demo/model.safetensors', content: WEIGHTS, store: true },
    { path: 'demo/tokenizer/vocab.txt', content: 'hello world' },
  ];
  v1 = await uploadZip(h, 'model', 'acme/demo', await makeZip(files('1')), '1.0.0');
  v2 = await uploadZip(h, 'model', 'acme/demo', await makeZip(files('2')), '2.0.0');
  await uploadZip(h, 'dataset', 'acme/corpus', await makeZip([{ path: 'train.csv', content: 'a,b\n1,2\n' }]));
  // As an ingest from the Hub stores it: named by its last segment, with the Hub id and commit.
  const bert = await uploadZip(h, 'model', 'bert', await makeZip([{ path: 'config.json', content: '{}' }]));
  await h.registry.store.replaceArtifact(
    {
      ...bert,
      sourceUrl: 'https://huggingface.co/google-bert/bert',
      sourceMetadata: {
        kind: 'hf-model',
        repoId: 'google-bert/bert',
        sha: COMMIT,
        pipelineTag: 'fill-mask',
        libraryName: 'transformers',
        tags: ['bert', 42],
        card: { metadata: { license: 'apache-2.0' } },
      },
    },
    bert.updatedAt,
  );
});
afterAll(() => h.close());

const get = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
  app.inject({ method, url, headers: { authorization: admin, ...headers } });

describe('whoami', () => {
  it('names the owner of the bearer token (with or without the hf_ prefix)', async () => {
    const response = await get('/api/whoami-v2');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ type: 'user', name: DEFAULT_ADMIN_NAME, orgs: [] });
    const plain = await app.inject({
      url: '/api/whoami-v2',
      headers: { authorization: (await h.adminToken()).replace(/^bearer/, 'Bearer') },
    });
    expect(plain.json().name).toBe(DEFAULT_ADMIN_NAME);
  });

  it('answers 401 RepoNotFound without a token and with a bad one, as the Hub does for a private repo', async () => {
    const anonymous = await app.inject({ url: '/api/whoami-v2' });
    expect([anonymous.statusCode, anonymous.headers['x-error-code']]).toEqual([401, 'RepoNotFound']);
    expect(anonymous.headers['x-error-message']).toContain('Authentication required');
    const bad = await app.inject({ url: '/api/whoami-v2', headers: { authorization: 'Bearer hf_nonsense' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ error: 'RepoNotFound' });
    expect(bad.json().message).toMatch(/^Invalid credentials in Authorization header/);
  });
});

describe('repo info and refs', () => {
  it('answers the newest version as main: sha, siblings without the top folder, card data', async () => {
    const response = await get('/api/models/acme/demo');
    expect(response.statusCode).toBe(200);
    const info = response.json();
    expect(info).toMatchObject({
      _id: v2.id,
      id: 'acme/demo',
      modelId: 'acme/demo',
      author: 'acme',
      sha: v2.packageDigest.slice(0, 40),
      private: true,
      cardData: { license: 'mit', tags: ['nlp'] },
      modelguard: { artifact_id: v2.id, name: 'acme/demo', version: '2.0.0' },
    });
    expect(info.siblings.map((s: { rfilename: string }) => s.rfilename).sort()).toEqual([
      'README.md',
      'config.json',
      'model.safetensors',
      'tokenizer/vocab.txt',
    ]);
    expect(info.siblings[0]).not.toHaveProperty('size');
  });

  it('answers a version by its tag, with sizes and blob ids when asked, or only the expanded keys', async () => {
    const info = (await get('/api/models/acme/demo/revision/v1.0.0?blobs=true')).json();
    expect(info.sha).toBe(v1.packageDigest.slice(0, 40));
    const weights = info.siblings.find((s: { rfilename: string }) => s.rfilename === 'model.safetensors');
    expect(weights).toEqual({
      rfilename: 'model.safetensors',
      size: WEIGHTS.length,
      blobId: expect.any(String),
    });
    const expanded = (await get('/api/models/acme/demo?expand=sha&expand=lastModified')).json();
    expect(Object.keys(expanded).sort()).toEqual(['_id', 'id', 'lastModified', 'sha']);
  });

  it('keeps an ingested model’s Hub id, commit and pipeline tag', async () => {
    const info = (await get('/api/models/google-bert/bert')).json();
    expect(info).toMatchObject({
      id: 'google-bert/bert',
      sha: COMMIT,
      pipeline_tag: 'fill-mask',
      library_name: 'transformers',
      tags: ['bert'],
      cardData: { license: 'apache-2.0' },
    });
  });

  it('answers a bare, unversioned upload without author, card data or tags', async () => {
    const solo = await uploadZip(
      h,
      'model',
      'solo',
      await makeZip([{ path: 'weights.safetensors', content: WEIGHTS, store: true }]),
    );
    const info = (await get('/api/models/solo')).json();
    expect(info).toMatchObject({ id: 'solo', author: null, tags: [], sha: solo.packageDigest.slice(0, 40) });
    expect(info).not.toHaveProperty('cardData');
    expect(info).not.toHaveProperty('pipeline_tag');
    const tree = (await get('/api/models/solo/tree/main?expand=true')).json();
    expect(tree[0].lastCommit.title).toBe('solo');
    const refs = (await get('/api/models/solo/refs')).json();
    expect(refs).toEqual({
      branches: [{ name: 'main', ref: 'refs/heads/main', targetCommit: solo.packageDigest.slice(0, 40) }],
      converts: [],
      tags: [],
    });
  });

  it('lists main and one tag per version', async () => {
    const refs = (await get('/api/models/acme/demo/refs')).json();
    expect(refs.branches).toEqual([
      { name: 'main', ref: 'refs/heads/main', targetCommit: v2.packageDigest.slice(0, 40) },
    ]);
    expect(refs.tags.map((tag: { name: string }) => tag.name)).toEqual(['2.0.0', '1.0.0']);
  });

  it('answers datasets under /api/datasets, without model fields', async () => {
    const info = (await get('/api/datasets/acme/corpus')).json();
    expect(info).toMatchObject({ id: 'acme/corpus', author: 'acme' });
    expect(info).not.toHaveProperty('modelId');
    expect((await get('/api/models/acme/corpus')).statusCode).toBe(404);
  });

  it('redirects a legacy bare id to the canonical one with a relative 307', async () => {
    const info = await get('/api/models/bert/revision/main');
    expect(info.statusCode).toBe(307);
    expect(info.headers.location).toBe('/api/models/google-bert/bert/revision/main');
    const file = await get('/bert/resolve/main/config.json');
    expect(file.statusCode).toBe(307);
    expect(file.headers.location).toBe('/google-bert/bert/resolve/main/config.json');
  });

  it('answers the Hub error codes for an unknown repo or revision', async () => {
    const repo = await get('/api/models/acme/unknown');
    expect([repo.statusCode, repo.headers['x-error-code']]).toEqual([404, 'RepoNotFound']);
    expect(repo.json()).toEqual({
      error: 'RepoNotFound',
      message: 'Repository acme/unknown is not in this registry.',
    });
    const revision = await get('/api/models/acme/demo/revision/9.9.9');
    expect([revision.statusCode, revision.headers['x-error-code']]).toEqual([404, 'RevisionNotFound']);
  });
});

describe('tree and paths-info', () => {
  it('lists a folder, or everything beneath it recursively, with the last commit when expanded', async () => {
    const top = (await get('/api/models/acme/demo/tree/main')).json();
    expect(top.map((e: { path: string; type: string }) => `${e.type}:${e.path}`).sort()).toEqual([
      'directory:tokenizer',
      'file:README.md',
      'file:config.json',
      'file:model.safetensors',
    ]);
    const folder = (await get('/api/models/acme/demo/tree/1.0.0/tokenizer?expand=true')).json();
    expect(folder).toEqual([
      expect.objectContaining({
        type: 'file',
        path: 'tokenizer/vocab.txt',
        size: 11,
        lastCommit: expect.objectContaining({ id: v1.packageDigest.slice(0, 40), title: 'acme/demo 1.0.0' }),
      }),
    ]);
    const all = (await get('/api/models/acme/demo/tree/main?recursive=true')).json();
    expect(all.some((e: { path: string }) => e.path === 'tokenizer/vocab.txt')).toBe(true);
    const missing = await get('/api/models/acme/demo/tree/main/nope');
    expect([missing.statusCode, missing.headers['x-error-code']]).toEqual([404, 'EntryNotFound']);
  });

  it('pages 1000 entries at a time and names the next page in the Link header', async () => {
    const many = await makeZip(Array.from({ length: 1001 }, (_, i) => ({ path: `f${i}.txt`, content: 'x' })));
    await uploadZip(h, 'dataset', 'acme/many', many);
    const first = await get('/api/datasets/acme/many/tree/main');
    expect(first.json()).toHaveLength(1000);
    expect(first.headers.link).toBe(
      '<http://localhost/api/datasets/acme/many/tree/main?cursor=1000>; rel="next"',
    );
    const second = await get('/api/datasets/acme/many/tree/main?cursor=1000');
    expect(second.json()).toHaveLength(1);
    expect(second.headers.link).toBeUndefined();
    // A malformed cursor is the registry's own 400, not a Hub error.
    const bad = await get('/api/datasets/acme/many/tree/main?cursor=abc');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['x-error-code']).toBeUndefined();
  });

  it('answers the entries among the paths asked for, as JSON or as the form huggingface_hub posts', async () => {
    const json = await app.inject({
      method: 'POST',
      url: '/api/models/acme/demo/paths-info/main',
      headers: { authorization: admin },
      payload: { paths: ['config.json', 'tokenizer', 'absent.txt'] },
    });
    expect(json.statusCode).toBe(200);
    expect(json.json().map((e: { type: string; path: string }) => `${e.type}:${e.path}`)).toEqual([
      'file:config.json',
      'directory:tokenizer',
    ]);
    const form = await app.inject({
      method: 'POST',
      url: '/api/models/acme/demo/paths-info/main',
      headers: { authorization: admin, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'paths=config.json&expand=True',
    });
    expect(form.json()).toEqual([
      expect.objectContaining({ path: 'config.json', lastCommit: expect.any(Object) }),
    ]);
    const plainForm = await app.inject({
      method: 'POST',
      url: '/api/models/acme/demo/paths-info/main',
      headers: { authorization: admin, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'paths=config.json&paths=README.md',
    });
    expect(plainForm.json().map((e: { path: string }) => e.path)).toEqual(['config.json', 'README.md']);
    expect(plainForm.json()[0]).not.toHaveProperty('lastCommit');
    const single = await app.inject({
      method: 'POST',
      url: '/api/models/acme/demo/paths-info/main',
      headers: { authorization: admin },
      payload: { paths: 'README.md' },
    });
    expect(single.json()).toEqual([expect.objectContaining({ path: 'README.md', type: 'file' })]);
  });
});

describe('file downloads', () => {
  const url = '/acme/demo/resolve/main/model.safetensors';

  it('HEAD gives the headers the clients read: commit, ETag, length, linked size for weights', async () => {
    const head = await get(url, {}, 'HEAD');
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-repo-commit']).toBe(v2.packageDigest.slice(0, 40));
    expect(Number(head.headers['content-length'])).toBe(WEIGHTS.length);
    expect(head.headers['x-linked-size']).toBe(String(WEIGHTS.length));
    expect(head.headers['x-linked-etag']).toBe(head.headers.etag);
    expect(head.headers['accept-ranges']).toBe('bytes');
    expect(head.body).toBe('');
  });

  it('GET sends the bytes; ranges give 206, a matching If-None-Match 304', async () => {
    const full = await get(url);
    expect(full.statusCode).toBe(200);
    expect(full.rawPayload.equals(WEIGHTS)).toBe(true);
    const part = await get(url, { range: 'bytes=100-199' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${WEIGHTS.length}`);
    expect(part.rawPayload.equals(WEIGHTS.subarray(100, 200))).toBe(true);
    const cached = await get(url, { 'if-none-match': String(full.headers.etag) });
    expect(cached.statusCode).toBe(304);
  });

  it('serves deflated files and datasets, raw like resolve, without linked-size headers', async () => {
    const vocab = await get('/acme/demo/raw/1.0.0/tokenizer/vocab.txt');
    expect(vocab.statusCode).toBe(200);
    expect(vocab.body).toBe('hello world');
    expect(vocab.headers['x-linked-size']).toBeUndefined();
    const csv = await get('/datasets/acme/corpus/resolve/main/train.csv');
    expect(csv.body).toBe('a,b\n1,2\n');
  });

  it('audits one DOWNLOAD per GET of a file', async () => {
    const before = (await h.registry.artifacts.auditTrail('model', v1.id)).items.length;
    await get('/acme/demo/resolve/1.0.0/config.json');
    const trail = await h.registry.artifacts.auditTrail('model', v1.id);
    expect(trail.items.length).toBe(before + 1);
    expect(trail.items[0]?.action).toBe('DOWNLOAD');
  });

  it('answers 404 EntryNotFound for an unknown file (with the commit), 403 GatedRepo without download', async () => {
    const missing = await get('/acme/demo/resolve/main/nope.txt', {}, 'HEAD');
    expect([missing.statusCode, missing.headers['x-error-code']]).toEqual([404, 'EntryNotFound']);
    expect(missing.headers['x-repo-commit']).toBe(v2.packageDigest.slice(0, 40));
    const reader = bearer(await h.userToken('hub-reader', { can_search: true }));
    expect(
      (await app.inject({ url: '/api/models/acme/demo', headers: { authorization: reader } })).statusCode,
    ).toBe(200);
    const refused = await app.inject({ url, headers: { authorization: reader } });
    expect([refused.statusCode, refused.headers['x-error-code']]).toEqual([403, 'GatedRepo']);
  });
});
