import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
import { ArtifactAuditEntry, ArtifactCost, errorResponses, TypeAndIdParams } from '../schemas.js';

/** Audit entries returned per request; the newest are kept when a trail is longer. */
const AUDIT_PAGE = 1000;

/** Facts about one artifact: its download cost and its audit trail. */
export const costAuditRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (
  app,
  { registry },
) => {
  const { artifacts, costs, store } = registry;

  app.get(
    '/artifact/:artifact_type/:id/cost',
    {
      config: { access: 'search' },
      schema: {
        summary: 'Get the cost of an artifact (BASELINE)',
        description:
          'Download size in MB (10^6 bytes), alone or with everything it depends on (dependency=true).',
        params: TypeAndIdParams,
        querystring: Type.Object({ dependency: Type.Boolean({ default: false }) }),
        response: { 200: Type.Ref(ArtifactCost), ...errorResponses(400, 403, 404, 500) },
      },
    },
    async (request) => {
      const record = await artifacts.get(request.params.artifact_type, request.params.id);
      return costs.cost(record, request.query.dependency);
    },
  );

  app.get(
    '/artifact/:artifact_type/:id/audit',
    {
      config: { access: 'search' },
      schema: {
        summary: 'Retrieve audit entries for this artifact. (NON-BASELINE)',
        operationId: 'ArtifactAuditGet',
        params: TypeAndIdParams,
        response: { 200: Type.Array(Type.Ref(ArtifactAuditEntry)), ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => {
      const record = await artifacts.get(request.params.artifact_type, request.params.id);
      const entries = await store.listAudit(record.id, AUDIT_PAGE);
      return entries.map((entry) => ({ ...entry, date: entry.date.toISOString().replace(/\.\d{3}Z$/, 'Z') }));
    },
  );
};
