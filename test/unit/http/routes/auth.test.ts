import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authRoutes } from '../../../../src/http/routes/auth.js';
import { DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD } from '../../../../src/services/auth-service.js';
import { passwordOf, type RouteHarness, routeHarness } from '../../support/route-harness.js';

describe('auth routes', () => {
  let h: RouteHarness;
  beforeEach(async () => {
    h = await routeHarness([authRoutes]);
  });
  afterEach(() => h.close());

  const signIn = (name: string, password: string, extra: object = {}) =>
    h.app.inject({
      method: 'PUT',
      url: '/authenticate',
      payload: { user: { name, is_admin: false }, secret: { password }, ...extra },
    });

  it('answers a bearer token as a JSON string that the registry accepts', async () => {
    const response = await signIn(DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    const token = response.json<string>();
    expect(token).toMatch(/^bearer \S+\.\S+\.\S+$/);
    const actor = await h.registry.auth.resolve(token);
    expect(actor).toMatchObject({ name: DEFAULT_ADMIN_NAME, isAdmin: true });
  });

  it('refuses a wrong password with 401 and a malformed body with 400', async () => {
    const wrong = await signIn(DEFAULT_ADMIN_NAME, 'not the password at all');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });

    const malformed = await h.app.inject({ method: 'PUT', url: '/authenticate', payload: { user: {} } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toBe('BAD_REQUEST');
  });

  it('takes the stored account, not the claimed is_admin', async () => {
    await h.userToken('carol');
    const response = await h.app.inject({
      method: 'PUT',
      url: '/authenticate',
      payload: { user: { name: 'carol', is_admin: true }, secret: { password: passwordOf('carol') } },
    });
    expect(response.statusCode).toBe(200);
    expect((await h.registry.auth.resolve(response.json())).isAdmin).toBe(false);
  });

  it('limits sign-ins per address when AUTH_RATE_LIMIT_PER_MINUTE is set', async () => {
    const limited = await routeHarness([authRoutes], { AUTH_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await limited.app.inject({
          method: 'PUT',
          url: '/authenticate',
          payload: { user: { name: 'nobody', is_admin: false }, secret: { password: 'whatever-it-is' } },
        });
        statuses.push(response.statusCode);
      }
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  describe('DELETE /reset', () => {
    it('empties the registry for an admin, restores the default admin and records who did it', async () => {
      await h.userToken('dave', { can_search: true });
      const response = await h.app.inject({
        method: 'DELETE',
        url: '/reset',
        headers: { 'x-authorization': await h.adminToken() },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ message: 'Registry is reset.' });
      expect(await h.registry.store.getUser('dave')).toBeNull();
      expect(await h.registry.store.getUser(DEFAULT_ADMIN_NAME)).not.toBeNull();
      const events = await h.registry.securityAudit.list({ limit: 10 });
      expect(events.items.some((e) => e.action === 'RESET' && e.actor === DEFAULT_ADMIN_NAME)).toBe(true);
    });

    it('answers 401 to a user who is not an admin, and 403 without a token', async () => {
      const token = await h.userToken('erin', { can_upload: true, can_search: true, can_download: true });
      const denied = await h.app.inject({
        method: 'DELETE',
        url: '/reset',
        headers: { 'x-authorization': token },
      });
      expect(denied.statusCode).toBe(401);
      expect(denied.json().message).toBe('Only administrators may do this.');
      expect(await h.registry.store.getUser('erin')).not.toBeNull();

      const anonymous = await h.app.inject({ method: 'DELETE', url: '/reset' });
      expect(anonymous.statusCode).toBe(403);
    });
  });
});
