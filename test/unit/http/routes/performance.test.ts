import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkloadRun } from '../../../../src/domain/workload.js';
import { performanceRoutes } from '../../../../src/http/routes/performance.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';

const MIB = 1024 * 1024;
let h: RouteHarness;
let app: FastifyInstance;
let admin: string;

beforeAll(async () => {
  // Packages of at most 1 MiB and a bit: a 1 MiB model passes the route's check but not, zipped, the store's.
  h = await routeHarness([performanceRoutes], { MAX_PACKAGE_BYTES: String(MIB + 1) });
  app = h.app;
  admin = await h.adminToken();
});
afterAll(() => h.close());

/** The server as if it listened at `address` (injected requests have no listener otherwise). */
function listeningAt(address: AddressInfo | string | null): void {
  Object.defineProperty(app.server, 'address', { value: () => address, configurable: true });
}

function run(overrides: Partial<WorkloadRun>): WorkloadRun {
  const at = new Date('2026-11-01T10:00:00.000Z');
  return {
    id: randomUUID(),
    status: 'done',
    parameters: { clients: 100, models: 500, modelSizeMb: 50 },
    startedBy: 'admin',
    completed: 100,
    total: 100,
    startedAt: at,
    finishedAt: new Date('2026-11-01T10:05:00.000Z'),
    updatedAt: at,
    components: { metadata: 'sqlite', blobs: 'filesystem' },
    results: {
      requests: 100,
      bytes: 5_000_000_000,
      throughputMbps: 133.3,
      latencyMs: { mean: 5, median: 4, p99: 9 },
    },
    error: null,
    ...overrides,
  };
}

const call = (method: 'GET' | 'POST', url: string, payload?: unknown, authorization = admin) =>
  app.inject({ method, url, payload: payload as never, headers: { 'x-authorization': authorization } });

describe('GET /performance/workloads', () => {
  it('lists kept runs in the API shape, and answers one by id (404 for an unknown one)', async () => {
    const done = run({});
    await h.registry.store.workloads.insert(done);
    const listed = await call('GET', '/performance/workloads');
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toContainEqual({
      id: done.id,
      status: 'done',
      parameters: { clients: 100, models: 500, model_size_mb: 50 },
      started_by: 'admin',
      progress: { completed: 100, total: 100 },
      started_at: '2026-11-01T10:00:00.000Z',
      finished_at: '2026-11-01T10:05:00.000Z',
      components: { metadata: 'sqlite', blobs: 'filesystem' },
      results: {
        requests: 100,
        bytes: 5_000_000_000,
        throughput_mbps: 133.3,
        latency_ms: { mean: 5, median: 4, p99: 9 },
      },
      error: null,
    });
    const one = await call('GET', `/performance/workloads/${done.id}`);
    expect(one.json().id).toBe(done.id);
    const missing = await call('GET', '/performance/workloads/no-such-run');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('NOT_FOUND');
  });

  it('is for administrators only (403)', async () => {
    const user = await h.userToken('perf-user', {
      can_upload: true,
      can_search: true,
      can_download: true,
    });
    expect((await call('GET', '/performance/workloads', undefined, user)).statusCode).toBe(403);
  });
});

describe('POST /performance/workloads', () => {
  it('answers 503 when the server does not listen on a TCP port (its clients would have nowhere to go)', async () => {
    listeningAt(null);
    const response = await call('POST', '/performance/workloads', {
      clients: 1,
      models: 1,
      model_size_mb: 1,
    });
    expect(response.statusCode).toBe(503);
    expect(response.json().message).toContain('the workload needs the server to listen on a TCP port');
  });

  it('refuses parameters out of range or unknown (400) and a model larger than the package limit (400)', async () => {
    listeningAt({ address: '127.0.0.1', family: 'IPv4', port: 8080 });
    expect((await call('POST', '/performance/workloads', { clients: 0 })).statusCode).toBe(400);
    expect((await call('POST', '/performance/workloads', { clients: 1, speed: 'fast' })).statusCode).toBe(
      400,
    );
    listeningAt({ address: '::1', family: 'IPv6', port: 8080 });
    // Left out, the parameters take their defaults: 100 clients, 500 models, one of 50 MiB (too big here).
    const defaults = await call('POST', '/performance/workloads', {});
    expect(defaults.statusCode).toBe(400);
    expect(defaults.json().message).toContain('model_size_mb 50 does not fit');
    const tooBig = await call('POST', '/performance/workloads', { model_size_mb: 2 });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json().message).toContain('does not fit the package size limit');
  });

  it('answers 409 while another instance runs one, and starts one (202) once none is active', async () => {
    listeningAt({ address: '::', family: 'IPv6', port: 8080 });
    const active = run({ status: 'running', updatedAt: new Date(), finishedAt: null, results: null });
    await h.registry.store.workloads.insert(active);
    const busy = await call('POST', '/performance/workloads', { clients: 1, models: 1, model_size_mb: 1 });
    expect(busy.statusCode).toBe(409);
    await h.registry.store.workloads.update({ ...active, status: 'done', finishedAt: new Date() });

    const started = await call('POST', '/performance/workloads', { clients: 1, models: 1, model_size_mb: 1 });
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({
      status: 'preparing',
      parameters: { clients: 1, models: 1, model_size_mb: 1 },
      progress: { completed: 0, total: 1 },
      finished_at: null,
      results: null,
      error: null,
    });
    // The 1 MiB model does not fit the 1 MiB + 1 byte limit once zipped: the run fails before any download.
    await h.registry.workloads.settled();
    const failed = await call('GET', `/performance/workloads/${started.json().id}`);
    expect(failed.json()).toMatchObject({ status: 'failed', results: null, error: expect.any(String) });
    expect(failed.json().finished_at).not.toBeNull();
  });
});
