import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

describe('health report under anonymous traffic', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const report = async () => (await t.app.inject({ url: '/health/components' })).body;

  it('counts only matched routes and valid artifact types, so its size stays bounded', async () => {
    await t.app.inject({ url: '/artifacts/model/x' });
    await t.app.inject({ url: '/nowhere' });
    const before = await report();
    for (let i = 0; i < 2000; i++) {
      const hostile = `%3Cscript%3E${i}${'A'.repeat(100)}`;
      const answers = await Promise.all([
        t.app.inject({ url: `/artifacts/${hostile}/x` }),
        t.app.inject({ url: `/${hostile}/nowhere` }),
        t.app.inject({ method: 'POST', url: `/artifact/${hostile}`, payload: {} }),
      ]);
      expect(answers.map((a) => a.statusCode)).not.toContain(500);
    }
    const after = await report();
    expect(after).not.toMatch(/<script|%3Cscript/i);
    // Only counts change; a few digits more per number at most.
    expect(after.length - before.length).toBeLessThan(200);

    const api = JSON.parse(after).components.find((c: { id: string }) => c.id === 'api');
    const typeKeys = Object.keys(api.metrics).filter((key) => key.startsWith('type '));
    expect(typeKeys).toEqual(['type model']);
    expect(api.metrics['route GET unmatched']).toBeGreaterThanOrEqual(2001);
    expect(api.metrics['route GET /artifacts/:artifact_type/:id']).toBeGreaterThanOrEqual(2001);
  });
});

describe('health for the dashboard', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'error' });
    token = await t.token();
  });
  afterAll(() => t.close());

  it("adds each minute's 5xx count and latency to the request timeline", async () => {
    await t.app.inject({ url: '/health' });
    const response = await t.app.inject({ url: '/health/components?includeTimeline=true' });
    const api = response.json().components.find((c: { id: string }) => c.id === 'api');
    const minute = api.timeline.at(-1);
    expect(minute).toMatchObject({ unit: 'requests/min', errors: 0 });
    expect(minute.value).toBeGreaterThanOrEqual(2);
    expect(minute.mean_latency_ms).toBeGreaterThanOrEqual(0);
    expect(minute.max_latency_ms).toBeGreaterThanOrEqual(minute.mean_latency_ms);
  });

  it('shows admins the newest log lines of this instance, bounded', async () => {
    t.app.log.error({ component: 'test' }, 'a line for the dashboard');
    const response = await t.app.inject({
      url: '/health/logs?limit=5',
      headers: { 'x-authorization': token },
    });
    expect(response.statusCode).toBe(200);
    const lines = response.json().lines as { level: string; msg: string; fields: Record<string, unknown> }[];
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines.at(-1)).toMatchObject({
      level: 'error',
      msg: 'a line for the dashboard',
      fields: { component: 'test' },
    });
    const tooMany = await t.app.inject({
      url: '/health/logs?limit=501',
      headers: { 'x-authorization': token },
    });
    expect(tooMany.statusCode).toBe(400);
  });

  it('keeps the log lines from anyone who is not an administrator', async () => {
    expect((await t.app.inject({ url: '/health/logs' })).statusCode).toBe(403);
  });
});
