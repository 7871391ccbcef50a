import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { fakeRegistry, modelguard, problem, REGISTRY_URL, SIGNED_IN } from './support.js';

describe('modelguard: the program', () => {
  it('prints its version and help on stdout with exit 0', async () => {
    const version = await modelguard(['--cli-version'], { env: { npm_package_version: '9.8.7' } });
    expect(version).toEqual({ code: EXIT.ok, stdout: '9.8.7\n', stderr: '' });
    const help = await modelguard(['--help']);
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toContain('Usage: modelguard [options] [command]');
    expect(help.stdout).toMatch(/download \[options\] <id>/);
  });

  it("answers a usage mistake with exit 2 and commander's message on stderr", async () => {
    const unknown = await modelguard(['frobnicate']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toContain("error: unknown command 'frobnicate'");
    const missing = await modelguard(['show']);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain("missing required argument 'id'");
    const badType = await modelguard(['show', 'x', '--type', 'robot'], { env: SIGNED_IN });
    expect(badType.code).toBe(EXIT.usage);
    expect(badType.stderr).toContain('Allowed choices are model, dataset, code');
  });

  it('prints a registry refusal as "error: <message>" and exits with the code for its status', async () => {
    const cases: [number, string, number][] = [
      [400, 'BAD_REQUEST', EXIT.usage],
      [401, 'UNAUTHORIZED', EXIT.auth],
      [403, 'FORBIDDEN', EXIT.auth],
      [404, 'NOT_FOUND', EXIT.notFound],
      [409, 'CONFLICT', EXIT.conflict],
      [429, 'TOO_MANY_REQUESTS', EXIT.usage],
      [503, 'UNAVAILABLE', EXIT.failure],
    ];
    for (const [status, error, exit] of cases) {
      const registry = fakeRegistry({
        'DELETE /reset': () => problem(status, error, `refused with ${status}`),
      });
      const run = await modelguard(['reset', '--yes'], { env: SIGNED_IN, fetch: registry.fetch });
      expect(run.code, `status ${status}`).toBe(exit);
      expect(run.stderr).toBe(`error: refused with ${status} (${status} ${error})\n`);
    }
  });

  it("falls back to the status line and body text when the refusal is not the registry's JSON", async () => {
    const registry = fakeRegistry({
      'DELETE /reset': [
        () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
        () => new Response('', { status: 500, statusText: 'Internal Server Error' }),
        () => new Response(JSON.stringify({ detail: 'x' }), { status: 418, statusText: 'Teapot' }),
        () => new Response(JSON.stringify({ message: 'Slow down.' }), { status: 429 }),
      ],
    });
    const run = () => modelguard(['reset', '--yes'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(await run()).toMatchObject({
      code: EXIT.failure,
      stderr: 'error: 502 Bad Gateway: <html>bad gateway</html>\n',
    });
    expect(await run()).toMatchObject({ code: EXIT.failure, stderr: 'error: 500 Internal Server Error\n' });
    expect(await run()).toMatchObject({ code: EXIT.usage, stderr: 'error: 418 Teapot\n' });
    expect(await run()).toMatchObject({ code: EXIT.usage, stderr: 'error: Slow down. (429)\n' });
  });

  it('says which registry it cannot reach, with the cause, and exits 1', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      });
    }) as typeof fetch;
    const run = await modelguard(['reset', '--yes'], { env: SIGNED_IN, fetch: refused });
    expect(run).toMatchObject({
      code: EXIT.failure,
      stderr: `error: cannot reach ${REGISTRY_URL}: ECONNREFUSED\n`,
    });
  });

  it('sends the token in X-Authorization, and refuses to run a signed-in command without one', async () => {
    const registry = fakeRegistry({ 'DELETE /reset': () => new Response(null, { status: 200 }) });
    const run = await modelguard(['reset', '--yes', '--url', `${REGISTRY_URL}/`, '--token', 'bearer given'], {
      fetch: registry.fetch,
    });
    expect(run).toMatchObject({ code: EXIT.ok, stderr: 'The registry is empty.\n' });
    expect(registry.requests.map((r) => [r.method, r.path, r.headers.get('x-authorization')])).toEqual([
      ['DELETE', '/reset', 'bearer given'],
    ]);
    const anonymous = await modelguard(['reset', '--yes'], { env: { MODELGUARD_URL: REGISTRY_URL } });
    expect(anonymous.code).toBe(EXIT.auth);
    expect(anonymous.stderr).toBe(
      `error: not signed in to ${REGISTRY_URL}: run \`modelguard login\` first\n`,
    );
  });

  it('colours the error label on a terminal unless NO_COLOR is set', async () => {
    const coloured = await modelguard(['reset'], { tty: true });
    expect(coloured.stderr).toBe(
      '\u001b[31merror:\u001b[0m reset deletes every artifact and user: add --yes to go ahead\n',
    );
    const plain = await modelguard(['reset'], { tty: true, env: { NO_COLOR: '1' } });
    expect(plain.stderr).toMatch(/^error: reset deletes/);
    expect(plain.code).toBe(EXIT.usage);
  });
});
