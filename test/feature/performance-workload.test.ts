import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { userToken } from '../support/users.js';

/** The performance workload with small parameters, over real HTTP against the listening app. */
describe('POST /performance/workloads', () => {
  let t: TestApp;
  let token: string;
  const small = { clients: 3, models: 3, model_size_mb: 1 };

  const start = (payload: Record<string, unknown>, as = token) =>
    t.app.inject({
      method: 'POST',
      url: '/performance/workloads',
      headers: { 'x-authorization': as },
      payload,
    });
  const get = (url: string) => t.app.inject({ url, headers: { 'x-authorization': token } });

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    token = await t.token();
  });
  afterAll(async () => {
    await t.app.registry.workloads.settled();
    await t.close();
  });

  it('prepares the models, runs the clients and keeps the results; one run at a time', async () => {
    const started = await start(small);
    expect(started.statusCode).toBe(202);
    const run = started.json();
    expect(run).toMatchObject({
      status: 'preparing',
      parameters: small,
      progress: { completed: 0, total: 3 },
      finished_at: null,
      results: null,
      error: null,
    });
    expect(['sqlite', 'postgres']).toContain(run.components.metadata);
    expect(['filesystem', 's3']).toContain(run.components.blobs);
    expect((await start(small)).statusCode).toBe(409);

    await t.app.registry.workloads.settled();
    const done = (await get(`/performance/workloads/${run.id}`)).json();
    expect(done.error).toBeNull();
    expect(done.status).toBe('done');
    expect(done.progress).toEqual({ completed: 3, total: 3 });
    const [large] = await t.app.registry.store.findByName('perf-workload-tiny-llm-1mb', 2);
    const record = await t.app.registry.artifacts.get('model', large?.id ?? '');
    expect(record.packageSize).toBeGreaterThan(1024 * 1024);
    expect(done.results.requests).toBe(3);
    expect(done.results.bytes).toBe(3 * record.packageSize);
    expect(done.results.throughput_mbps).toBeGreaterThan(0);
    const { mean, median, p99 } = done.results.latency_ms;
    expect(mean).toBeGreaterThan(0);
    expect(median).toBeLessThanOrEqual(p99);
    expect(Date.parse(done.finished_at)).toBeGreaterThanOrEqual(Date.parse(done.started_at));
    // The downloads went through the real route: audited like any other.
    const trail = await t.app.registry.artifacts.auditTrail('model', record.id);
    expect(trail.items.filter((entry) => entry.action === 'DOWNLOAD')).toHaveLength(3);
  });

  it('reuses the stored models in later runs and lists runs newest first', async () => {
    const second = (await start(small)).json();
    await t.app.registry.workloads.settled();
    for (const name of [
      'perf-workload-model-0001',
      'perf-workload-model-0002',
      'perf-workload-tiny-llm-1mb',
    ]) {
      expect(await t.app.registry.store.findByName(name, 5)).toHaveLength(1);
    }
    const listed = (await get('/performance/workloads')).json();
    expect(listed[0].id).toBe(second.id);
    expect(listed[0].status).toBe('done');
    expect(listed).toHaveLength(2);
  });

  it('refuses bad parameters, unknown runs and non-admins', async () => {
    expect((await start({ clients: 0 })).statusCode).toBe(400);
    expect((await start({ models: 2001 })).statusCode).toBe(400);
    expect((await start({ colour: 'red' })).statusCode).toBe(400);
    expect((await get('/performance/workloads/no-such-run')).statusCode).toBe(404);
    const uploader = await userToken(t.app, token, 'perf-uploader', { can_upload: true });
    expect((await start(small, uploader)).statusCode).toBe(403);
  });
});
