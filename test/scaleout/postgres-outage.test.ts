import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../src/storage/blobs/fs-blob-store.js';
import { createPostgresStore } from '../../src/storage/metadata/postgres.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { dropSchema, TEST_DATABASE_URL, uniqueSchemaName } from '../support/postgres.js';
import { uploadOk, uploadZip } from '../support/requests.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { modelZip } from '../support/zips.js';
import { expectEveryArtifactDownloads, listEverything } from './consistency.js';

/**
 * The app on PostgreSQL through a loopback TCP proxy: closing the proxy takes the database away
 * from this app only, never from the server other tests share.
 */
/** PostgreSQL as seen through a fresh proxy: the proxy and a store using it. */
async function proxiedStore(schema: string) {
  const server = new URL(TEST_DATABASE_URL);
  const proxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
  const throughProxy = Object.assign(new URL(TEST_DATABASE_URL), {
    hostname: '127.0.0.1',
    port: String(proxy.port),
  });
  const store = createPostgresStore(throughProxy.href, {
    schema,
    poolSize: 2,
    connectTimeoutMs: 1_000,
    statementTimeoutMs: 2_000,
  });
  return { proxy, store };
}

describe('database outage', () => {
  const schema = uniqueSchemaName('mg_outage');
  let proxy: TcpProxy;
  let t: TestApp;
  let token: string;
  const packages = new Map<string, Buffer[]>();

  const list = () =>
    t.app.inject({
      method: 'POST',
      url: '/artifacts',
      headers: { 'x-authorization': token },
      payload: [{ name: '*' }],
    });
  const componentStatus = async (id: string) => {
    const health = await t.app.inject({ url: '/health/components' });
    return health.json().components.find((c: { id: string }) => c.id === id);
  };
  const expectDatabaseUnavailable = (response: Awaited<ReturnType<typeof list>>) => {
    expect(response.statusCode, response.body).toBe(503);
    expect(response.json()).toMatchObject({ error: 'COMPONENT_UNAVAILABLE' });
    expect(response.json().message).toMatch(/^database unavailable/);
  };

  beforeAll(async () => {
    let store: Awaited<ReturnType<typeof proxiedStore>>['store'];
    ({ proxy, store } = await proxiedStore(schema));
    t = await startTestApp({}, { store });
    token = await t.token();
    for (const name of ['first', 'second', 'third']) packages.set(name, [await modelZip(name)]);
    await uploadOk(t.app, token, 'first', packages.get('first')?.[0] as Buffer);
  });
  afterAll(async () => {
    await proxy?.restore();
    await t?.close();
    await proxy?.close();
    await dropSchema(schema);
  });

  it('answers 503 naming the database while it refuses connections', async () => {
    await proxy.refuse();
    expectDatabaseUnavailable(await list());
    expectDatabaseUnavailable(
      await t.app.inject({
        method: 'PUT',
        url: '/authenticate',
        payload: { user: { name: 'someone', is_admin: false }, secret: { password: 'x' } },
      }),
    );
    // Liveness does not depend on the database; the component report names the culprit.
    expect((await t.app.inject({ url: '/health' })).statusCode).toBe(200);
    const database = await componentStatus('metadata-store');
    expect(database.status).toBe('degraded');
    expect(database.issues[0].summary).toMatch(/^database unavailable/);
    expect((await componentStatus('blob-store')).status).toBe('ok');
  });

  it('resumes by itself when the database is back', async () => {
    await proxy.restore();
    expect((await list()).statusCode).toBe(200);
    expect((await componentStatus('metadata-store')).status).toBe('ok');
    await uploadOk(t.app, token, 'second', packages.get('second')?.[0] as Buffer);
  });

  it('answers 503 instead of hanging when the network path swallows packets, then recovers', async () => {
    proxy.blackhole();
    expectDatabaseUnavailable(await list());
    await proxy.restore();
    await uploadOk(t.app, token, 'third', packages.get('third')?.[0] as Buffer);
  });

  it('lost nothing across the outages', async () => {
    const names = (await listEverything(t.app, token)).map((a) => a.name);
    expect(names).toEqual(['first', 'second', 'third']);
    await expectEveryArtifactDownloads(t.app, token, packages);
  });
});

/** Filesystem blobs whose clear() takes the database away once the blobs are gone. */
class CutAfterClear extends FsBlobStore {
  cut: () => Promise<void> = async () => {};
  override async clear(): Promise<void> {
    await super.clear();
    await this.cut();
  }
}

// Found by the outage loop (test/scaleout/outage-loop.test.ts): a reset that lost the database
// after clearing the metadata could not end, and every write answered 409 "being reset" until the
// process restarted or someone reset again.
describe('database outage in the middle of a reset', () => {
  const schema = uniqueSchemaName('mg_outage_reset');
  let proxy: TcpProxy;
  let t: TestApp;
  let blobsDir: string;

  afterAll(async () => {
    await proxy?.restore();
    await t?.close();
    await proxy?.close();
    await dropSchema(schema);
    if (blobsDir) await rm(blobsDir, { recursive: true, force: true });
  });

  it('ends the reset by itself once the database is back, so writes resume without a restart', async () => {
    let store: Awaited<ReturnType<typeof proxiedStore>>['store'];
    ({ proxy, store } = await proxiedStore(schema));
    blobsDir = await mkdtemp(join(tmpdir(), 'mg-outage-reset-'));
    const blobs = new CutAfterClear(blobsDir);
    t = await startTestApp({}, { store, blobs });
    const token = await t.token();
    await uploadOk(t.app, token, 'doomed', await modelZip('doomed'));

    blobs.cut = () => proxy.refuse();
    const reset = await t.app.inject({
      method: 'DELETE',
      url: '/reset',
      headers: { 'x-authorization': token },
    });
    expect(reset.statusCode, reset.body).toBe(503);
    expect(reset.json().message).toMatch(/^database unavailable/);
    blobs.cut = async () => {};
    await proxy.restore();

    // Within a few seconds of the database's return, writes are accepted again.
    const after = await modelZip('after');
    let status = 0;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      status = (await uploadZip(t.app, token, 'after', after)).statusCode;
      if (status === 201) break;
      expect(status).toBe(409);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(201);
    expect((await listEverything(t.app, token)).map((a) => a.name)).toEqual(['after']);
  });
});
