import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
import { ArtifactID, ArtifactLineageGraph, errorResponses } from '../schemas.js';

/** Where a model comes from: its parents, datasets and code, from structured metadata. */
export const lineageRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  const { artifacts, lineage } = registry;

  app.get(
    '/artifact/model/:id/lineage',
    {
      config: { access: 'search' },
      schema: {
        summary: 'Retrieve the lineage graph for this artifact. (BASELINE)',
        operationId: 'ArtifactLineageGet',
        description:
          'Nodes for the model, the models it derives from (card base_model, adapter_config.json, ' +
          'config.json), its datasets and its linked code; registry ids where the registry holds them, ' +
          'stable ext-… ids otherwise. Registry parents are followed through their own metadata.',
        params: Type.Object({ id: Type.Ref(ArtifactID) }),
        response: {
          200: Type.Ref(ArtifactLineageGraph),
          ...errorResponses(400, 403, 404),
        },
      },
    },
    async (request) => lineage.graph(await artifacts.get('model', request.params.id)),
  );
};
