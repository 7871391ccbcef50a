import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
import { ArtifactID, errorResponses, SimpleLicenseCheckRequest } from '../schemas.js';

/** Header values must be visible ASCII; reasons use typographic quotes and can be long. */
const MAX_REASON_HEADER = 1000;

/** Whether a GitHub project's license fits the model's for fine-tuning plus inference. */
export const licenseRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  const { artifacts, licenses } = registry;

  app.post(
    '/artifact/model/:id/license-check',
    {
      config: { access: 'search' },
      schema: {
        summary: 'Assess license compatibility for fine-tune and inference usage. (BASELINE)',
        operationId: 'ArtifactLicenseCheck',
        description:
          'true when code under the GitHub project’s license can fine-tune the model and run inference ' +
          'with it under both licenses (rules: docs/licenses.md). The X-License-Reason header says why.',
        params: Type.Object({ id: Type.Ref(ArtifactID) }),
        body: Type.Ref(SimpleLicenseCheckRequest),
        response: {
          200: Type.Boolean(),
          ...errorResponses(400, 403, 404, 502),
        },
      },
    },
    async (request, reply) => {
      const model = await artifacts.get('model', request.params.id);
      const result = await licenses.check(model, request.body.github_url);
      request.log.info(
        { artifactId: model.id, githubUrl: request.body.github_url, ...result },
        'license check',
      );
      reply.header('x-license-reason', headerText(result.reason));
      return result.compatible;
    },
  );
};

function headerText(text: string): string {
  const ascii = text
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > MAX_REASON_HEADER ? `${ascii.slice(0, MAX_REASON_HEADER - 3)}...` : ascii;
}
