import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratingRoutes } from '../../../../src/http/routes/rating.js';
import { modelZip } from '../../../support/zips.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';
import { uploadZip } from '../../support/unit-registry.js';

let h: RouteHarness;
let app: FastifyInstance;
let token: string;

beforeAll(async () => {
  h = await routeHarness([ratingRoutes]);
  app = h.app;
  token = await h.adminToken();
});
afterAll(() => h.close());

const rate = (id: string, query = '', authorization = token) =>
  app.inject({ url: `/artifact/model/${id}/rate${query}`, headers: { 'x-authorization': authorization } });

describe('GET /artifact/model/{id}/rate', () => {
  it('answers the contract ModelRating of an uploaded model and audits a RATE', async () => {
    const record = await uploadZip(h, 'model', 'rated-model', await modelZip('rated-model'));
    const response = await rate(record.id);
    expect(response.statusCode).toBe(200);
    const rating = response.json();
    expect(rating).toMatchObject({ name: 'rated-model', category: 'MODEL' });
    expect(rating.net_score).toBeGreaterThanOrEqual(0);
    expect(rating.net_score).toBeLessThanOrEqual(1);
    expect(rating).not.toHaveProperty('reasons');
    const trail = await h.registry.artifacts.auditTrail('model', record.id);
    expect(trail.items.map((entry) => entry.action)).toEqual(['RATE', 'CREATE']);
  });

  it('adds a reason per metric with explain=true', async () => {
    const record = await uploadZip(h, 'model', 'explained-model', await modelZip('explained-model'));
    const response = await rate(record.id, '?explain=true');
    expect(response.statusCode).toBe(200);
    const { reasons } = response.json();
    expect(Object.keys(reasons)).toEqual(expect.arrayContaining(['license', 'ramp_up_time', 'bus_factor']));
    for (const text of Object.values(reasons)) expect(typeof text).toBe('string');
  });

  it('answers 404 for an unknown model, 400 for a bad explain flag, 403 without the search permission', async () => {
    expect((await rate('missing-model')).statusCode).toBe(404);
    const record = await uploadZip(h, 'model', 'guarded', await modelZip('guarded'));
    expect((await rate(record.id, '?explain=perhaps')).statusCode).toBe(400);
    const uploader = await h.userToken('rater', { can_upload: true });
    expect((await rate(record.id, '', uploader)).statusCode).toBe(403);
  });
});
