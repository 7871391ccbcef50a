import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
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
          'account decides.',
        body: Type.Ref(AuthenticationRequest),
        response: {
          200: Type.Ref(AuthenticationToken),
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (request, reply) => {
      const token = await registry.auth.authenticate(request.body.user.name, request.body.secret.password);
      // The contract's token is a JSON string, quotes included.
      return reply.type('application/json').send(JSON.stringify(token));
    },
  );

  app.delete(
    '/reset',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Reset the registry. (BASELINE)',
        operationId: 'RegistryReset',
        response: {
          200: Type.Object({ message: Type.String() }),
          ...errorResponses(401, 403),
        },
      },
    },
    async () => {
      await registry.reset();
      return { message: 'Registry is reset.' };
    },
  );
};
