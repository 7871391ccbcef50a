import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { startZipServer, type ZipServer } from '../support/zip-server.js';
import { modelZip, sha256 } from '../support/zips.js';

describe('concurrent writes to one artifact', () => {
  let t: TestApp;
  let token: string;
  let zips: ZipServer;
  let original: Buffer;
  let replacement: Buffer;

  beforeAll(async () => {
    t = await startTestApp({ INGEST_ALLOW_PRIVATE_NETWORK: 'true', TOKEN_MAX_USES: '100000' });
    token = await t.token();
    original = await modelZip('contested', '# contested\n\nThe original.');
    replacement = await modelZip('contested', '# contested\n\nThe replacement.');
    zips = await startZipServer({ '/v1/contested.zip': original, '/v2/contested.zip': replacement });
  });
  afterAll(async () => {
    await zips?.close();
    await t?.close();
  });

  const auth = () => ({ 'x-authorization': token });

  it('answers every losing PUT 409 and every losing DELETE 404, never 5xx, when 30 PUTs of the same bytes race deletes', async () => {
    const rounds = 3;
    const statuses = { put: new Map<number, number>(), delete: new Map<number, number>() };
    for (let round = 0; round < rounds; round++) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/artifact/model',
        headers: auth(),
        payload: { url: `${zips.url}/v1/contested.zip` },
      });
      expect(created.statusCode, created.body).toBe(201);
      const { id } = created.json().metadata;
      const put = () =>
        t.app.inject({
          method: 'PUT',
          url: `/artifacts/model/${id}`,
          headers: auth(),
          payload: {
            metadata: { id, name: 'contested', type: 'model' },
            data: { url: `${zips.url}/v2/contested.zip` },
          },
        });
      const remove = () => t.app.inject({ method: 'DELETE', url: `/artifacts/model/${id}`, headers: auth() });
      // Deletes start once the first PUT has replaced the package and keep coming, so they land
      // while other PUTs are between storing their (identical) package and naming it.
      const puts = Array.from({ length: 30 }, put);
      await Promise.race(puts);
      const deletes: ReturnType<typeof remove>[] = [];
      for (let i = 0; i < 6; i++) {
        deletes.push(remove());
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const requests = [
        ...puts.map((response) => ({ kind: 'put' as const, response })),
        ...deletes.map((response) => ({ kind: 'delete' as const, response })),
      ];
      for (const { kind, response } of requests) {
        const { statusCode, body } = await response;
        statuses[kind].set(statusCode, (statuses[kind].get(statusCode) ?? 0) + 1);
        expect(statusCode, `${kind}: ${body}`).toBeLessThan(500);
      }
      // The artifact is gone and so are both packages: nothing leaked, nothing half-written.
      expect((await t.app.inject({ url: `/artifacts/model/${id}`, headers: auth() })).statusCode).toBe(404);
      expect(await t.app.registry.blobs.stat(sha256(original))).toBeNull();
      expect(await t.app.registry.blobs.stat(sha256(replacement))).toBeNull();
    }
    expect([...statuses.put.keys()].every((status) => [200, 404, 409].includes(status))).toBe(true);
    expect([...statuses.delete.keys()].every((status) => [200, 404].includes(status))).toBe(true);
    expect(statuses.delete.get(200)).toBe(rounds);
  });
});
