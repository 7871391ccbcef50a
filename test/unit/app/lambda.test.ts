import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { ComponentUnavailableError } from '../../../src/domain/errors.js';
import { createLambdaHandler, handler as entryPoint, type LambdaHandler } from '../../../src/lambda.js';
import { DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD } from '../../../src/services/auth-service.js';
import { createSqliteStore } from '../../../src/storage/metadata/sqlite.js';
import { type EventSpec, httpApiEvent } from '../../support/lambda-events.js';
import { makeZip, pseudoRandomBytes, sha256 } from '../../support/zips.js';

const context = { awsRequestId: 'unit', functionName: 'modelguard' };
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'modelguard-lambda-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const testConfig = (dir: string) =>
  loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', PASSWORD_SCRYPT_LOG2_N: '12' });

describe('the Lambda handler over the real app (API Gateway HTTP API events)', () => {
  let handler: LambdaHandler;
  let builds = 0;
  let close: () => Promise<void> = async () => {};
  let token: string;

  beforeAll(async () => {
    handler = createLambdaHandler(async () => {
      builds += 1;
      const app = await buildApp(testConfig(join(dataDir, 'app')));
      close = () => app.close();
      return app;
    });
    const signIn = await invoke({
      method: 'PUT',
      path: '/authenticate',
      body: {
        user: { name: DEFAULT_ADMIN_NAME, is_admin: true },
        secret: { password: DEFAULT_ADMIN_PASSWORD },
      },
    });
    token = JSON.parse(signIn.body);
  });
  afterAll(() => close());

  const invoke = (spec: EventSpec) => handler(httpApiEvent(spec), context);
  const upload = async (name: string, zip: Buffer) => {
    const response = await invoke({
      method: 'POST',
      path: '/artifact/model/upload',
      query: { name },
      headers: { 'x-authorization': token, 'content-type': 'application/zip' },
      body: zip,
    });
    expect(response.statusCode, response.body).toBe(201);
    return JSON.parse(response.body).metadata.id as string;
  };

  it('builds the app once, on the first invocation, and answers JSON as text', async () => {
    const health = await invoke({ path: '/health' });
    expect(health).toMatchObject({ statusCode: 200, isBase64Encoded: false });
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    expect(builds).toBe(1);
  });

  it('takes a base64 zip in and gives zip bytes back base64-encoded, whole or as a range', async () => {
    const zip = await makeZip([
      { path: 'README.md', content: '# lambda' },
      { path: 'data/blob.dat', content: pseudoRandomBytes(4096), store: true },
    ]);
    const id = await upload('lambda,model', zip);
    const whole = await invoke({ path: `/download/model/${id}`, headers: { 'x-authorization': token } });
    expect(whole.statusCode).toBe(200);
    expect(whole.isBase64Encoded).toBe(true);
    expect(whole.headers?.['content-type']).toBe('application/zip');
    expect(sha256(Buffer.from(whole.body, 'base64'))).toBe(sha256(zip));
    const part = await invoke({
      path: `/download/model/${id}`,
      headers: { 'x-authorization': token, range: 'bytes=0-3' },
    });
    expect(part.statusCode).toBe(206);
    expect(Buffer.from(part.body, 'base64')).toEqual(zip.subarray(0, 4));
  });

  it('keeps errors JSON text: 403 without a token, 404 for an unknown route', async () => {
    const refused = await invoke({ method: 'POST', path: '/artifacts', body: [{ name: '*' }] });
    expect([refused.statusCode, refused.isBase64Encoded]).toEqual([403, false]);
    const missing = await invoke({ path: '/no/such/route' });
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body).error).toBe('NOT_FOUND');
  });

  it('names the way out (413) instead of an answer over the 6 MB Lambda limit', async () => {
    const zip = await makeZip([
      { path: 'data/blob.dat', content: pseudoRandomBytes(5 * 1024 * 1024, 7), store: true },
    ]);
    const id = await upload('too-big-for-lambda', zip);
    const response = await invoke({ path: `/download/model/${id}`, headers: { 'x-authorization': token } });
    expect(response.statusCode).toBe(413);
    expect(response.headers?.['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(response.body);
    expect(body.error).toBe('RESPONSE_TOO_LARGE');
    expect(body.message).toContain('S3_PRESIGN_DOWNLOADS=true');
    // A range of it still fits.
    const part = await invoke({
      path: `/download/model/${id}`,
      headers: { 'x-authorization': token, range: 'bytes=0-1023' },
    });
    expect(part.statusCode).toBe(206);
  });
});

describe('a cold start that fails', () => {
  it('answers 503 when a component is unavailable, and builds again on the next invocation', async () => {
    let attempts = 0;
    const handler = createLambdaHandler(() => {
      attempts += 1;
      // The database refuses its first connection, as one still starting up does.
      const store = createSqliteStore(':memory:');
      if (attempts === 1) {
        store.migrate = async () => {
          throw new ComponentUnavailableError('database', 'connection refused');
        };
      }
      return buildApp(testConfig(join(dataDir, `cold-${attempts}`)), { store });
    });
    const first = await handler(httpApiEvent({ path: '/health' }), context);
    expect(first.statusCode).toBe(503);
    expect(JSON.parse(first.body)).toEqual({
      error: 'COMPONENT_UNAVAILABLE',
      message: expect.stringMatching(/^database unavailable/),
    });
    const second = await handler(httpApiEvent({ path: '/health' }), context);
    expect(second.statusCode).toBe(200);
    expect(attempts).toBe(2);
  });

  it('lets any other build failure through (Lambda reports it), and also retries it', async () => {
    let attempts = 0;
    const handler = createLambdaHandler(async () => {
      attempts += 1;
      throw new Error('bad configuration');
    });
    await expect(handler(httpApiEvent({ path: '/health' }), context)).rejects.toThrow('bad configuration');
    await expect(handler(httpApiEvent({ path: '/health' }), context)).rejects.toThrow('bad configuration');
    expect(attempts).toBe(2);
  });
});

describe('the exported entry point', () => {
  it('builds the app from the environment (DATA_DIR and the rest)', async () => {
    vi.stubEnv('DATA_DIR', join(dataDir, 'entry'));
    vi.stubEnv('LOG_LEVEL', 'silent');
    vi.stubEnv('PASSWORD_SCRYPT_LOG2_N', '12');
    try {
      const response = await entryPoint(httpApiEvent({ path: '/tracks' }), context);
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body).plannedTracks).toContain('High assurance track');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
