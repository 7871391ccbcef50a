import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
import { actorOf } from '../access.js';
import { ArtifactID, errorResponses, ModelRating } from '../schemas.js';

/** Trust scores of a model; any metric that cannot be computed answers 500, naming it. */
export const ratingRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  const { artifacts, ratings } = registry;

  app.get(
    '/artifact/model/:id/rate',
    {
      config: { access: 'search' },
      schema: {
        summary: 'Get ratings for this model artifact. (BASELINE)',
        operationId: 'ModelArtifactRate',
        description:
          'Computed from the model card, config, files, hub statistics, the linked GitHub repository and ' +
          'datasets, and the lineage parents; kept and reused until the model or a parent score changes.',
        params: Type.Object({ id: Type.Ref(ArtifactID) }),
        response: {
          200: Type.Ref(ModelRating),
          ...errorResponses(400, 403, 404, 500),
        },
      },
    },
    async (request) => {
      const record = await artifacts.get('model', request.params.id);
      const rating = await ratings.rating(record);
      await artifacts.audit(record, actorOf(request), 'RATE');
      return rating;
    },
  );
};
