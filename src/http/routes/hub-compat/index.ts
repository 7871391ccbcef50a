import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../../registry.js';
import { actorOf } from '../../access.js';
import { registerFileRoutes } from './file-routes.js';
import { registerHubErrorHandling } from './hub-errors.js';
import { registerRepoRoutes } from './repo-routes.js';

/**
 * A Hugging Face Hub-compatible read API beside the registry's own: what `huggingface_hub`,
 * `transformers` and `@huggingface/hub` call to read a repo and download its files, answered
 * from the registry only (a repo not in it is the Hub's 404, never fetched from the Hub). Tokens
 * are the registry's, sent as `Authorization: Bearer` (HF_TOKEN).
 */
export const hubCompatRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (
  app,
  { registry },
) => {
  registerHubErrorHandling(app);
  // huggingface_hub posts paths-info as a form (`paths=a&paths=b&expand=True`).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      const form = new URLSearchParams(body as string);
      const expand = form.get('expand');
      done(null, { paths: form.getAll('paths'), ...(expand === null ? {} : { expand }) });
    },
  );

  app.get(
    '/api/whoami-v2',
    {
      config: { access: 'authenticated', bearerToken: true },
      schema: {
        summary: 'Hub whoami',
        description: 'Who the bearer token belongs to (what `hf auth whoami` and `login` check).',
        tags: ['Hugging Face Hub compatibility (extension)'],
        response: { 200: Type.Unknown({ description: 'As the Hugging Face Hub answers.' }) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return {
        type: 'user',
        name: actor.name,
        fullname: actor.name,
        isPro: false,
        orgs: [],
        auth: { type: 'access_token', accessToken: { displayName: 'modelguard', role: 'read' } },
      };
    },
  );

  registerRepoRoutes(app, registry);
  registerFileRoutes(app, registry);
};
