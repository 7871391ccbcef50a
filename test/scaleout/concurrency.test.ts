import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../support/app.js';
import { uploadOk, uploadZip } from '../support/requests.js';
import { disposeSharedS3rver } from '../support/test-storage.js';
import { startZipServer, type ZipServer } from '../support/zip-server.js';
import { modelZip } from '../support/zips.js';
import { type Cluster, startCluster } from './cluster.js';
import { expectEveryArtifactDownloads, listEverything } from './consistency.js';

afterAll(() => disposeSharedS3rver());

describe('two app instances sharing PostgreSQL and S3', () => {
  let cluster: Cluster;
  let a: FastifyInstance;
  let b: FastifyInstance;
  let token: string;
  let zips: ZipServer;
  const sources = new Map<string, Buffer>();

  beforeAll(async () => {
    cluster = await startCluster({ TOKEN_MAX_USES: '100000' });
    [a, b] = cluster.apps;
    // Tokens issued by one instance are honoured by the other: the signing key is in the database.
    token = await authenticate(a);
    for (const version of ['v1', 'v2', 'v3', 'v4']) {
      sources.set(`/${version}/contested.zip`, await modelZip('contested', `# contested\n\n${version}`));
    }
    zips = await startZipServer(Object.fromEntries(sources));
  });
  afterAll(async () => {
    await zips?.close();
    await cluster?.close();
  });

  const auth = () => ({ 'x-authorization': token });

  it('start together on a fresh schema and both report healthy components', async () => {
    for (const app of [a, b]) {
      const health = await app.inject({ url: '/health/components' });
      const statuses = health.json().components.map((c: { id: string; status: string }) => [c.id, c.status]);
      expect(statuses).toEqual([
        ['api', 'ok'],
        ['metadata-store', 'ok'],
        ['blob-store', 'ok'],
        ['monitor-sandbox', 'ok'],
      ]);
    }
  });

  it('lands every concurrent upload, storing identical packages once', async () => {
    await a.inject({ method: 'DELETE', url: '/reset', headers: auth() });
    const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const packages = new Map(await Promise.all(names.map(async (n) => [n, [await modelZip(n)]] as const)));
    const uploads = names.flatMap((name) =>
      [a, b].map((app) => uploadZip(app, token, name, packages.get(name)?.[0] as Buffer)),
    );
    const responses = await Promise.all(uploads);
    expect(responses.map((r) => r.statusCode)).toEqual(uploads.map(() => 201));

    expect(await listEverything(b, token)).toHaveLength(names.length * 2);
    const digests = await expectEveryArtifactDownloads(a, token, packages);
    expect(digests.size).toBe(names.length);
    expect(await cluster.storage.countBlobs()).toBe(names.length);
  });

  it('applies conflicting updates or answers 409, never losing one silently', async () => {
    const created = await a.inject({
      method: 'POST',
      url: '/artifact/model',
      headers: auth(),
      payload: { url: `${zips.url}/v1/contested.zip` },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json().metadata;
    const put = (app: FastifyInstance, version: string) =>
      app.inject({
        method: 'PUT',
        url: `/artifacts/model/${id}`,
        headers: auth(),
        payload: {
          metadata: { id, name: 'contested', type: 'model' },
          data: { url: `${zips.url}/${version}/contested.zip` },
        },
      });

    const attempts = ['v2', 'v3', 'v4'].flatMap((version) => [
      { version, response: put(a, version) },
      { version, response: put(b, version) },
    ]);
    const outcomes = await Promise.all(
      attempts.map(async ({ version, response }) => ({ version, status: (await response).statusCode })),
    );
    const applied = outcomes.filter((o) => o.status === 200);
    expect(outcomes.every((o) => o.status === 200 || o.status === 409)).toBe(true);
    expect(applied.length).toBeGreaterThan(0);

    // Every 200 is recorded as one update, and the final state is what one of them wrote.
    const audit = await b.inject({ url: `/artifact/model/${id}/audit`, headers: auth() });
    const updates = audit.json().filter((entry: { action: string }) => entry.action === 'UPDATE');
    expect(updates).toHaveLength(applied.length);
    const final = await b.inject({ url: `/artifacts/model/${id}`, headers: auth() });
    const finalUrl: string = final.json().data.url;
    expect(applied.map((o) => `${zips.url}/${o.version}/contested.zip`)).toContain(finalUrl);

    const download = await a.inject({ url: `/download/model/${id}`, headers: auth() });
    expect(download.rawPayload.equals(sources.get(new URL(finalUrl).pathname) as Buffer)).toBe(true);
  });

  it('deletes an artifact exactly once when both instances delete it at once', async () => {
    const id = await uploadOk(a, token, 'doomed', await modelZip('doomed'));
    const responses = await Promise.all(
      [a, b, a, b].map((app) =>
        app.inject({ method: 'DELETE', url: `/artifacts/model/${id}`, headers: auth() }),
      ),
    );
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 404, 404, 404]);
  });

  it('ends consistent after creates, updates and deletes of the same artifacts at once', async () => {
    await b.inject({ method: 'DELETE', url: '/reset', headers: auth() });
    const shared = await modelZip('shared');
    const expected = new Map<string, Buffer[]>([
      ['shared', [shared]],
      ['contested', [...sources.values()]],
    ]);
    // Several artifacts on one blob: deletes release it while uploads of the same bytes reuse it.
    const seeded = await Promise.all([1, 2, 3, 4].map(() => uploadOk(a, token, 'shared', shared)));
    const contested = await a.inject({
      method: 'POST',
      url: '/artifact/model',
      headers: auth(),
      payload: { url: `${zips.url}/v1/contested.zip` },
    });
    const contestedId: string = contested.json().metadata.id;
    const update = (app: FastifyInstance, version: string) =>
      app.inject({
        method: 'PUT',
        url: `/artifacts/model/${contestedId}`,
        headers: auth(),
        payload: {
          metadata: { id: contestedId, name: 'contested', type: 'model' },
          data: { url: `${zips.url}/${version}/contested.zip` },
        },
      });
    const remove = (app: FastifyInstance, id: string) =>
      app.inject({ method: 'DELETE', url: `/artifacts/model/${id}`, headers: auth() });

    const storm = await Promise.all([
      ...seeded.map((id, i) => remove(i % 2 ? a : b, id)),
      ...[a, b, a, b].map((app) => uploadZip(app, token, 'shared', shared)),
      update(a, 'v2'),
      update(b, 'v3'),
      remove(a, contestedId),
    ]);
    // Every answer is a definite outcome; 503 is the documented answer when a concurrent delete
    // collected the bytes an upload was about to reuse (the upload is undone).
    for (const response of storm)
      expect([200, 201, 404, 409, 503], response.body).toContain(response.statusCode);

    const digests = await expectEveryArtifactDownloads(b, token, expected);
    // Nothing leaked either: every stored blob belongs to a listed artifact.
    expect(await cluster.storage.countBlobs()).toBe(digests.size);
  });
});

describe('token budgets across instances', () => {
  let cluster: Cluster;
  afterAll(() => cluster?.close());

  it('refuses a token after TOKEN_MAX_USES calls spread over both instances', async () => {
    const maxUses = 10;
    cluster = await startCluster({ TOKEN_MAX_USES: String(maxUses) });
    const [a, b] = cluster.apps;
    const token = await authenticate(b);
    const calls = Array.from({ length: maxUses * 2 }, (_, i) =>
      (i % 2 ? a : b).inject({
        method: 'POST',
        url: '/artifacts',
        headers: { 'x-authorization': token },
        payload: [{ name: '*' }],
      }),
    );
    const statuses = (await Promise.all(calls)).map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(maxUses);
    expect(statuses.filter((s) => s === 403)).toHaveLength(maxUses);
  });
});
