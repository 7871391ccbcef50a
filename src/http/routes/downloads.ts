import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
import { actorOf } from '../access.js';
import { AspectParam, errorResponses, TypeAndIdParams } from '../schemas.js';
import { sendDownload } from '../send-download.js';
import { allowSensitiveBytes } from '../sensitive-bytes.js';

/**
 * Package downloads: the full zip or one aspect of it, with Content-Length, a strong ETag,
 * conditional GET and single-range requests for resuming. HEAD answers the headers only.
 */
export const downloadRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (
  app,
  { registry },
) => {
  const { artifacts, downloads, monitors, popularity } = registry;

  // GET and HEAD share the handler; HEAD is explicit so it answers the real Content-Length
  // without opening the package.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/download/:artifact_type/:id',
    exposeHeadRoute: false,
    config: { access: 'download' },
    schema: {
      summary: 'Download the stored package, or one aspect of it (extension)',
      operationId: 'ArtifactDownload',
      description:
        'aspect=full (default) returns the package byte-identical to what was stored; weights, datasets, code or ' +
        'docs return a zip of only those files. Supports Range (single range), If-Range and If-None-Match. A ' +
        "sensitive model's monitor program runs first and may refuse (403 MONITOR_REFUSED, with its output).",
      params: TypeAndIdParams,
      querystring: Type.Object({ aspect: Type.Optional(AspectParam) }),
      response: {
        200: Type.Unknown({ description: 'The zip (application/zip).' }),
        206: Type.Unknown({ description: 'The requested byte range of the zip.' }),
        302: Type.Unknown({
          description: 'Redirect to a short-lived object-store URL (S3_PRESIGN_DOWNLOADS).',
        }),
        304: Type.Unknown({ description: 'Not modified (If-None-Match).' }),
        ...errorResponses(400, 403, 404, 416, 500),
      },
    },
    handler: async (request, reply) => {
      const { artifact_type: type, id } = request.params;
      const aspect = request.query.aspect ?? 'full';
      const record = await artifacts.get(type, id);
      await allowSensitiveBytes(request, monitors, record, aspect);
      // The response closing before it finished means the client went away.
      const clientGone = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) clientGone.abort();
      });
      const download = await downloads.open(record, aspect, clientGone.signal);

      return sendDownload(request, reply, download, async () => {
        await artifacts.audit(record, actorOf(request), 'DOWNLOAD');
        await popularity.record('download', [record.id], actorOf(request), request.ip);
      });
    },
  });
};
