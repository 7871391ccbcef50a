import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { fakeRegistry, json, modelguard, REGISTRY_URL } from './support.js';

describe('modelguard health', () => {
  const env = { MODELGUARD_URL: REGISTRY_URL };

  it('lists the components without a token; slow is not a failure', async () => {
    const registry = fakeRegistry({
      'GET /health/components': () =>
        json({
          components: [
            { id: 'database', status: 'ok' },
            { id: 'blobs', status: 'degraded', issues: [{ severity: 'warning' }] },
          ],
        }),
    });
    const run = await modelguard(['health'], { env, fetch: registry.fetch });
    expect(run).toMatchObject({ code: EXIT.ok });
    expect(run.stdout).toBe('COMPONENT  STATUS\n---------  --------\ndatabase   ok\nblobs      degraded\n');
    expect(registry.requests[0]?.headers.get('x-authorization')).toBeNull();
  });

  it('a component with an error (the registry answers 503) is exit 1, as text or JSON', async () => {
    const body = { components: [{ id: 'database', status: 'down', issues: [{ severity: 'error' }] }] };
    const registry = fakeRegistry({ 'GET /health/components': () => json(body, 503) });
    const run = await modelguard(['health'], { env, fetch: registry.fetch });
    expect(run.code).toBe(EXIT.failure);
    expect(run.stdout).toContain('database   down');
    const asJson = await modelguard(['health', '--json'], { env, fetch: registry.fetch });
    expect(JSON.parse(asJson.stdout)).toEqual(body);
    // Scripts reading --json get the same verdict (it was 0 before).
    expect(asJson.code).toBe(EXIT.failure);
  });

  it('no components at all prints an empty table', async () => {
    const registry = fakeRegistry({ 'GET /health/components': () => json({}) });
    const run = await modelguard(['health'], { env, fetch: registry.fetch });
    expect(run).toMatchObject({ code: EXIT.ok, stdout: 'COMPONENT  STATUS\n---------  ------\n' });
  });
});
