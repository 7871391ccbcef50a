import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docAccessTable, renderAccessTable } from '../../scripts/access-table.js';
import type { Access, RouteAccess } from '../../src/http/access.js';
import type { Permission } from '../../src/security/permissions.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { userToken } from '../support/users.js';

/**
 * Every route of Fastify's route table, called by every kind of caller: the outcome must be exactly
 * what the route's declared access says. A route without a declared access fails here, so a new
 * route cannot ship unprotected.
 */

interface Persona {
  name: string;
  /** null: no token at all. */
  token: string | null;
  /** Whether a valid token comes with the request (false: anonymous, or a deleted user's token). */
  valid: boolean;
  admin: boolean;
  permissions: Permission[];
}

/** Status and error codes with which access control refuses (the Hub-compatible routes use the Hub's). */
const DENIAL_CODES = ['AUTHENTICATION_FAILED', 'PERMISSION_DENIED', 'RepoNotFound', 'GatedRepo'];

function allowed(access: Access, persona: Persona): boolean {
  if (access === 'public') return true;
  if (!persona.valid) return false;
  // The uploader check of `uploader-or-admin` comes after the artifact is found: none exists here.
  if (persona.admin || access === 'authenticated' || access === 'uploader-or-admin') return true;
  // The path names another user ("matrix-target"), so only admins pass.
  if (access === 'self-or-admin' || access === 'admin') return false;
  const needed = typeof access === 'string' ? [access] : access;
  return needed.some((permission) => persona.permissions.includes(permission as Permission));
}

/** The route's path with every parameter filled in: nothing of these exists. */
function concreteUrl(url: string): string {
  return url
    .replace(':artifact_type', 'model')
    .replace(':username', 'matrix-target')
    .replace(/:[A-Za-z_]+/g, 'matrix-missing')
    .replace('*', 'matrix-missing');
}

describe('authorization matrix', () => {
  let t: TestApp;
  let routes: RouteAccess[];
  const personas: Persona[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    const root = await t.token();
    const persona = async (name: string, permissions: Permission[], admin = false): Promise<Persona> => {
      const flags = {
        can_upload: permissions.includes('upload'),
        can_search: permissions.includes('search'),
        can_download: permissions.includes('download'),
      };
      return {
        name,
        token: await userToken(t.app, root, name, flags, admin),
        valid: true,
        admin,
        permissions,
      };
    };
    personas.push({ name: 'anonymous', token: null, valid: false, admin: false, permissions: [] });
    personas.push(await persona('no-permission', []));
    personas.push(await persona('upload-only', ['upload']));
    personas.push(await persona('search-only', ['search']));
    personas.push(await persona('download-only', ['download']));
    const deleted = await persona('deleted-user', ['upload', 'search', 'download']);
    await t.app.inject({
      method: 'DELETE',
      url: '/users/deleted-user',
      headers: { 'x-authorization': root },
    });
    personas.push({ ...deleted, valid: false });
    // Issued while the user could search; from the change on it can only upload.
    const changed = await persona('changed-permissions', ['search']);
    await t.app.inject({
      method: 'PUT',
      url: '/users/changed-permissions/permissions',
      headers: { 'x-authorization': root },
      payload: { can_search: false, can_upload: true },
    });
    personas.push({ ...changed, permissions: ['upload'] });
    personas.push(await persona('second-admin', [], true));
    await t.app.ready();
    // The reset empties the registry (its personas too): it goes last, the admin last of all.
    routes = t.app.routeAccess().sort((a, b) => Number(a.url === '/reset') - Number(b.url === '/reset'));
  });
  afterAll(() => t.close());

  it('covers the whole route table, every route with a declared access', () => {
    expect(routes.length).toBeGreaterThan(30);
    const undeclared = routes.filter((route) => route.access === null).map((r) => `${r.method} ${r.url}`);
    expect(undeclared).toEqual([]);
  });

  it('answers every route as its declared access says, for every kind of caller', async () => {
    const mismatches: string[] = [];
    let calls = 0;
    for (const route of routes) {
      for (const persona of personas) {
        const response = await t.app.inject({
          method: route.method as 'GET',
          url: concreteUrl(route.url),
          headers: persona.token ? { 'x-authorization': persona.token } : {},
        });
        calls++;
        let code = '';
        try {
          code = response.json().error ?? '';
        } catch {
          // Not JSON (a file, the docs): not a refusal.
        }
        // A HEAD answer has no body to name the refusal: its status says it.
        const refusal = route.method === 'HEAD' || DENIAL_CODES.includes(code);
        const denied = (response.statusCode === 401 || response.statusCode === 403) && refusal;
        const expected = route.access !== null && allowed(route.access, persona);
        if (denied === expected) {
          mismatches.push(
            `${route.method} ${route.url} as ${persona.name}: expected ${expected ? 'allowed' : 'denied'}, got ${response.statusCode} ${code}`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(calls).toBe(routes.length * personas.length);
  });

  it('is documented: docs/security.md has the table generated from the route definitions', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
    expect(docAccessTable(doc), 'run npm run docs:security').toBe(renderAccessTable(routes));
  });
});
