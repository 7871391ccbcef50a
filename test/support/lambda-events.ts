import type { HttpApiEvent } from '../../src/lambda.js';

export interface EventSpec {
  method?: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** JSON bodies go as text, buffers base64-encoded, as API Gateway sends them. */
  body?: unknown;
}

/** A hand-built API Gateway HTTP API (payload format 2.0) event. */
export function httpApiEvent({ method = 'GET', path, query, headers = {}, body }: EventSpec): HttpApiEvent {
  const binary = Buffer.isBuffer(body);
  const text = body === undefined ? undefined : binary ? body.toString('base64') : JSON.stringify(body);
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    // API Gateway lower-cases header names and sends no content-length.
    headers: {
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'vitest',
      ...(text !== undefined && !binary ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      http: { method, sourceIp: '198.51.100.7' },
      requestId: `req-${Math.random().toString(16).slice(2)}`,
      stage: '$default',
    },
    ...(text !== undefined ? { body: text, isBase64Encoded: binary } : { isBase64Encoded: false }),
  };
}
