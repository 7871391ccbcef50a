import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { DisqualifiedError, TooManyRequestsError, UpstreamError } from '../../../src/domain/errors.js';
import { registerErrorHandling } from '../../../src/http/errors.js';
import { BlobNotFoundError } from '../../../src/storage/blobs/blob-store.js';

/** A bare Fastify whose one route throws what it is given, after setting package headers. */
async function throwing(error: unknown, fallback: Parameters<typeof registerErrorHandling>[1] = null) {
  const app = Fastify({ logger: false });
  registerErrorHandling(app, fallback);
  app.get('/boom', async (_request, reply) => {
    reply.header('content-length', 99).header('etag', '"x"').header('content-disposition', 'attachment');
    throw error;
  });
  await app.ready();
  return app;
}

describe('error handling', () => {
  let app: FastifyInstance | undefined;
  afterEach(() => app?.close());

  it('answers a registry error with its status and code, and drops the package headers', async () => {
    app = await throwing(new TooManyRequestsError('slow down', 7));
    const response = await app.inject('/boom');
    expect(response.statusCode).toBe(429);
    expect(response.json()).toEqual({ error: 'TOO_MANY_REQUESTS', message: 'slow down' });
    expect(response.headers['retry-after']).toBe('7');
    expect(response.headers.etag).toBeUndefined();
    expect(response.headers['content-disposition']).toBeUndefined();
  });

  it('lists the failing metrics of a gate refusal (424)', async () => {
    const failing = [{ metric: 'license', score: 0.1, threshold: 0.5 }];
    app = await throwing(new DisqualifiedError('refused by the gate', failing));
    const response = await app.inject('/boom');
    expect(response.statusCode).toBe(424);
    expect(response.json()).toEqual({ error: 'DISQUALIFIED', message: 'refused by the gate', failing });
  });

  it('takes missing package bytes for an unavailable object store (503)', async () => {
    app = await throwing(new BlobNotFoundError('ab'.repeat(32)));
    const response = await app.inject('/boom');
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toBe('COMPONENT_UNAVAILABLE');
    expect(response.json().message).toContain('ab'.repeat(32));
  });

  it('passes client errors of Fastify through, and hides anything else behind a 500', async () => {
    app = await throwing(
      Object.assign(new Error('too big'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
    );
    expect((await app.inject('/boom')).json()).toEqual({
      error: 'FST_ERR_CTP_BODY_TOO_LARGE',
      message: 'too big',
    });
    await app.close();
    app = await throwing(Object.assign(new Error('teapot'), { statusCode: 418 }));
    expect((await app.inject('/boom')).json()).toEqual({ error: "I'm a Teapot", message: 'teapot' });
    await app.close();
    app = await throwing(new Error('secret internals'));
    const response = await app.inject('/boom');
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: 'INTERNAL_ERROR',
      message: 'The registry hit an internal error.',
    });
    await app.close();
    app = await throwing(new UpstreamError('hub down', 503, null));
    const upstream = await app.inject('/boom');
    expect(upstream.statusCode).toBe(503);
    expect(upstream.headers['retry-after']).toBeUndefined();
  });

  it('answers unknown routes with 404 unless the page fallback serves them', async () => {
    app = await throwing(new Error('unused'), (request, reply) => {
      if (!request.url.startsWith('/app')) return null;
      return reply.type('text/html').send('<html></html>');
    });
    expect((await app.inject('/app/page')).body).toBe('<html></html>');
    const missing = await app.inject('/nowhere');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'NOT_FOUND', message: 'No route GET /nowhere.' });
  });
});
