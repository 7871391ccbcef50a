import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry.js';
import { actorOf } from '../access.js';
import { parseRange } from '../range.js';
import { AspectParam, errorResponses, TypeAndIdParams } from '../schemas.js';

/**
 * Package downloads: the full zip or one aspect of it, with Content-Length, a strong ETag,
 * conditional GET and single-range requests for resuming. HEAD answers the headers only.
 */
export const downloadRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (
  app,
  { registry },
) => {
  const { artifacts, downloads } = registry;

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
        'docs return a zip of only those files. Supports Range (single range), If-Range and If-None-Match.',
      params: TypeAndIdParams,
      querystring: Type.Object({ aspect: Type.Optional(AspectParam) }),
      response: {
        200: Type.Unknown({ description: 'The zip (application/zip).' }),
        206: Type.Unknown({ description: 'The requested byte range of the zip.' }),
        302: Type.Unknown({
          description: 'Redirect to a short-lived object-store URL (S3_PRESIGN_DOWNLOADS).',
        }),
        304: Type.Unknown({ description: 'Not modified (If-None-Match).' }),
        ...errorResponses(400, 403, 404, 416),
      },
    },
    handler: async (request, reply) => {
      const { artifact_type: type, id } = request.params;
      const record = await artifacts.get(type, id);
      const download = await downloads.open(record, request.query.aspect ?? 'full');

      const ifRange = request.headers['if-range'];
      const rangeHeader =
        ifRange === undefined || ifRange === download.etag ? request.headers.range : undefined;
      const outcome = parseRange(rangeHeader, download.size);
      const isHead = request.method === 'HEAD';
      // One audit entry per download, not per resumed chunk or HEAD probe.
      const startsDownload =
        !isHead && (outcome.kind === 'full' || (outcome.kind === 'partial' && outcome.range.start === 0));
      if (startsDownload) await artifacts.audit(record, actorOf(request), 'DOWNLOAD');

      if (download.redirectUrl) return reply.redirect(download.redirectUrl, 302);
      if (download.accelRedirect) {
        // nginx serves the bytes (sendfile, Range, conditional requests) from its internal location.
        return reply
          .header('x-accel-redirect', download.accelRedirect)
          .header('content-disposition', `attachment; filename="${download.fileName}"`)
          .type('application/zip')
          .send('');
      }

      reply
        .header('accept-ranges', 'bytes')
        .header('etag', download.etag)
        .header('cache-control', 'private, no-cache')
        .header('content-disposition', `attachment; filename="${download.fileName}"`);
      if (download.sha256Hex) {
        reply.header('repr-digest', `sha-256=:${Buffer.from(download.sha256Hex, 'hex').toString('base64')}:`);
      }
      if (request.headers['if-none-match'] === download.etag) return reply.status(304).send();

      if (outcome.kind === 'unsatisfiable') {
        return reply
          .status(416)
          .header('content-range', `bytes */${download.size}`)
          .send({ error: 'RANGE_NOT_SATISFIABLE', message: `The package is ${download.size} bytes long.` });
      }
      reply.type('application/zip');
      if (outcome.kind === 'partial') {
        const { start, end } = outcome.range;
        reply
          .status(206)
          .header('content-range', `bytes ${start}-${end}/${download.size}`)
          .header('content-length', end - start + 1);
        return reply.send(isHead ? undefined : await download.stream(outcome.range));
      }
      reply.header('content-length', download.size);
      return reply.send(isHead ? undefined : await download.stream());
    },
  });
};
