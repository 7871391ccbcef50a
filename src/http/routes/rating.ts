import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
import { actorOf } from '../access.js';
import { ArtifactID, errorResponses, ModelRating } from '../schemas.js';

/** The contract's ModelRating; with `explain=true` (an extension) also `reasons`. */
const RatingResponse = Type.Composite([
  ModelRating,
  Type.Object({
    reasons: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Extension (explain=true): per metric, keys as above, why it scored what it did.',
      }),
    ),
  }),
]);

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
        querystring: Type.Object({
          explain: Type.Boolean({
            default: false,
            description:
              'Extension: true adds `reasons`, the sentence behind each metric score. Without it the ' +
              'answer is exactly the contract ModelRating.',
          }),
        }),
        response: {
          200: RatingResponse,
          ...errorResponses(400, 403, 404, 500),
        },
      },
    },
    async (request) => {
      const record = await artifacts.get('model', request.params.id);
      const { rating, reasons } = await ratings.explained(record);
      await artifacts.audit(record, actorOf(request), 'RATE');
      return request.query.explain ? { ...rating, reasons } : rating;
    },
  );
};
