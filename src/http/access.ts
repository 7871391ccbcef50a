import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthenticationError, PermissionError } from '../domain/errors.js';
import { type Actor, allows, type Permission } from '../security/permissions.js';
import type { AuthService } from '../services/auth-service.js';

/** What a route needs: no token at all, or a valid token with this permission. */
export type Access = 'public' | Permission | 'authenticated';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/**
 * Checks X-Authorization before anything else about the request (so a missing token answers 403
 * even when the body is also malformed), spending one use of the token per call.
 */
export function registerAccessControl(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access ?? 'authenticated';
    if (access === 'public' || request.routeOptions.url === undefined) return;
    const header = request.headers['x-authorization'];
    request.actor = await auth.resolve(Array.isArray(header) ? header[0] : header);
    if (access !== 'authenticated' && !allows(request.actor, access)) {
      // The contract answers 401 for a non-admin reset, 403 for every other missing permission.
      throw new PermissionError(
        access === 'admin' ? 'Only administrators may do this.' : `You do not have the ${access} permission.`,
        access === 'admin' ? 401 : 403,
      );
    }
  });
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AuthenticationError();
  return request.actor;
}
