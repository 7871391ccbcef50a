import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/security/passwords.js';
import { DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD } from '../../src/services/auth-service.js';
import { authenticate, startTestApp, type TestApp } from '../support/app.js';
import { createUser, passwordFor, userToken } from '../support/users.js';

function signIn(t: TestApp, name: string, password: string) {
  return t.app.inject({
    method: 'PUT',
    url: '/authenticate',
    payload: { user: { name, is_admin: false }, secret: { password } },
  });
}

function call(t: TestApp, token: string, method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: object) {
  return t.app.inject({
    method,
    url,
    headers: { 'x-authorization': token },
    ...(payload ? { payload } : {}),
  });
}

/** A call that needs the search permission. */
function search(t: TestApp, token: string) {
  return t.app.inject({
    method: 'POST',
    url: '/artifacts',
    headers: { 'x-authorization': token },
    payload: [{ name: '*' }],
  });
}

describe('users', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.token();
  });
  afterAll(() => t.close());

  describe('POST /users', () => {
    it('creates a user with the given permissions (201, the contract shape)', async () => {
      const response = await createUser(t.app, admin, 'newuser', 'SecurePass123!', {
        can_upload: true,
        can_search: true,
        can_download: false,
      });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({
        user: { name: 'newuser', is_admin: false },
        permissions: { can_upload: true, can_search: true, can_download: false },
      });
      await expect(authenticate(t.app, 'newuser', 'SecurePass123!')).resolves.toMatch(/^bearer /);
    });

    it('gives a user without permissions none, and an admin without permissions all', async () => {
      const user = await t.app.inject({
        method: 'POST',
        url: '/users',
        headers: { 'x-authorization': admin },
        payload: { user: { name: 'bare', is_admin: false }, secret: { password: 'Secret-Words-123' } },
      });
      expect(user.json().permissions).toEqual({ can_upload: false, can_search: false, can_download: false });
      const boss = await t.app.inject({
        method: 'POST',
        url: '/users',
        headers: { 'x-authorization': admin },
        payload: { user: { name: 'boss', is_admin: true }, secret: { password: 'Secret-Words-123' } },
      });
      expect(boss.json()).toEqual({
        user: { name: 'boss', is_admin: true },
        permissions: { can_upload: true, can_search: true, can_download: true },
      });
    });

    it('answers 409 for an existing name', async () => {
      await createUser(t.app, admin, 'twice', 'Secret-Words-123');
      const again = await createUser(t.app, admin, 'twice', 'other-Password-456');
      expect(again.statusCode).toBe(409);
      expect(again.json().message).toMatch(/already exists/);
    });

    it.each([
      ['too short', 'Short1!'],
      ['the user name inside', 'xxcarolynxx-123456'],
      ['a common password', 'password123456'],
      ['one character repeated', 'aaaaaaaaaaaaaaaa'],
    ])('answers 400 for a weak password: %s', async (_case, password) => {
      const response = await createUser(t.app, admin, 'carolyn', password);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'WEAK_PASSWORD' });
    });

    it.each([
      ['no secret', { user: { name: 'x1', is_admin: false } }],
      ['is_admin missing', { user: { name: 'x1' }, secret: { password: 'x1-Password-1234' } }],
      [
        'a slash in the name',
        { user: { name: 'a/b', is_admin: false }, secret: { password: 'ab-Password-1234' } },
      ],
      ['an empty name', { user: { name: '', is_admin: false }, secret: { password: 'ab-Password-1234' } }],
    ])('answers 400 for bad fields: %s', async (_case, payload) => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/users',
        headers: { 'x-authorization': admin },
        payload,
      });
      expect(response.statusCode).toBe(400);
    });

    it('answers 403 to a non-admin and without a token', async () => {
      const plain = await userToken(t.app, admin, 'plain', { can_upload: true });
      expect((await createUser(t.app, plain, 'sneaky', 'Secret-Words-1')).statusCode).toBe(403);
      const anonymous = await t.app.inject({
        method: 'POST',
        url: '/users',
        payload: { user: { name: 'anon', is_admin: false }, secret: { password: 'Secret-Words-123' } },
      });
      expect(anonymous.statusCode).toBe(403);
    });
  });

  describe('GET /users/{username}', () => {
    it('shows a user to itself and to admins, 403 to others, 404 when missing', async () => {
      const ann = await userToken(t.app, admin, 'ann', { can_search: true });
      await userToken(t.app, admin, 'ben', {});
      const own = await call(t, ann, 'GET', '/users/ann');
      expect(own.statusCode).toBe(200);
      expect(own.json()).toEqual({
        user: { name: 'ann', is_admin: false },
        permissions: { can_upload: false, can_search: true, can_download: false },
      });
      expect((await call(t, admin, 'GET', '/users/ann')).json()).toEqual(own.json());
      expect((await call(t, ann, 'GET', '/users/ben')).statusCode).toBe(403);
      expect((await call(t, admin, 'GET', '/users/nobody')).statusCode).toBe(404);
      expect((await t.app.inject({ url: '/users/ann' })).statusCode).toBe(403);
    });
  });

  describe('GET /users (extension)', () => {
    it('lists users in name order, one page at a time, admins only', async () => {
      const small = await startTestApp({ PAGE_SIZE: '2' });
      try {
        const boss = await small.token();
        for (const name of ['cc', 'aa', 'bb'])
          await createUser(small.app, boss, name, `Secret-Words-${name}-9`);
        const names: string[] = [];
        let offset: string | undefined;
        do {
          const page = await call(small, boss, 'GET', `/users${offset ? `?offset=${offset}` : ''}`);
          expect(page.statusCode).toBe(200);
          names.push(...page.json().map((u: { user: { name: string } }) => u.user.name));
          offset = page.headers.offset as string | undefined;
        } while (offset);
        expect(names).toEqual(['aa', 'bb', 'cc', DEFAULT_ADMIN_NAME]);
        const plain = await userToken(small.app, boss, 'dd', { can_search: true });
        expect((await call(small, plain, 'GET', '/users')).statusCode).toBe(403);
      } finally {
        await small.close();
      }
    });
  });

  describe('DELETE /users/{username}', () => {
    it("lets users delete themselves; the deleted user's tokens stop at once", async () => {
      const token = await userToken(t.app, admin, 'leaver', { can_search: true });
      expect((await search(t, token)).statusCode).toBe(200);
      const gone = await call(t, token, 'DELETE', '/users/leaver');
      expect(gone.statusCode).toBe(200);
      expect(gone.json()).toEqual({ message: "User 'leaver' deleted successfully" });
      expect((await search(t, token)).statusCode).toBe(403);
      expect((await call(t, admin, 'GET', '/users/leaver')).statusCode).toBe(404);
    });

    it('lets admins delete anyone, others nobody else; 404 when missing', async () => {
      const victim = await userToken(t.app, admin, 'victim', { can_search: true });
      const other = await userToken(t.app, admin, 'other', { can_search: true, can_upload: true });
      expect((await call(t, other, 'DELETE', '/users/victim')).statusCode).toBe(403);
      expect((await call(t, admin, 'DELETE', '/users/victim')).statusCode).toBe(200);
      expect((await search(t, victim)).statusCode).toBe(403);
      expect((await call(t, admin, 'DELETE', '/users/victim')).statusCode).toBe(404);
    });

    it('protects the default admin from other admins, and never leaves zero admins', async () => {
      const second = await userToken(t.app, admin, 'second-admin', {}, true);
      const refused = await call(t, second, 'DELETE', `/users/${DEFAULT_ADMIN_NAME}`);
      expect(refused.statusCode).toBe(403);
      const demote = await call(t, second, 'PUT', `/users/${DEFAULT_ADMIN_NAME}/permissions`, {
        is_admin: false,
      });
      expect(demote.statusCode).toBe(403);
      const password = await call(t, second, 'PUT', `/users/${DEFAULT_ADMIN_NAME}/password`, {
        new_password: 'taken-Over-12345',
      });
      expect(password.statusCode).toBe(403);

      // The default admin may leave while another admin remains, but the last admin may not.
      const own = await startTestApp();
      try {
        const root = await own.token();
        const last = await call(own, root, 'DELETE', `/users/${DEFAULT_ADMIN_NAME}`);
        expect(last.statusCode).toBe(409);
        expect(last.json().error).toBe('LAST_ADMIN');
        const selfDemote = await call(own, root, 'PUT', `/users/${DEFAULT_ADMIN_NAME}/permissions`, {
          is_admin: false,
        });
        expect(selfDemote.statusCode).toBe(409);
        await userToken(own.app, root, 'heir', {}, true);
        expect((await call(own, root, 'DELETE', `/users/${DEFAULT_ADMIN_NAME}`)).statusCode).toBe(200);
      } finally {
        await own.close();
      }
    });
  });

  describe('PUT /users/{username}/permissions (extension)', () => {
    it('applies a change to the next request of an existing token', async () => {
      const token = await userToken(t.app, admin, 'switcher', { can_search: true });
      expect((await search(t, token)).statusCode).toBe(200);
      const changed = await call(t, admin, 'PUT', '/users/switcher/permissions', {
        can_search: false,
        can_upload: true,
      });
      expect(changed.statusCode).toBe(200);
      expect(changed.json().permissions).toEqual({
        can_upload: true,
        can_search: false,
        can_download: false,
      });
      expect((await search(t, token)).statusCode).toBe(403);
      expect((await call(t, admin, 'PUT', '/users/ghost/permissions', { can_search: true })).statusCode).toBe(
        404,
      );
      expect((await call(t, admin, 'PUT', '/users/switcher/permissions', {})).statusCode).toBe(400);
      expect(
        (await call(t, token, 'PUT', '/users/switcher/permissions', { can_search: true })).statusCode,
      ).toBe(403);
    });
  });

  describe('PUT /users/{username}/password (extension)', () => {
    it("needs the old password from the user, revokes the user's other tokens, keeps this one", async () => {
      const first = await userToken(t.app, admin, 'changer', { can_search: true });
      const second = await authenticate(t.app, 'changer', passwordFor('changer'));
      const wrongOld = await call(t, first, 'PUT', '/users/changer/password', {
        old_password: 'not-it-at-all-123',
        new_password: 'brand-New-secret-9',
      });
      expect(wrongOld.statusCode).toBe(403);
      const weak = await call(t, first, 'PUT', '/users/changer/password', {
        old_password: passwordFor('changer'),
        new_password: 'short',
      });
      expect(weak.statusCode).toBe(400);
      const ok = await call(t, first, 'PUT', '/users/changer/password', {
        old_password: passwordFor('changer'),
        new_password: 'brand-New-secret-9',
      });
      expect(ok.statusCode).toBe(200);
      expect((await search(t, first)).statusCode).toBe(200);
      expect((await search(t, second)).statusCode).toBe(403);
      expect((await signIn(t, 'changer', passwordFor('changer'))).statusCode).toBe(401);
      await expect(authenticate(t.app, 'changer', 'brand-New-secret-9')).resolves.toMatch(/^bearer/);
    });

    it("lets an admin set a user's password without the old one, revoking all their tokens", async () => {
      const token = await userToken(t.app, admin, 'forgetful', { can_search: true });
      const reset = await call(t, admin, 'PUT', '/users/forgetful/password', {
        new_password: 'admin-Chosen-777',
      });
      expect(reset.statusCode).toBe(200);
      expect((await search(t, token)).statusCode).toBe(403);
      await expect(authenticate(t.app, 'forgetful', 'admin-Chosen-777')).resolves.toMatch(/^bearer/);
    });
  });
});

describe('sign-in', () => {
  it('backs off an account exponentially after repeated failures, with Retry-After', async () => {
    const t = await startTestApp();
    try {
      const admin = await t.token();
      await createUser(t.app, admin, 'target', 'Secret-Words-1', { can_search: true });
      for (let i = 0; i < 5; i++) expect((await signIn(t, 'target', `guess-${i}`)).statusCode).toBe(401);
      // Even the right password waits: the back-off is checked before the password.
      const locked = await signIn(t, 'target', 'Secret-Words-1');
      expect(locked.statusCode).toBe(429);
      expect(locked.headers['retry-after']).toBe('1');
      expect(locked.json().error).toBe('TOO_MANY_REQUESTS');
      // Other accounts are not affected.
      await expect(authenticate(t.app)).resolves.toMatch(/^bearer/);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await signIn(t, 'target', 'wrong-again')).statusCode).toBe(401);
      const longer = await signIn(t, 'target', 'Secret-Words-1');
      expect(longer.statusCode).toBe(429);
      expect(longer.headers['retry-after']).toBe('2');
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect((await signIn(t, 'target', 'Secret-Words-1')).statusCode).toBe(200);
      // A success ends the run.
      expect((await signIn(t, 'target', 'wrong')).statusCode).toBe(401);
      expect((await signIn(t, 'target', 'Secret-Words-1')).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('writes every sign-in and user change to the security audit, readable by admins only', async () => {
    const t = await startTestApp();
    try {
      const admin = await t.token();
      await createUser(t.app, admin, 'audited', 'Secret-Words-1', { can_search: true });
      await signIn(t, 'audited', 'bad-password-000');
      const token = await authenticate(t.app, 'audited', 'Secret-Words-1');
      const trail = await call(t, admin, 'GET', '/audit/security?subject=audited');
      expect(trail.statusCode).toBe(200);
      expect(
        trail.json().map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`),
      ).toEqual(['SIGN_IN:success', 'SIGN_IN:failure', 'USER_CREATE:success']);
      expect(trail.json()[2]).toMatchObject({
        actor: DEFAULT_ADMIN_NAME,
        detail: 'user; permissions: search',
      });
      expect(trail.json()[0].address).toBe('127.0.0.1');
      expect((await call(t, token, 'GET', '/audit/security')).statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });

  it('rehashes a weaker stored hash at the next successful sign-in', async () => {
    const t = await startTestApp();
    try {
      const weak = await new PasswordHasher(10).hash(DEFAULT_ADMIN_PASSWORD);
      await t.app.registry.store.updateUser(DEFAULT_ADMIN_NAME, { passwordHash: weak });
      await authenticate(t.app);
      const stored = (await t.app.registry.store.getUser(DEFAULT_ADMIN_NAME))?.passwordHash ?? '';
      expect(stored).not.toBe(weak);
      expect(stored.split('$')[1]).toBe(String(2 ** 12));
      await expect(authenticate(t.app)).resolves.toMatch(/^bearer/);
    } finally {
      await t.close();
    }
  });
});
