import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLambdaHandler, handler as entryPoint, type LambdaHandler } from '../../src/lambda.js';
import { DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD } from '../../src/services/auth-service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type EventSpec, httpApiEvent } from '../support/lambda-events.js';
import { modelZip, sha256 } from '../support/zips.js';

const context = { awsRequestId: 'test', functionName: 'modelguard', callbackWaitsForEmptyEventLoop: true };

describe('AWS Lambda handler (API Gateway HTTP API v2 events)', () => {
  let t: TestApp | undefined;
  let builds = 0;
  let handler: LambdaHandler;
  let token: string;

  beforeAll(async () => {
    handler = createLambdaHandler(async () => {
      builds += 1;
      t = await startTestApp();
      return t.app;
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const invoke = (spec: EventSpec) => handler(httpApiEvent(spec), context);

  it('answers the health check, building the app once and reusing it', async () => {
    const first = await invoke({ path: '/health' });
    const second = await invoke({ path: '/health' });
    expect(first).toMatchObject({ statusCode: 200, isBase64Encoded: false });
    expect(JSON.parse(first.body)).toEqual({ status: 'ok' });
    expect(second.statusCode).toBe(200);
    expect(builds).toBe(1);
  });

  it('authenticates with a JSON body', async () => {
    const response = await invoke({
      method: 'PUT',
      path: '/authenticate',
      body: {
        user: { name: DEFAULT_ADMIN_NAME, is_admin: true },
        secret: { password: DEFAULT_ADMIN_PASSWORD },
      },
    });
    expect(response.statusCode).toBe(200);
    token = JSON.parse(response.body) as string;
    expect(token).toMatch(/^bearer /);
  });

  it('accepts a base64-encoded zip upload and returns the download base64-encoded, byte-identical', async () => {
    const zip = await modelZip('lambda-model');
    const upload = await invoke({
      method: 'POST',
      path: '/artifact/model/upload',
      query: { name: 'lambda-model', version: '1.0.0' },
      headers: { 'x-authorization': token, 'content-type': 'application/zip' },
      body: zip,
    });
    expect(upload.statusCode, upload.body).toBe(201);
    const { metadata } = JSON.parse(upload.body);
    expect(metadata).toMatchObject({ name: 'lambda-model', type: 'model' });

    const download = await invoke({
      path: `/download/model/${metadata.id}`,
      headers: { 'x-authorization': token },
    });
    expect(download.statusCode).toBe(200);
    expect(download.isBase64Encoded).toBe(true);
    expect(download.headers['content-type']).toBe('application/zip');
    const bytes = Buffer.from(download.body, 'base64');
    expect(bytes.length).toBe(zip.length);
    expect(sha256(bytes)).toBe(sha256(zip));
  });

  it('keeps a query value with commas as one string', async () => {
    const response = await invoke({
      method: 'POST',
      path: '/artifact/model/upload',
      query: { name: 'a,b' },
      headers: { 'x-authorization': token, 'content-type': 'application/zip' },
      body: await modelZip('a,b'),
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(JSON.parse(response.body).metadata.name).toBe('a,b');
  });

  it('answers 403 without a token', async () => {
    const response = await invoke({ method: 'POST', path: '/artifacts', body: [{ name: '*' }] });
    expect(response.statusCode).toBe(403);
    expect(response.isBase64Encoded).toBe(false);
    expect(JSON.parse(response.body).error).toBe('AUTHENTICATION_FAILED');
  });
});

describe('the exported Lambda entry point', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mg-lambda-'));
    vi.stubEnv('DATA_DIR', dataDir);
    vi.stubEnv('LOG_LEVEL', 'silent');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('builds the app from the environment on the first invocation', async () => {
    const response = await entryPoint(httpApiEvent({ path: '/health' }), context);
    expect(response.statusCode).toBe(200);
  });

  it('answers 503 naming the database when it is unreachable at cold start, and retries later', async () => {
    let attempts = 0;
    const handler = createLambdaHandler(() => {
      attempts += 1;
      return buildApp(
        loadConfig({
          DATA_DIR: dataDir,
          LOG_LEVEL: 'silent',
          DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
          DATABASE_CONNECT_TIMEOUT_MS: '1000',
        }),
      );
    });
    for (const _ of [1, 2]) {
      const response = await handler(httpApiEvent({ path: '/health' }), context);
      expect(response.statusCode).toBe(503);
      expect(JSON.parse(response.body).message).toMatch(/^database unavailable/);
    }
    expect(attempts).toBe(2);
  });
});
