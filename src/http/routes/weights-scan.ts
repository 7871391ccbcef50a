import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
import { errorResponses, TypeAndIdParams } from '../schemas.js';

const WeightFileScan = Type.Object({
  path: Type.String(),
  format: Type.String({ description: 'pickle, torch-legacy, torch-zip or safetensors' }),
  verdict: Type.String(),
  globals: Type.Array(Type.String(), { description: 'every global the file names (module.name)' }),
  findings: Type.Array(Type.String()),
});

/** The weights scan kept with each artifact (docs/security.md). */
export const weightsScanRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (
  app,
  { registry },
) => {
  app.get(
    '/artifact/:artifact_type/:id/weights-scan',
    {
      config: { access: 'search' },
      schema: {
        summary: 'What the malicious-weights scan found in the stored package (extension)',
        description:
          'Every pickle-based file (.bin .pt .pth .pkl .pickle .ckpt .joblib, and pickles inside PyTorch zip ' +
          'containers) was disassembled against the weights-only allowlist and every .safetensors header checked ' +
          'before the package was accepted. verdict is "clean", or "not_scanned" for packages stored before ' +
          'scanning existed.',
        operationId: 'ArtifactWeightsScan',
        params: TypeAndIdParams,
        response: {
          200: Type.Object({
            artifact_id: Type.String(),
            policy: Type.Union([Type.String(), Type.Null()]),
            verdict: Type.Union([
              Type.Literal('clean'),
              Type.Literal('refused'),
              Type.Literal('not_scanned'),
            ]),
            files_scanned: Type.Integer(),
            files: Type.Array(WeightFileScan),
          }),
          ...errorResponses(400, 403, 404),
        },
      },
    },
    async (request) => {
      const record = await registry.artifacts.get(request.params.artifact_type, request.params.id);
      const scan = record.facts.weightsScan;
      if (!scan)
        return {
          artifact_id: record.id,
          policy: null,
          verdict: 'not_scanned' as const,
          files_scanned: 0,
          files: [],
        };
      return {
        artifact_id: record.id,
        policy: scan.policy,
        verdict: scan.verdict,
        files_scanned: scan.filesScanned,
        files: scan.files,
      };
    },
  );
};
