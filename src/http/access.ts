import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthenticationError, PermissionError } from '../domain/errors.js';
import { type Actor, allows, type Permission } from '../security/permissions.js';
import type { AuthService } from '../services/auth-service.js';

/** What a route needs: no token at all, or a valid token with this permission (or any of these). */
export type Access = 'public' | Permission | readonly Permission[] | 'authenticated';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /**
     * Also take the token from `Authorization: Bearer <token>`, as Hugging Face Hub clients send it
     * (`HF_TOKEN`); an `hf_` prefix, which the JS client insists on, is ignored.
     */
    bearerToken?: boolean;
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
    const actor = await auth.resolve(tokenOf(request));
    request.actor = actor;
    if (access === 'authenticated') return;
    const needed = typeof access === 'string' ? [access] : access;
    if (!needed.some((permission) => allows(actor, permission))) {
      // The contract answers 401 for a non-admin reset, 403 for every other missing permission.
      throw new PermissionError(
        access === 'admin'
          ? 'Only administrators may do this.'
          : `You do not have the ${needed.join(' or ')} permission.`,
        access === 'admin' ? 401 : 403,
      );
    }
  });
}

function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers['x-authorization'];
  const registryToken = Array.isArray(header) ? header[0] : header;
  if (registryToken !== undefined || !request.routeOptions.config.bearerToken) return registryToken;
  const bearer = /^bearer\s+(?:hf_)?(\S+)$/i.exec(request.headers.authorization?.trim() ?? '');
  return bearer?.[1];
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AuthenticationError();
  return request.actor;
}
