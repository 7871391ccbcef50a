import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRoutes } from '../../../../src/http/routes/users.js';
import { DEFAULT_ADMIN_NAME } from '../../../../src/services/auth-service.js';
import { passwordOf, type RouteHarness, routeHarness } from '../../support/route-harness.js';

describe('user routes', () => {
  let h: RouteHarness;
  let admin: string;
  // One registry for the file: each test works with users of its own.
  beforeAll(async () => {
    h = await routeHarness([userRoutes], { PAGE_SIZE: '2' });
    admin = await h.adminToken();
  });
  afterAll(() => h.close());

  const as = (token: string) => ({ 'x-authorization': token });

  describe('POST /users', () => {
    const register = (token: string, payload: object) =>
      h.app.inject({ method: 'POST', url: '/users', headers: as(token), payload });

    it('creates a user with least privilege by default and 201', async () => {
      const response = await register(admin, {
        user: { name: 'alice', is_admin: false },
        secret: { password: passwordOf('alice') },
      });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({
        user: { name: 'alice', is_admin: false },
        permissions: { can_upload: false, can_search: false, can_download: false },
      });
    });

    it('keeps explicit permissions, refuses a duplicate (409) and a weak password (400)', async () => {
      const body = {
        user: { name: 'bert', is_admin: false },
        secret: { password: passwordOf('bert') },
        permissions: { can_search: true },
      };
      expect((await register(admin, body)).json().permissions).toEqual({
        can_upload: false,
        can_search: true,
        can_download: false,
      });
      const twice = await register(admin, body);
      expect(twice.statusCode).toBe(409);
      expect(twice.json()).toEqual({ error: 'CONFLICT', message: "User 'bert' already exists." });

      const weak = await register(admin, {
        user: { name: 'weak', is_admin: false },
        secret: { password: 'short' },
      });
      expect(weak.statusCode).toBe(400);
      expect(weak.json().error).toBe('WEAK_PASSWORD');
    });

    it('is for administrators only (403), and validates the body strictly (400)', async () => {
      const user = await h.userToken('mallory', { can_upload: true, can_search: true, can_download: true });
      const denied = await register(user, {
        user: { name: 'x1', is_admin: true },
        secret: { password: passwordOf('x1') },
      });
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toEqual({
        error: 'PERMISSION_DENIED',
        message: 'Only administrators may do this.',
      });

      // A number is not a password: bodies are not coerced.
      const numeric = await register(admin, {
        user: { name: 'x2', is_admin: false },
        secret: { password: 123456789012345 },
      });
      expect(numeric.statusCode).toBe(400);
      expect(numeric.json().message).toMatch(/^Invalid request: /);
    });
  });

  describe('GET /users', () => {
    it('lists users in name order a page at a time, with the next offset in a header', async () => {
      await h.userToken('amy');
      await h.userToken('zed');
      const names: string[] = [];
      let url = '/users';
      for (;;) {
        const page = await h.app.inject({ method: 'GET', url, headers: as(admin) });
        expect(page.statusCode).toBe(200);
        const items = page.json<{ user: { name: string } }[]>();
        expect(items.length).toBeLessThanOrEqual(2);
        names.push(...items.map((u) => u.user.name));
        const offset = page.headers.offset;
        if (offset === undefined) break;
        url = `/users?offset=${encodeURIComponent(String(offset))}`;
      }
      expect(names).toEqual([...names].sort());
      expect(names).toEqual(expect.arrayContaining(['amy', 'zed', DEFAULT_ADMIN_NAME]));
      expect(names.length).toBeGreaterThan(2);
    });
  });

  describe('GET and DELETE /users/:username', () => {
    it('lets a user read and delete themself, but not another user', async () => {
      const token = await h.userToken('carl');
      await h.userToken('dina');
      const own = await h.app.inject({ method: 'GET', url: '/users/carl', headers: as(token) });
      expect(own.statusCode).toBe(200);
      expect(own.json().user).toEqual({ name: 'carl', is_admin: false });

      const other = await h.app.inject({ method: 'GET', url: '/users/dina', headers: as(token) });
      expect(other.statusCode).toBe(403);
      expect(other.json().message).toBe('Only this user or an administrator may do this.');

      const gone = await h.app.inject({ method: 'DELETE', url: '/users/carl', headers: as(token) });
      expect(gone.statusCode).toBe(200);
      expect(gone.json()).toEqual({ message: "User 'carl' deleted successfully" });
      // Its tokens stop working at once.
      const after = await h.app.inject({ method: 'GET', url: '/users/carl', headers: as(token) });
      expect(after.statusCode).toBe(403);
    });

    it('answers 404 for an unknown user and 409 when the last administrator would go', async () => {
      expect(
        (await h.app.inject({ method: 'GET', url: '/users/ghost', headers: as(admin) })).statusCode,
      ).toBe(404);
      const missing = await h.app.inject({ method: 'DELETE', url: '/users/ghost', headers: as(admin) });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().message).toBe("User 'ghost' does not exist.");

      const last = await h.app.inject({
        method: 'DELETE',
        url: `/users/${DEFAULT_ADMIN_NAME}`,
        headers: as(admin),
      });
      expect(last.statusCode).toBe(409);
      expect(last.json().error).toBe('LAST_ADMIN');
    });
  });

  describe('PUT /users/:username/permissions', () => {
    it('changes only the flags given, for administrators', async () => {
      const token = await h.userToken('erik', { can_search: true });
      const response = await h.app.inject({
        method: 'PUT',
        url: '/users/erik/permissions',
        headers: as(admin),
        payload: { can_download: true },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().permissions).toEqual({
        can_upload: false,
        can_search: true,
        can_download: true,
      });

      const self = await h.app.inject({
        method: 'PUT',
        url: '/users/erik/permissions',
        headers: as(token),
        payload: { is_admin: true },
      });
      expect(self.statusCode).toBe(403);
      const empty = await h.app.inject({
        method: 'PUT',
        url: '/users/erik/permissions',
        headers: as(admin),
        payload: {},
      });
      expect(empty.statusCode).toBe(400);
    });
  });

  describe('PUT /users/:username/password', () => {
    it('changes your own password with the old one and revokes your other tokens', async () => {
      const token = await h.userToken('fay');
      const other = await h.registry.auth.issueToken('fay', 10);
      const wrongOld = await h.app.inject({
        method: 'PUT',
        url: '/users/fay/password',
        headers: as(token),
        payload: { old_password: 'not-the-old-one-at-all', new_password: 'A-brand-new-passphrase-42' },
      });
      expect(wrongOld.statusCode).toBe(403);

      const response = await h.app.inject({
        method: 'PUT',
        url: '/users/fay/password',
        headers: as(token),
        payload: { old_password: passwordOf('fay'), new_password: 'A-brand-new-passphrase-42' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().message).toMatch(/revoked/);
      await expect(h.registry.auth.authenticate('fay', 'A-brand-new-passphrase-42')).resolves.toMatch(
        /^bearer /,
      );
      // The token used for the change still works; the other one does not.
      expect((await h.app.inject({ method: 'GET', url: '/users/fay', headers: as(token) })).statusCode).toBe(
        200,
      );
      expect((await h.app.inject({ method: 'GET', url: '/users/fay', headers: as(other) })).statusCode).toBe(
        403,
      );
    });
  });

  describe('GET /audit/security', () => {
    it('lists events newest first, filtered by subject, paged, for administrators', async () => {
      await h.userToken('gus');
      await h.userToken('hal');
      await h.registry.auth.authenticate('gus', passwordOf('gus'), '10.0.0.1');
      const events: { action: string; date: string }[] = [];
      let url = '/audit/security?subject=gus';
      for (;;) {
        const page = await h.app.inject({ method: 'GET', url, headers: as(admin) });
        expect(page.statusCode).toBe(200);
        events.push(...page.json());
        const offset = page.headers.offset;
        if (offset === undefined) break;
        url = `/audit/security?subject=gus&offset=${encodeURIComponent(String(offset))}`;
      }
      expect(events.map((e) => e.action)).toEqual(['SIGN_IN', 'USER_CREATE']);
      expect(events[0]).toMatchObject({
        outcome: 'success',
        actor: 'gus',
        subject: 'gus',
        address: '10.0.0.1',
      });
      expect(new Date(events[0]?.date ?? '').getTime()).toBeGreaterThan(0);

      const all = await h.app.inject({ method: 'GET', url: '/audit/security', headers: as(admin) });
      expect(all.json()).toHaveLength(2);
      expect(all.headers.offset).toEqual(expect.any(String));

      const user = await h.registry.auth.issueToken('hal', 5);
      expect(
        (await h.app.inject({ method: 'GET', url: '/audit/security', headers: as(user) })).statusCode,
      ).toBe(403);
    });
  });
});
