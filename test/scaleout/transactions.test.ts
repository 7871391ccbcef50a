import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConsistency } from '../../src/services/consistency-check.js';
import { authenticate } from '../support/app.js';
import { uploadOk } from '../support/requests.js';
import { disposeSharedS3rver } from '../support/test-storage.js';
import { startZipServer, type ZipServer } from '../support/zip-server.js';
import { modelZip } from '../support/zips.js';
import { type Cluster, startCluster } from './cluster.js';
import { listEverything } from './consistency.js';

afterAll(() => disposeSharedS3rver());

describe('group transactions on two instances sharing PostgreSQL and S3', () => {
  let cluster: Cluster;
  let a: FastifyInstance;
  let b: FastifyInstance;
  let token: string;
  let zips: ZipServer;

  beforeAll(async () => {
    cluster = await startCluster({ TOKEN_MAX_USES: '100000' });
    [a, b] = cluster.apps;
    token = await authenticate(a);
    zips = await startZipServer({
      '/replacement.zip': await modelZip('contested', '# contested\n\nReplaced.'),
    });
  });
  afterAll(async () => {
    await zips?.close();
    await cluster?.close();
  });

  const headers = () => ({ 'x-authorization': token });
  async function open(app: FastifyInstance): Promise<string> {
    const response = await app.inject({ method: 'POST', url: '/transactions', headers: headers() });
    expect(response.statusCode).toBe(201);
    return response.json().id;
  }
  async function append(app: FastifyInstance, id: string, command: object): Promise<void> {
    const response = await app.inject({
      method: 'POST',
      url: `/transactions/${id}/commands`,
      headers: headers(),
      payload: command,
    });
    expect(response.statusCode, response.body).toBe(201);
  }
  async function appendUpload(app: FastifyInstance, id: string, name: string): Promise<void> {
    const response = await app.inject({
      method: 'POST',
      url: `/transactions/${id}/commands/upload?type=model&name=${name}`,
      headers: { ...headers(), 'content-type': 'application/zip' },
      payload: await modelZip(name),
    });
    expect(response.statusCode, response.body).toBe(201);
  }
  const execute = (app: FastifyInstance, id: string) =>
    app.inject({ method: 'POST', url: `/transactions/${id}/execute`, headers: headers() });

  it('lets exactly one of two conflicting transactions executed at once on different instances apply, wholly', async () => {
    const rounds = 4;
    for (let round = 0; round < rounds; round++) {
      const contested = await uploadOk(a, token, `contested-${round}`, await modelZip(`contested-${round}`));
      const first = await open(a);
      const second = await open(b);
      await appendUpload(a, first, `first-${round}`);
      await append(a, first, {
        op: 'update',
        type: 'model',
        id: contested,
        url: `${zips.url}/replacement.zip`,
      });
      await appendUpload(b, second, `second-${round}`);
      await append(b, second, { op: 'delete', type: 'model', id: contested });

      const [fromA, fromB] = await Promise.all([execute(a, first), execute(b, second)]);
      expect([fromA.statusCode, fromB.statusCode].sort(), `${fromA.body} ${fromB.body}`).toEqual([200, 409]);
      const names = (await listEverything(b, token)).map((artifact) => artifact.name);
      const winner = fromA.statusCode === 200 ? 'first' : 'second';
      const loser = winner === 'first' ? 'second' : 'first';
      expect(names).toContain(`${winner}-${round}`);
      expect(names).not.toContain(`${loser}-${round}`);
      expect(names.includes(`contested-${round}`)).toBe(winner === 'first');

      // Each instance answers what the first execute answered.
      const [againOnB, againOnA] = await Promise.all([execute(b, first), execute(a, second)]);
      expect([againOnB.statusCode, againOnB.json()]).toEqual([fromA.statusCode, fromA.json()]);
      expect([againOnA.statusCode, againOnA.json()]).toEqual([fromB.statusCode, fromB.json()]);
    }
    const registry = a.registry;
    const report = await checkConsistency(registry.store, registry.blobs, {
      repair: false,
      graceMs: 0,
      verifyDigests: true,
    });
    expect(report.packageProblems).toEqual([]);
    expect(report.orphans).toEqual([]);
  });

  it('applies one transaction executed on both instances at once exactly once, both answering alike', async () => {
    const id = await open(a);
    await appendUpload(a, id, 'once-only');
    const [fromA, fromB] = await Promise.all([execute(a, id), execute(b, id)]);
    expect(fromA.statusCode).toBe(200);
    expect([fromB.statusCode, fromB.json()]).toEqual([200, fromA.json()]);
    const names = (await listEverything(a, token)).map((artifact) => artifact.name);
    expect(names.filter((name) => name === 'once-only')).toHaveLength(1);
  });
});
