import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineageRoutes } from '../../../../src/http/routes/lineage.js';
import { makeZip } from '../../../support/zips.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';
import { uploadZip } from '../../support/unit-registry.js';

let h: RouteHarness;
let app: FastifyInstance;
let token: string;

beforeAll(async () => {
  h = await routeHarness([lineageRoutes]);
  app = h.app;
  token = await h.adminToken();
});
afterAll(() => h.close());

const lineageOf = (id: string) =>
  app.inject({ url: `/artifact/model/${id}/lineage`, headers: { 'x-authorization': token } });

describe('GET /artifact/model/{id}/lineage', () => {
  it('links an uploaded model to the uploaded parent its card names', async () => {
    const parent = await uploadZip(
      h,
      'model',
      'base-model',
      await makeZip([{ path: 'README.md', content: '# base' }]),
    );
    const card = '---\nbase_model: base-model\n---\n# child\n';
    const child = await uploadZip(
      h,
      'model',
      'child-model',
      await makeZip([{ path: 'README.md', content: card }]),
    );
    const response = await lineageOf(child.id);
    expect(response.statusCode).toBe(200);
    const graph = response.json();
    expect(graph.nodes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ artifact_id: child.id, name: 'child-model' }),
        expect.objectContaining({ artifact_id: parent.id, name: 'base-model' }),
      ]),
    );
    expect(graph.edges).toEqual([
      expect.objectContaining({ from_node_artifact_id: parent.id, to_node_artifact_id: child.id }),
    ]);
  });

  it('answers 404 for an id that is not a model, and 400 for an id outside the contract pattern', async () => {
    const dataset = await uploadZip(h, 'dataset', 'd', await makeZip([{ path: 'a.csv', content: '1' }]));
    expect((await lineageOf(dataset.id)).statusCode).toBe(404);
    const bad = await lineageOf('not_valid!');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('BAD_REQUEST');
  });
});
