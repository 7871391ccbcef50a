import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
import { actorOf } from '../access.js';
import { errorResponses, NEXT_PAGE, PageQuery } from '../schemas.js';
import {
  PasswordChangeRequest,
  PermissionChangeRequest,
  SecurityEventEntry,
  UserInfoResponse,
  UserRegistrationRequest,
} from '../user-schemas.js';

const UserParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 128 }) });

/** Users (the contract's security track) and the security audit trail (extensions). */
export const userRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  const { users, securityAudit } = registry;
  const pageSize = registry.config.limits.pageSize;

  app.post(
    '/users',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Register a new user (NON-BASELINE - Security Track)',
        operationId: 'UserCreate',
        description:
          'Admin only. The password must follow the policy in docs/security.md (at least 12 characters, not the ' +
          'user name, not a common password).',
        body: Type.Ref(UserRegistrationRequest),
        response: { 201: Type.Ref(UserInfoResponse), ...errorResponses(400, 403, 409, 500) },
      },
    },
    async (request, reply) => {
      const { user, secret, permissions } = request.body;
      const view = await users.create(actorOf(request), {
        name: user.name,
        isAdmin: user.is_admin,
        password: secret.password,
        ...(permissions ? { permissions } : {}),
      });
      return reply.status(201).send(view);
    },
  );

  app.get(
    '/users',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'List users (extension)',
        description: `Admin only, in name order. ${NEXT_PAGE}`,
        querystring: PageQuery,
        response: { 200: Type.Array(Type.Ref(UserInfoResponse)), ...errorResponses(400, 403) },
      },
    },
    async (request, reply) => {
      const page = await users.list({
        limit: pageSize,
        ...(request.query.offset ? { after: request.query.offset } : {}),
      });
      if (page.next !== null) reply.header('offset', page.next);
      return page.items;
    },
  );

  app.get(
    '/users/:username',
    {
      config: { access: 'self-or-admin' },
      schema: {
        summary: 'Get user info and permissions (NON-BASELINE - Security Track)',
        operationId: 'UserGet',
        params: UserParams,
        response: { 200: Type.Ref(UserInfoResponse), ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => users.get(request.params.username),
  );

  app.delete(
    '/users/:username',
    {
      config: { access: 'self-or-admin' },
      schema: {
        summary: 'Delete a user account (NON-BASELINE - Security Track)',
        operationId: 'UserDelete',
        description:
          "Yourself, or anyone as an admin; the user's tokens stop working at once. The default administrator is " +
          'deleted only by itself, and the last administrator not at all (409).',
        params: UserParams,
        response: {
          200: Type.Object({ message: Type.String() }),
          ...errorResponses(400, 403, 404, 409, 500),
        },
      },
    },
    async (request) => {
      await users.delete(actorOf(request), request.params.username);
      return { message: `User '${request.params.username}' deleted successfully` };
    },
  );

  app.put(
    '/users/:username/permissions',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Change a user's permissions (extension)",
        description:
          'Admin only; applies from the next request of any of their tokens. The default administrator is demoted ' +
          'only by itself, and the last administrator not at all (409).',
        params: UserParams,
        body: Type.Ref(PermissionChangeRequest),
        response: { 200: Type.Ref(UserInfoResponse), ...errorResponses(400, 403, 404, 409) },
      },
    },
    async (request) => users.setPermissions(actorOf(request), request.params.username, request.body),
  );

  app.put(
    '/users/:username/password',
    {
      config: { access: 'self-or-admin' },
      schema: {
        summary: "Change a user's password (extension)",
        description:
          "Your own with old_password, or anyone's as an admin (not the default administrator's). Every other " +
          'token of the user is revoked.',
        params: UserParams,
        body: Type.Ref(PasswordChangeRequest),
        response: { 200: Type.Object({ message: Type.String() }), ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => {
      const { new_password, old_password } = request.body;
      await users.changePassword(actorOf(request), request.params.username, new_password, old_password);
      return { message: 'Password changed; the other tokens of this user are revoked.' };
    },
  );

  app.get(
    '/audit/security',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Security audit trail (extension)',
        description: `Admin only, newest first: sign-ins (success, failure, throttled) and user changes. ${NEXT_PAGE}`,
        querystring: Type.Object({
          offset: Type.Optional(Type.String({ maxLength: 32 })),
          subject: Type.Optional(
            Type.String({ maxLength: 128, description: 'Only events about this user.' }),
          ),
        }),
        response: { 200: Type.Array(Type.Ref(SecurityEventEntry)), ...errorResponses(400, 403) },
      },
    },
    async (request, reply) => {
      const { offset, subject } = request.query;
      const page = await securityAudit.list(
        { limit: pageSize, ...(offset ? { after: offset } : {}) },
        subject,
      );
      if (page.next !== null) reply.header('offset', page.next);
      return page.items.map((event) => ({ ...event, date: event.date.toISOString() }));
    },
  );
};
