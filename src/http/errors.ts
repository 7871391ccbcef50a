import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import {
  ComponentUnavailableError,
  DisqualifiedError,
  RegistryError,
  TooManyRequestsError,
  UpstreamError,
} from '../domain/errors.js';
import { BlobNotFoundError } from '../storage/blobs/blob-store.js';
import type { PageFallback } from './web-ui.js';

/** Headers describing the body a handler meant to send (a package); an error body is not that. */
const REPRESENTATION_HEADERS = [
  'content-disposition',
  'content-length',
  'content-range',
  'accept-ranges',
  'etag',
  'repr-digest',
];

/** One JSON error shape for everything: `{ error, message }` with the contract's status codes. */
export function registerErrorHandling(app: FastifyInstance, pageFallback: PageFallback | null = null): void {
  app.setErrorHandler((thrown: FastifyError | RegistryError | BlobNotFoundError, request, reply) => {
    forgetRepresentation(reply);
    const error = thrown instanceof BlobNotFoundError ? missingBytes(thrown) : thrown;
    if (error instanceof RegistryError) {
      if (error.statusCode >= 500) request.log.warn({ err: error }, error.message);
      // Both carry a server-chosen wait: tell the client when to retry.
      if (
        (error instanceof UpstreamError || error instanceof TooManyRequestsError) &&
        error.retryAfterSeconds !== null
      ) {
        reply.header('retry-after', String(error.retryAfterSeconds));
      }
      const body = { error: error.code, message: error.message };
      if (error instanceof DisqualifiedError && Array.isArray(error.details))
        return reply.status(424).send({ ...body, failing: error.details });
      return reply.status(error.statusCode).send(body);
    }
    if (error.validation) {
      return reply.status(400).send({ error: 'BAD_REQUEST', message: `Invalid request: ${error.message}` });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply
        .status(status)
        .send({ error: error.code ?? STATUS_CODES[status] ?? 'Error', message: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .status(500)
      .send({ error: 'INTERNAL_ERROR', message: 'The registry hit an internal error.' });
  });

  app.setNotFoundHandler((request, reply) => {
    if (pageFallback?.(request, reply)) return;
    reply.status(404).send({ error: 'NOT_FOUND', message: `No route ${request.method} ${request.url}.` });
  });
}

function forgetRepresentation(reply: FastifyReply): void {
  for (const header of REPRESENTATION_HEADERS) reply.removeHeader(header);
}

/** A row whose bytes the object store does not have: the store failed us, not the client. */
function missingBytes(error: BlobNotFoundError): ComponentUnavailableError {
  return new ComponentUnavailableError(
    'object store',
    `the package bytes (sha256 ${error.digest}) are missing`,
  );
}
