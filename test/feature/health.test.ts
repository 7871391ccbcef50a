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
