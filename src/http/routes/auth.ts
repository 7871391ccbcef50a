import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
import { actorOf } from '../access.js';
import { AuthenticationRequest, AuthenticationToken, errorResponses } from '../schemas.js';

/** Sign-in, and the admin-only reset to the default state. */
export const authRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.put(
    '/authenticate',
    {
      config: {
        access: 'public',
        rateLimit:
          registry.config.auth.signInsPerMinute > 0
            ? { max: registry.config.auth.signInsPerMinute, timeWindow: '1 minute' }
            : false,
      },
      schema: {
        summary: 'Create an access token. (NON-BASELINE)',
        operationId: 'CreateAuthToken',
        description:
          'Answers the token as a JSON string "bearer <jwt>"; send it as X-Authorization. A token is valid for ' +
          '10 hours or 1000 calls, whichever ends first. user.is_admin in the request is ignored: the stored ' +
          'account decides. After 5 failed sign-ins in a row an account waits 1 s, 2 s, 4 s ... (up to 15 min) ' +
          'between attempts (429 with Retry-After), on top of the per-address limit.',
        body: Type.Ref(AuthenticationRequest),
        response: {
          200: Type.Ref(AuthenticationToken),
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (request, reply) => {
      const { user, secret } = request.body;
      const token = await registry.auth.authenticate(user.name, secret.password, request.ip);
      // The contract's token is a JSON string, quotes included.
      return reply.type('application/json').send(JSON.stringify(token));
    },
  );

  app.delete(
    '/reset',
    {
      config: { access: 'admin', deniedStatus: 401 },
      schema: {
        summary: 'Reset the registry. (BASELINE)',
        operationId: 'RegistryReset',
        response: {
          200: Type.Object({ message: Type.String() }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => {
      await registry.reset();
      await registry.securityAudit.record({
        action: 'RESET',
        outcome: 'success',
        actor: actorOf(request).name,
      });
      return { message: 'Registry is reset.' };
    },
  );
};
