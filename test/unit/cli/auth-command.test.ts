import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir, credentialsPath, loadCredentials } from '../../../src/cli/credentials.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { fakeRegistry, fakeStdin, json, modelguard, problem, REGISTRY_URL, tempDir } from './support.js';

let home: Awaited<ReturnType<typeof tempDir>>;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  home = await tempDir('modelguard-home-');
  env = { MODELGUARD_CONFIG_DIR: join(home.path, 'config') };
});
afterEach(() => home.remove());

/** The registry's PUT /authenticate: a token for alice / s3cret, 401 otherwise. */
function authRegistry() {
  return fakeRegistry({
    'PUT /authenticate': (request) => {
      const body = JSON.parse(request.body) as { user: { name: string }; secret: { password: string } };
      return body.user.name === 'alice' && body.secret.password === 's3cret'
        ? json('bearer alice-token')
        : problem(401, 'UNAUTHORIZED', 'Wrong user name or password.');
    },
    'DELETE /reset': (request) =>
      request.headers.get('x-authorization') === 'bearer alice-token'
        ? new Response(null, { status: 200 })
        : problem(401, 'UNAUTHORIZED', 'no token'),
  });
}

describe('modelguard login / logout / token', () => {
  it('keeps the token in a 0600 file in a 0700 folder, and later commands use it with that registry', async () => {
    const registry = authRegistry();
    const login = await modelguard(
      ['login', '--url', `${REGISTRY_URL}/`, '-u', 'alice', '--password-stdin'],
      {
        env,
        fetch: registry.fetch,
        stdin: fakeStdin({ piped: 's3cret\n' }).stdin,
      },
    );
    expect(login).toMatchObject({ code: EXIT.ok, stderr: `Signed in to ${REGISTRY_URL} as alice.\n` });
    expect(registry.requests[0]?.headers.get('x-authorization')).toBeNull();
    const saved = await loadCredentials(env);
    expect(saved.defaultUrl).toBe(REGISTRY_URL);
    expect(saved.hosts[REGISTRY_URL]).toMatchObject({ user: 'alice', token: 'bearer alice-token' });
    expect((await stat(credentialsPath(env))).mode & 0o777).toBe(0o600);
    expect((await stat(configDir(env))).mode & 0o777).toBe(0o700);

    // No --url, no --token: the last login's registry and its token.
    const reset = await modelguard(['reset', '--yes'], { env, fetch: registry.fetch });
    expect(reset).toMatchObject({ code: EXIT.ok, stderr: 'The registry is empty.\n' });
    expect(new URL(registry.requests.at(-1)?.path ?? '', REGISTRY_URL).href).toBe(`${REGISTRY_URL}/reset`);

    const token = await modelguard(['token'], { env });
    expect(token.stdout).toBe('bearer alice-token\n');
    const hf = await modelguard(['token', '--hf'], { env });
    expect(hf.stdout).toBe('hf_alice-token\n');

    const logout = await modelguard(['logout'], { env });
    expect(logout.stderr).toBe(`Signed out of ${REGISTRY_URL}.\n`);
    expect(await loadCredentials(env)).toEqual({ hosts: {} });
    // The default registry went with the login: now it is the built-in one.
    const again = await modelguard(['logout'], { env });
    expect(again.stderr).toBe('Not signed in to http://localhost:3000.\n');
    const noToken = await modelguard(['token'], { env });
    expect(noToken.code).toBe(EXIT.auth);
  });

  it('logging out of one registry keeps the other and the default', async () => {
    const registry = authRegistry();
    for (const url of ['http://one.test', 'http://two.test']) {
      await modelguard(['login', '--url', url, '-u', 'alice'], {
        env: { ...env, MODELGUARD_PASSWORD: 's3cret' },
        fetch: registry.fetch,
      });
    }
    await modelguard(['logout', '--url', 'http://one.test'], { env });
    const saved = await loadCredentials(env);
    expect(Object.keys(saved.hosts)).toEqual(['http://two.test']);
    expect(saved.defaultUrl).toBe('http://two.test');
  });

  it('a wrong password is exit 3 and keeps nothing', async () => {
    const run = await modelguard(['login', '--url', REGISTRY_URL, '-u', 'alice'], {
      env: { ...env, MODELGUARD_PASSWORD: 'guess' },
      fetch: authRegistry().fetch,
    });
    expect(run).toMatchObject({
      code: EXIT.auth,
      stderr: `error: wrong user name or password for ${REGISTRY_URL}\n`,
    });
    expect(await loadCredentials(env)).toEqual({ hosts: {} });
  });

  it('without a terminal it needs --user and a password from stdin or the environment', async () => {
    const noUser = await modelguard(['login'], { env });
    expect(noUser).toMatchObject({
      code: EXIT.usage,
      stderr: 'error: give --user (no terminal to ask on)\n',
    });
    const noPassword = await modelguard(['login', '-u', 'alice'], { env });
    expect(noPassword.code).toBe(EXIT.usage);
    expect(noPassword.stderr).toContain('--password-stdin or MODELGUARD_PASSWORD');
  });

  it('on a terminal it asks for the user and, without echo, the password (backspace edits it)', async () => {
    const terminal = fakeStdin({ typed: ['alice\n', 's3cx\u007fret\r'] });
    const registry = authRegistry();
    const run = await modelguard(['login', '--url', REGISTRY_URL], {
      env,
      fetch: registry.fetch,
      stdin: terminal.stdin,
    });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toBe(`User: Password: \nSigned in to ${REGISTRY_URL} as alice.\n`);
    // Raw mode (no echo) while the password is typed, then back.
    expect(terminal.modes).toEqual([true, false]);
  });

  it('Ctrl-C at the password prompt cancels with exit 2', async () => {
    const terminal = fakeStdin({ typed: ['sec\u0003'] });
    const run = await modelguard(['login', '-u', 'alice', '--json'], { env, stdin: terminal.stdin });
    expect(run).toMatchObject({ code: EXIT.usage, stderr: 'Password: \nerror: cancelled\n' });
  });

  it('--json prints who signed in where', async () => {
    const run = await modelguard(['login', '--url', REGISTRY_URL, '-u', 'alice', '--json'], {
      env: { ...env, MODELGUARD_PASSWORD: 's3cret' },
      fetch: authRegistry().fetch,
    });
    expect(JSON.parse(run.stdout)).toEqual({ url: REGISTRY_URL, user: 'alice' });
  });

  it('a credentials file with only a default registry names where to sign in', async () => {
    await modelguard(['logout'], { env });
    await writeFile(credentialsPath(env), JSON.stringify({ defaultUrl: 'http://kept.test' }));
    const run = await modelguard(['token'], { env });
    expect(run).toMatchObject({
      code: EXIT.auth,
      stderr: 'error: not signed in to http://kept.test: run `modelguard login` first\n',
    });
  });

  it('an unreadable credentials file is an error, not an empty one', async () => {
    const registry = authRegistry();
    await modelguard(['login', '--url', REGISTRY_URL, '-u', 'alice'], {
      env: { ...env, MODELGUARD_PASSWORD: 's3cret' },
      fetch: registry.fetch,
    });
    await writeFile(credentialsPath(env), '{not json');
    const run = await modelguard(['token'], { env });
    expect(run.code).toBe(EXIT.failure);
    expect(run.stderr).toMatch(/^error: .*JSON/);
    expect(await readFile(credentialsPath(env), 'utf8')).toBe('{not json');
  });
});

describe('where the credentials live', () => {
  it('MODELGUARD_CONFIG_DIR, else XDG_CONFIG_HOME, else ~/.config, plus modelguard', () => {
    expect(configDir({ MODELGUARD_CONFIG_DIR: '/c' })).toBe('/c');
    expect(configDir({ XDG_CONFIG_HOME: '/x' })).toBe('/x/modelguard');
    expect(configDir({ HOME: '/h' })).toMatch(/\/\.config\/modelguard$/);
    expect(credentialsPath({ MODELGUARD_CONFIG_DIR: '/c' })).toBe('/c/credentials.json');
  });
});
