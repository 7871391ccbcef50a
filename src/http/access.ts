import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { AuthenticationError, PermissionError } from '../domain/errors.js';
import { type Actor, allows, type Permission } from '../security/permissions.js';
import type { AuthService } from '../services/auth-service.js';

/**
 * What a route needs: no token at all (`public`), any valid token (`authenticated`), a valid token
 * whose user is the `:username` of the path or an admin (`self-or-admin`), a valid token whose user
 * uploaded the artifact of the path or an admin (`uploader-or-admin`: the route checks the uploader
 * once it has found the artifact), or a permission (or any of several).
 */
export type Access =
  | 'public'
  | 'authenticated'
  | 'self-or-admin'
  | 'uploader-or-admin'
  | Permission
  | readonly Permission[];

/** One row of the route table the security doc and the authorization matrix test are built from. */
export interface RouteAccess {
  method: string;
  url: string;
  /** null: the route declared nothing, which the access hook treats as admin-only. */
  access: Access | null;
  /** In the OpenAPI document (not the docs' own files, the web app's files or HEAD twins). */
  documented: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Status for a missing permission; the contract answers 401 for a non-admin reset, else 403. */
    deniedStatus?: 401 | 403;
    /**
     * Also take the token from `Authorization: Bearer <token>`, as Hugging Face Hub clients send it
     * (`HF_TOKEN`); an `hf_` prefix, which the JS client insists on, is ignored.
     */
    bearerToken?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyInstance {
    /** Every route with its declared access, in registration order. */
    routeAccess(): RouteAccess[];
  }
}

/**
 * Checks X-Authorization before anything else about the request (so a missing token answers 403
 * even when the body is also malformed), spending one use of the token per call. Call before any
 * route is added: it records every route for `app.routeAccess()`. A route that declares no access
 * fails closed (admins only) and fails the authorization matrix test.
 */
export function registerAccessControl(app: FastifyInstance, auth: AuthService): void {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  // Read lazily: plugins (the docs) may still set a route's config after this hook has seen it.
  app.decorate('routeAccess', () =>
    routes.flatMap((route) =>
      [route.method].flat().map((method) => ({
        method,
        url: route.url,
        access: route.config?.access ?? null,
        documented: route.schema !== undefined && route.schema.hide !== true && method !== 'HEAD',
      })),
    ),
  );
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const access = config.access ?? 'admin';
    if (access === 'public' || request.routeOptions.url === undefined) return;
    request.actor = await auth.resolve(tokenOf(request));
    if (!permits(request.actor, access, request.params)) {
      throw new PermissionError(deniedMessage(access), config.deniedStatus ?? 403);
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

function permits(actor: Actor, access: Exclude<Access, 'public'>, params: unknown): boolean {
  if (access === 'authenticated' || access === 'uploader-or-admin') return true;
  if (access === 'self-or-admin') {
    return actor.isAdmin || (params as { username?: string } | undefined)?.username === actor.name;
  }
  const needed: readonly Permission[] = typeof access === 'string' ? [access] : access;
  return needed.some((permission) => allows(actor, permission));
}

function deniedMessage(access: Exclude<Access, 'public'>): string {
  if (access === 'authenticated' || access === 'uploader-or-admin')
    return 'Authentication failed due to invalid or missing AuthenticationToken.';
  if (access === 'admin') return 'Only administrators may do this.';
  if (access === 'self-or-admin') return 'Only this user or an administrator may do this.';
  const needed: readonly Permission[] = typeof access === 'string' ? [access] : access;
  return `You do not have the ${needed.join(' or ')} permission.`;
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AuthenticationError();
  return request.actor;
}
