import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { ArtifactSummary } from '../../domain/artifact.js';
import type { Registry } from '../../registry.js';
import { actorOf } from '../access.js';
import { ArtifactMetadata, ArtifactName, ArtifactQuery, ArtifactRegEx, errorResponses } from '../schemas.js';

const MetadataList = Type.Array(Type.Ref(ArtifactMetadata));

/** Enumerate (paginated), look up by exact name, and search names and READMEs by regex. */
export const searchRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  const { search } = registry;
  /** Search results count as search hits for the package-confusion audit's popularity signal. */
  const hits = async (request: FastifyRequest, found: ArtifactSummary[]) => {
    await registry.popularity.record(
      'search_hit',
      found.map((artifact) => artifact.id),
      actorOf(request),
      request.ip,
    );
    return found;
  };

  app.post(
    '/artifacts',
    {
      config: { access: 'search' },
      schema: {
        summary: 'Get the artifacts from the registry. (BASELINE)',
        operationId: 'ArtifactsList',
        description:
          'Union of the queries ("*" matches every name), one page at a time. When more results exist the ' +
          '`offset` response header carries the value to send as the `offset` query parameter for the next page.',
        querystring: Type.Object({ offset: Type.Optional(Type.String({ maxLength: 32 })) }),
        body: Type.Array(Type.Ref(ArtifactQuery)),
        response: {
          200: MetadataList,
          ...errorResponses(400, 403, 413),
        },
      },
    },
    async (request, reply) => {
      const page = await search.query(request.body, request.query.offset);
      if (page.next !== null) reply.header('offset', page.next);
      return page.items;
    },
  );

  app.get(
    '/artifact/byName/:name',
    {
      config: { access: 'search' },
      schema: {
        summary: 'List artifact metadata for this name. (NON-BASELINE)',
        operationId: 'ArtifactByNameGet',
        params: Type.Object({ name: Type.Ref(ArtifactName) }),
        response: {
          200: MetadataList,
          ...errorResponses(400, 403, 404, 413),
        },
      },
    },
    async (request) => hits(request, await search.byName(request.params.name)),
  );

  app.post(
    '/artifact/byRegEx',
    {
      config: { access: 'search' },
      schema: {
        summary: 'Get any artifacts fitting the regular expression (BASELINE).',
        operationId: 'ArtifactByRegExGet',
        description: 'RE2 syntax (linear-time matching): backreferences and lookaround are not supported.',
        body: Type.Ref(ArtifactRegEx),
        response: {
          200: MetadataList,
          ...errorResponses(400, 403, 404, 413),
        },
      },
    },
    async (request) => hits(request, await search.byRegex(request.body.regex)),
  );
};
