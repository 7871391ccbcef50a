import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
import { errorResponses } from '../schemas.js';

const Reason = Type.Object({
  signal: Type.String({ description: 'name, popularity or bot-downloads' }),
  kind: Type.String(),
  detail: Type.String(),
  strength: Type.Number({ minimum: 0, maximum: 1 }),
});

const Suspected = Type.Object({
  artifact_id: Type.String(),
  name: Type.String(),
  source_url: Type.String(),
  metadata: Type.Object(
    {
      score: Type.Number({ minimum: 0, maximum: 1 }),
      imitates: Type.Object({ artifact_id: Type.String(), name: Type.String(), source_url: Type.String() }),
      reasons: Type.Array(Reason),
    },
    { additionalProperties: true },
  ),
});

/** The contract's package-confusion audit (admins only; docs/security.md). */
export const confusionAuditRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (
  app,
  { registry },
) => {
  app.post(
    '/artifacts/PackageConfusionAudit',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Audit for suspected package confusion uploads (NON-BASELINE)',
        description:
          'Models whose name imitates a far more popular model (look-alike characters, case and delimiter ' +
          'changes, one-character edits, added affixes, look-alike organisations, combined names), supported by ' +
          'far lower popularity or bot-like downloads. metadata carries the score in [0, 1], the model imitated ' +
          'and every reason.',
        operationId: 'PackageConfusionAudit',
        response: { 200: Type.Object({ suspected: Type.Array(Suspected) }), ...errorResponses(401, 403) },
      },
    },
    async () => ({ suspected: await registry.confusion.run() }),
  );
};
