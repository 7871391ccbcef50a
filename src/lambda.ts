import awsLambdaFastify, { type LambdaResponse } from '@fastify/aws-lambda';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { ComponentUnavailableError } from './domain/errors.js';

/** The parts of an API Gateway HTTP API (payload format 2.0) event the adapter reads. */
export interface HttpApiEvent {
  version: '2.0';
  rawPath: string;
  rawQueryString?: string;
  headers?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: { http: { method: string; sourceIp?: string }; requestId?: string; stage?: string };
  body?: string;
  isBase64Encoded?: boolean;
}

export type LambdaHandler = (event: HttpApiEvent, context: object) => Promise<LambdaResponse>;

/** Response bodies of these types go back base64-encoded; API Gateway decodes them to bytes. */
export const BINARY_MIME_TYPES = ['application/zip', 'application/octet-stream'];

/**
 * A synchronous Lambda invocation returns at most 6 MB of JSON (body base64-encoded). Larger
 * answers fail inside Lambda with an opaque 502, so name the way out instead.
 */
const MAX_RESPONSE_BODY_CHARS = 6 * 1024 * 1024 - 64 * 1024;

/**
 * Wraps the app built by `build` as a Lambda handler. The app is built on the first invocation
 * of a container (cold start) and reused by every later one; a failed build is retried on the
 * next invocation, so a database that was down at cold start does not poison the container.
 */
export function createLambdaHandler(build: () => Promise<FastifyInstance>): LambdaHandler {
  let ready: Promise<LambdaHandler> | null = null;
  const start = async (): Promise<LambdaHandler> => {
    const app = await build();
    await app.ready();
    const proxy = awsLambdaFastify<HttpApiEvent>(app, {
      binaryMimeTypes: BINARY_MIME_TYPES,
      // Artifact names may contain commas; a query value is one string, never a list.
      parseCommaSeparatedQueryParams: false,
      decorateRequest: false,
      // The pg pool and S3 sockets stay open between invocations; do not wait for them to close.
      callbackWaitsForEmptyEventLoop: false,
    });
    return async (event, context) => guardResponseSize(await proxy(event, context as never));
  };

  return async (event, context) => {
    ready ??= start();
    let proxy: LambdaHandler;
    try {
      proxy = await ready;
    } catch (error) {
      ready = null;
      if (error instanceof ComponentUnavailableError) return jsonResponse(503, error.code, error.message);
      throw error;
    }
    return proxy(event, context);
  };
}

function guardResponseSize(response: LambdaResponse): LambdaResponse {
  if ((response.body?.length ?? 0) <= MAX_RESPONSE_BODY_CHARS) return response;
  return jsonResponse(
    413,
    'RESPONSE_TOO_LARGE',
    'The response exceeds the 6 MB AWS Lambda limit. Download full packages with S3_PRESIGN_DOWNLOADS=true ' +
      '(a redirect to the object store), or use a range request or the container deployment for large aspects.',
  );
}

function jsonResponse(statusCode: number, error: string, message: string): LambdaResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    isBase64Encoded: false,
    body: JSON.stringify({ error, message }),
  };
}

/** The Lambda entry point (`dist/lambda.handler`); /tmp is the only writable directory there. */
export const handler = createLambdaHandler(() =>
  buildApp(loadConfig({ DATA_DIR: '/tmp/modelguard', ...process.env })),
);
