import { afterEach, describe, expect, it, vi } from 'vitest';
import { ComponentUnavailableError } from '../../../../src/domain/errors.js';
import { healthRoutes } from '../../../../src/http/routes/health.js';
import { MAX_TRACKED_CLIENTS } from '../../../../src/observability/activity.js';
import type { Registry } from '../../../../src/registry.js';
import type { IsolationSupport } from '../../../../src/security/monitor-sandbox.js';
import { FsBlobStore } from '../../../../src/storage/blobs/fs-blob-store.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';

/** A blob store whose disk has gone away: its check fails as the real one reports it. */
class UnreachableBlobs extends FsBlobStore {
  override async ping(): Promise<void> {
    throw new ComponentUnavailableError('object store', 'the blob folder is not writable');
  }
}

afterEach(() => vi.restoreAllMocks());

/**
 * The health routes over a unit registry; the monitor sandbox's isolation probe spawns `unshare`
 * and `prlimit`, so what this host offers is given here instead.
 */
function healthHarness(
  isolation: IsolationSupport,
  blobs?: (dataDir: string) => FsBlobStore,
): Promise<RouteHarness> {
  const monitors = { isolationSupport: async () => isolation } as unknown as Registry['monitors'];
  return routeHarness(
    [healthRoutes],
    {},
    { adapt: (registry) => ({ ...registry, monitors }), ...(blobs ? { blobs } : {}) },
  );
}

const FULL = { network: true, memory: true };

describe('GET /health and /tracks', () => {
  it('answer without a token', async () => {
    const h = await healthHarness(FULL);
    const { app } = h;
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
    const tracks = await app.inject('/tracks');
    expect(tracks.statusCode).toBe(200);
    expect(tracks.json().plannedTracks).toContain('Performance track');
    await h.close();
  });
});

describe('GET /health/components', () => {
  it('reports the API, both stores and the sandbox as ok on a healthy host', async () => {
    const h = await healthHarness(FULL);
    const { app } = h;
    const response = await app.inject('/health/components');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.window_minutes).toBe(60);
    expect(body.components.map((c: { id: string }) => c.id)).toEqual([
      'api',
      'metadata-store',
      'blob-store',
      'monitor-sandbox',
    ]);
    for (const component of body.components) expect(component.status, component.id).toBe('ok');
    expect(body.components[1].display_name).toBe('Metadata store (sqlite)');
    expect(body.components[2].display_name).toBe('Blob store (filesystem)');
    expect(body.components[3].metrics).toEqual({ network_isolated: true, native_memory_limited: true });
    expect(body.components[0]).not.toHaveProperty('timeline');
    await h.close();
  });

  it('counts the window’s requests per route and type, with the timeline on request', async () => {
    const h = await healthHarness(FULL);
    const { registry, app } = h;
    const now = Date.now();
    registry.activity.record('GET /artifact/:artifact_type/:id', 'model', '10.0.0.1', false, now, 12);
    registry.activity.record('GET /artifact/:artifact_type/:id', 'model', '10.0.0.2', true, now, 30);
    registry.activity.record('GET /health', undefined, '10.0.0.1', false, now, 2);
    const response = await app.inject('/health/components?windowMinutes=5&includeTimeline=true');
    expect(response.statusCode).toBe(200);
    const api = response.json().components[0];
    expect(api.metrics).toMatchObject({
      total_requests: 3,
      error_responses: 1,
      unique_clients: 2,
      'route GET /artifact/:artifact_type/:id': 2,
      'route GET /health': 1,
      'type model': 2,
    });
    expect(api.metrics).not.toHaveProperty('unique_clients_capped');
    const busy = api.timeline.filter((t: { value: number }) => t.value > 0);
    expect(busy).toEqual([
      expect.objectContaining({ value: 3, unit: 'requests/min', errors: 1, max_latency_ms: 30 }),
    ]);
    await h.close();
  });

  it('says the client count is a lower bound once more clients came than are remembered', async () => {
    const h = await healthHarness(FULL);
    const { registry, app } = h;
    const now = Date.now();
    for (let i = 0; i <= MAX_TRACKED_CLIENTS; i++)
      registry.activity.record('GET /health', undefined, `c${i}`, false, now);
    const api = (await app.inject('/health/components')).json().components[0];
    expect(api.metrics.unique_clients_capped).toBe(true);
    await h.close();
  });

  it('marks an unreachable store degraded with its error, and partial isolation with what is missing', async () => {
    const h = await healthHarness({ network: false, memory: false }, (dir) => new UnreachableBlobs(dir));
    const { app } = h;
    const [, metadata, blobs, sandbox] = (await app.inject('/health/components')).json().components;
    expect(metadata.status).toBe('ok');
    expect(blobs).toMatchObject({
      status: 'degraded',
      issues: [{ code: 'UNREACHABLE', severity: 'error', summary: expect.stringContaining('not writable') }],
    });
    expect(sandbox.status).toBe('degraded');
    expect(sandbox.issues[0].code).toBe('PARTIAL_ISOLATION');
    expect(sandbox.issues[0].summary).toContain(
      'no a network namespace (unshare -n) and no a native memory limit (prlimit --data)',
    );
    await h.close();
  });

  it('marks a component degraded when its check is slower than two seconds', async () => {
    const h = await healthHarness({ network: true, memory: false });
    const { app } = h;
    // Each reading of the clock is 2.5 s after the previous one: every check takes longer than 2 s.
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += 2500));
    const response = await app.inject('/health/components');
    vi.restoreAllMocks();
    const [, metadata, blobs, sandbox] = response.json().components;
    for (const store of [metadata, blobs]) {
      expect(store.status).toBe('degraded');
      expect(store.issues).toEqual([
        {
          code: 'SLOW',
          severity: 'warning',
          summary: `Health check took ${store.metrics.check_latency_ms} ms.`,
        },
      ]);
    }
    expect(sandbox.issues[0].summary).toContain('no a native memory limit');
    expect(sandbox.issues[0].summary).not.toContain('network namespace');
    await h.close();
  });

  it('refuses a window outside 5..1440 minutes (400)', async () => {
    const h = await healthHarness(FULL);
    const { app } = h;
    expect((await app.inject('/health/components?windowMinutes=2')).statusCode).toBe(400);
    expect((await app.inject('/health/components?windowMinutes=1441')).statusCode).toBe(400);
    await h.close();
  });
});

describe('GET /health/logs', () => {
  it('gives administrators the newest lines, oldest first, up to the limit', async () => {
    const h = await healthHarness(FULL);
    const { app } = h;
    for (const msg of ['one', 'two', 'three']) {
      h.registry.logs.write(
        `${JSON.stringify({ time: 0, level: 30, msg, pid: 1, hostname: 'h', reqId: msg })}\n`,
      );
    }
    const response = await app.inject({
      url: '/health/logs?limit=2',
      headers: { 'x-authorization': await h.adminToken() },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().lines).toEqual([
      { time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'two', fields: { reqId: 'two' } },
      { time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'three', fields: { reqId: 'three' } },
    ]);
    await h.close();
  });

  it('is refused to anyone else (403) and to a limit of 0 (400)', async () => {
    const h = await healthHarness(FULL);
    const { app } = h;
    const user = await h.userToken('logreader', { can_search: true });
    expect((await app.inject({ url: '/health/logs', headers: { 'x-authorization': user } })).statusCode).toBe(
      403,
    );
    expect((await app.inject('/health/logs')).statusCode).toBe(403);
    const admin = await h.adminToken();
    expect(
      (await app.inject({ url: '/health/logs?limit=0', headers: { 'x-authorization': admin } })).statusCode,
    ).toBe(400);
    await h.close();
  });
});
