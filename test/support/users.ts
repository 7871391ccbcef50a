import type { FastifyInstance } from 'fastify';
import { authenticate } from './app.js';

export interface Permissions {
  can_upload?: boolean;
  can_search?: boolean;
  can_download?: boolean;
}

/** POST /users and return the raw response. */
export function createUser(
  app: FastifyInstance,
  adminToken: string,
  name: string,
  password: string,
  permissions: Permissions = {},
  isAdmin = false,
) {
  return app.inject({
    method: 'POST',
    url: '/users',
    headers: { 'x-authorization': adminToken },
    payload: { user: { name, is_admin: isAdmin }, secret: { password }, permissions },
  });
}

/** Create a user and sign them in, failing loudly when either is refused. */
export async function userToken(
  app: FastifyInstance,
  adminToken: string,
  name: string,
  permissions: Permissions = {},
  isAdmin = false,
): Promise<string> {
  const password = passwordFor(name);
  const created = await createUser(app, adminToken, name, password, permissions, isAdmin);
  if (created.statusCode !== 201) throw new Error(`create ${name}: ${created.statusCode} ${created.body}`);
  return authenticate(app, name, password);
}

/** The password `userToken` gives a user: policy-compliant (long, without the user name). */
export function passwordFor(name: string): string {
  return `Long-enough-${[...name].reverse().join('')}!7`;
}
