import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { fakeRegistry, fakeStdin, json, modelguard, problem, SIGNED_IN } from './support.js';

const info = (name: string, isAdmin: boolean, upload: boolean, search: boolean, download: boolean) => ({
  user: { name, is_admin: isAdmin },
  permissions: { can_upload: upload, can_search: search, can_download: download },
});

describe('modelguard users', () => {
  it('list reads every page and prints a permissions table', async () => {
    const registry = fakeRegistry({
      'GET /users': [
        () => json([info('admin', true, true, true, true)], 200, { offset: 'admin' }),
        () => json([info('bob', false, false, true, false)]),
      ],
    });
    const run = await modelguard(['users', 'list'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(run.stdout).toBe(
      [
        'NAME   ADMIN  UPLOAD  SEARCH  DOWNLOAD',
        '-----  -----  ------  ------  --------',
        'admin  yes    yes     yes     yes',
        'bob    no     no      yes     no',
        '',
      ].join('\n'),
    );
    expect(registry.requests.map((r) => r.path)).toEqual(['/users', '/users?offset=admin']);
    // A list of one is still a list in JSON (it printed the bare object before).
    const asJson = await modelguard(['users', 'list', '--json'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(JSON.parse(asJson.stdout)).toEqual([info('bob', false, false, true, false)]);
  });

  it('show prints one user, as JSON the object itself', async () => {
    const registry = fakeRegistry({ 'GET /users/b%20b': () => json(info('b b', false, true, true, true)) });
    const run = await modelguard(['users', 'show', 'b b', '--json'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(JSON.parse(run.stdout)).toEqual(info('b b', false, true, true, true));
    const missing = await modelguard(['users', 'show', 'ghost'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(missing.code).toBe(EXIT.notFound);
  });

  it('add sends the password from stdin and only the permission flags given', async () => {
    const registry = fakeRegistry({
      'POST /users': () => json(info('carol', false, true, false, false), 201),
    });
    const run = await modelguard(['users', 'add', 'carol', '--password-stdin', '--upload', '--no-search'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
      stdin: fakeStdin({ piped: 'pa55word\r\n' }).stdin,
    });
    expect(run).toMatchObject({ code: EXIT.ok, stderr: 'Created user carol.\n' });
    expect(JSON.parse(registry.requests[0]?.body ?? '')).toEqual({
      user: { name: 'carol', is_admin: false },
      secret: { password: 'pa55word' },
      permissions: { can_upload: true, can_search: false },
    });
    const again = await modelguard(
      ['users', 'add', 'carol', '--admin', '--download', '--password-stdin', '--json'],
      {
        env: SIGNED_IN,
        fetch: registry.fetch,
        stdin: fakeStdin({ piped: 'x' }).stdin,
      },
    );
    expect(JSON.parse(again.stdout)).toEqual(info('carol', false, true, false, false));
    expect(JSON.parse(registry.requests[1]?.body ?? '')).toMatchObject({
      user: { is_admin: true },
      permissions: { can_download: true },
    });
  });

  it('add on a terminal asks for the new password twice and refuses two different ones', async () => {
    const registry = fakeRegistry({
      'POST /users': () => json(info('dan', false, false, false, false), 201),
    });
    const same = fakeStdin({ typed: ['secret\n', 'secret\n'] });
    const ok = await modelguard(['users', 'add', 'dan'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
      stdin: same.stdin,
    });
    expect(ok.code).toBe(EXIT.ok);
    expect(ok.stderr).toBe('New password: \nAgain: \nCreated user dan.\n');
    expect(JSON.parse(registry.requests[0]?.body ?? '').secret).toEqual({ password: 'secret' });

    const differ = fakeStdin({ typed: ['secret\n', 'secreT\n'] });
    const refused = await modelguard(['users', 'add', 'dan'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
      stdin: differ.stdin,
    });
    expect(refused).toMatchObject({ code: EXIT.usage });
    expect(refused.stderr).toContain('error: the passwords differ');
    expect(registry.requests).toHaveLength(1);
  });

  it('add without a terminal or --password-stdin is a usage error', async () => {
    const run = await modelguard(['users', 'add', 'erin'], { env: SIGNED_IN });
    expect(run).toMatchObject({
      code: EXIT.usage,
      stderr: 'error: give the new password with --password-stdin\n',
    });
  });

  it('permissions sends only the changes and prints the result; no flag is a usage error', async () => {
    const registry = fakeRegistry({
      'PUT /users/bob/permissions': () => json(info('bob', true, false, true, false)),
    });
    const run = await modelguard(['users', 'permissions', 'bob', '--admin', '--no-upload'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(JSON.parse(registry.requests[0]?.body ?? '')).toEqual({ can_upload: false, is_admin: true });
    expect(run.stdout).toContain('bob   yes    no      yes     no');
    const none = await modelguard(['users', 'permissions', 'bob'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(none).toMatchObject({ code: EXIT.usage, stderr: 'error: give at least one permission flag\n' });
    expect(registry.requests).toHaveLength(1);
  });

  it('password sends the old password from MODELGUARD_PASSWORD when set', async () => {
    const registry = fakeRegistry({ 'PUT /users/bob/password': () => new Response(null, { status: 200 }) });
    const run = await modelguard(['users', 'password', 'bob', '--password-stdin'], {
      env: { ...SIGNED_IN, MODELGUARD_PASSWORD: 'old' },
      fetch: registry.fetch,
      stdin: fakeStdin({ piped: 'new\n' }).stdin,
    });
    expect(run.stderr).toBe('Password of bob changed; their other tokens are revoked.\n');
    expect(JSON.parse(registry.requests[0]?.body ?? '')).toEqual({
      new_password: 'new',
      old_password: 'old',
    });
    await modelguard(['users', 'password', 'bob', '--password-stdin'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
      stdin: fakeStdin({ piped: 'newer' }).stdin,
    });
    expect(JSON.parse(registry.requests[1]?.body ?? '')).toEqual({ new_password: 'newer' });
  });

  it('delete says whom it deleted; a non-admin is refused with exit 3', async () => {
    const registry = fakeRegistry({
      'DELETE /users/bob': [
        () => new Response(null, { status: 200 }),
        () => problem(403, 'FORBIDDEN', 'Only administrators may delete other users.'),
      ],
    });
    const ok = await modelguard(['users', 'delete', 'bob'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(ok.stderr).toBe('Deleted user bob.\n');
    const refused = await modelguard(['users', 'delete', 'bob'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(refused).toMatchObject({ code: EXIT.auth });
  });
});
