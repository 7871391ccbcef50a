import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
import { ArtifactAuditEntry, ArtifactCost, errorResponses, TypeAndIdParams } from '../schemas.js';

/** Extension: what the web app's artifact page shows beside the contract's envelope. */
const ArtifactDetails = Type.Object({
  version: Type.Union([Type.String(), Type.Null()], { description: 'Semantic version, when it has one.' }),
  size_bytes: Type.Integer({ description: 'Size of the stored package zip.' }),
  sha256: Type.String({ description: 'Digest of the package zip (its ETag).' }),
  created_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  file_count: Type.Integer(),
  aspects: Type.Record(Type.String(), Type.Integer(), {
    description: 'Uncompressed bytes per downloadable aspect present in the package.',
  }),
});

/** Facts about one artifact: its details, download cost and audit trail. */
export const costAuditRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (
  app,
  { registry },
) => {
  const { artifacts, costs } = registry;

  app.get(
    '/artifact/:artifact_type/:id/details',
    {
      config: { access: 'search' },
      schema: {
        summary: 'Version, size, digest, provenance and aspects of an artifact (extension)',
        params: TypeAndIdParams,
        response: { 200: ArtifactDetails, ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => {
      const record = await artifacts.get(request.params.artifact_type, request.params.id);
      const aspects: Record<string, number> = {};
      for (const file of record.facts.files) aspects[file.aspect] = (aspects[file.aspect] ?? 0) + file.size;
      return {
        version: record.version?.text ?? null,
        size_bytes: record.packageSize,
        sha256: record.packageDigest,
        created_by: record.createdBy,
        created_at: record.createdAt.toISOString(),
        updated_at: record.updatedAt.toISOString(),
        file_count: record.facts.files.length,
        aspects,
      };
    },
  );

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
        description:
          'Newest entries first, one page (PAGE_SIZE entries) at a time. When older entries exist the `offset` ' +
          'response header carries the value to send as the `offset` query parameter for the next page (extension).',
        params: TypeAndIdParams,
        querystring: Type.Object({ offset: Type.Optional(Type.String({ maxLength: 32 })) }),
        response: { 200: Type.Array(Type.Ref(ArtifactAuditEntry)), ...errorResponses(400, 403, 404) },
      },
    },
    async (request, reply) => {
      const { artifact_type: type, id } = request.params;
      const page = await artifacts.auditTrail(type, id, request.query.offset);
      if (page.next !== null) reply.header('offset', page.next);
      // On the first page (newest first), the newest CREATE/UPDATE stored the current package:
      // it carries that package's weights scan.
      const scan =
        request.query.offset === undefined ? (await artifacts.get(type, id)).facts.weightsScan : undefined;
      const stored = page.items.findIndex((entry) => entry.action === 'CREATE' || entry.action === 'UPDATE');
      return page.items.map((entry, index) => ({
        ...entry,
        date: entry.date.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        ...(index === stored && scan
          ? { weights_scan: { policy: scan.policy, verdict: scan.verdict, files_scanned: scan.filesScanned } }
          : {}),
      }));
    },
  );
};
