import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/security/passwords.js';
import { DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD } from '../../src/services/auth-service.js';
import { authenticate, startTestApp, type TestApp } from '../support/app.js';

/** Every endpoint that needs a token, with a request that would otherwise be valid. */
const PROTECTED: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; payload?: unknown }[] = [
  { method: 'POST', url: '/artifacts', payload: [{ name: '*' }] },
  { method: 'DELETE', url: '/reset' },
  { method: 'GET', url: '/artifacts/model/abc' },
  {
    method: 'PUT',
    url: '/artifacts/model/abc',
    payload: {
      metadata: { name: 'a', id: 'abc', type: 'model' },
      data: { url: 'https://example.com/a.zip' },
    },
  },
  { method: 'DELETE', url: '/artifacts/model/abc' },
  { method: 'POST', url: '/artifact/model', payload: { url: 'https://example.com/a.zip' } },
  { method: 'POST', url: '/artifact/model/upload?name=a' },
  { method: 'GET', url: '/artifact/model/abc/cost' },
  { method: 'GET', url: '/artifact/model/abc/audit' },
  { method: 'GET', url: '/artifact/byName/abc' },
  { method: 'POST', url: '/artifact/byRegEx', payload: { regex: 'a' } },
  { method: 'GET', url: '/download/model/abc' },
];

describe('authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ TOKEN_MAX_USES: '3' });
  });
  afterAll(() => t.close());

  it('gives the default admin a bearer token as a JSON string', async () => {
    const response = await t.app.inject({
      method: 'PUT',
      url: '/authenticate',
      payload: {
        user: { name: DEFAULT_ADMIN_NAME, is_admin: true },
        secret: { password: DEFAULT_ADMIN_PASSWORD },
      },
    });
    expect(response.statusCode).toBe(200);
    const token = response.json();
    expect(typeof token).toBe('string');
    expect(token).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it.each([
    ['wrong password', DEFAULT_ADMIN_NAME, 'correcthorsebatterystaple123'],
    ['unknown user', 'nobody', DEFAULT_ADMIN_PASSWORD],
    ['SQL in the name', "' OR '1'='1", "' OR '1'='1"],
  ])('answers 401 for a %s', async (_case, name, password) => {
    const response = await t.app.inject({
      method: 'PUT',
      url: '/authenticate',
      payload: { user: { name, is_admin: true }, secret: { password } },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toMatch(/user or password is invalid/);
  });

  it.each([
    ['no body', undefined, 'body must be object'],
    ['no secret', { user: { name: 'a', is_admin: false } }, "body must have required property 'secret'"],
    [
      'password of the wrong type',
      { user: { name: 'a', is_admin: false }, secret: { password: 1 } },
      'body/secret/password must be string',
    ],
  ])('answers 400 for %s', async (_case, payload, problem) => {
    const response = await t.app.inject({ method: 'PUT', url: '/authenticate', payload: payload as object });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'BAD_REQUEST', message: `Invalid request: ${problem}` });
  });

  it.each(PROTECTED)('answers 403 without a token: $method $url', async ({ method, url, payload }) => {
    const response = await t.app.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().message).toMatch(/AuthenticationToken/);
  });

  it.each(PROTECTED)('answers 403 with a forged token: $method $url', async ({ method, url, payload }) => {
    const forged =
      'bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    const response = await t.app.inject({
      method,
      url,
      headers: { 'x-authorization': forged },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    expect(response.statusCode).toBe(403);
  });

  it('leaves /health, /tracks and the docs open', async () => {
    for (const url of ['/health', '/tracks', '/openapi.json', '/health/components']) {
      expect((await t.app.inject({ url })).statusCode, url).toBe(200);
    }
  });

  it('lists only the tracks this build implements on /tracks', async () => {
    const response = await t.app.inject({ url: '/tracks' });
    expect(response.json()).toEqual({
      plannedTracks: [
        'Performance track',
        'Access control track',
        'High assurance track',
        'Other Security track',
      ],
    });
  });

  it('spends one use of the token per call and refuses it once used up', async () => {
    const token = await t.token();
    const call = () =>
      t.app.inject({
        method: 'POST',
        url: '/artifacts',
        headers: { 'x-authorization': token },
        payload: [{ name: '*' }],
      });
    for (let i = 0; i < 3; i++) expect((await call()).statusCode).toBe(200);
    const refused = await call();
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/used up/);
  });

  it('accepts the token without the bearer prefix too', async () => {
    const token = (await t.token()).replace(/^bearer /, '');
    const response = await t.app.inject({
      method: 'POST',
      url: '/artifacts',
      headers: { 'x-authorization': token },
      payload: [{ name: '*' }],
    });
    expect(response.statusCode).toBe(200);
  });

  it('lets only administrators reset, answering 401 to others', async () => {
    await t.app.registry.store.insertUser({
      name: 'reader',
      passwordHash: await new PasswordHasher(12).hash('reader-password-1'),
      isAdmin: false,
      canUpload: false,
      canSearch: true,
      canDownload: false,
      createdAt: new Date(),
    });
    const token = await authenticate(t.app, 'reader', 'reader-password-1');
    const reset = await t.app.inject({
      method: 'DELETE',
      url: '/reset',
      headers: { 'x-authorization': token },
    });
    expect(reset.statusCode).toBe(401);
    const upload = await t.app.inject({
      method: 'POST',
      url: '/artifact/model',
      headers: { 'x-authorization': token },
      payload: { url: 'https://example.com/a.zip' },
    });
    expect(upload.statusCode).toBe(403);
    expect(upload.json().message).toMatch(/upload permission/);
  });

  it('reset removes every other user and keeps the default admin', async () => {
    const admin = await t.token();
    const reset = await t.app.inject({
      method: 'DELETE',
      url: '/reset',
      headers: { 'x-authorization': admin },
    });
    expect(reset.statusCode).toBe(200);
    expect(await t.app.registry.store.getUser('reader')).toBeNull();
    await expect(authenticate(t.app)).resolves.toMatch(/^bearer /);
    // The admin's session survives the reset it asked for.
    const after = await t.app.inject({
      method: 'POST',
      url: '/artifacts',
      headers: { 'x-authorization': admin },
      payload: [{ name: '*' }],
    });
    expect(after.statusCode).toBe(200);
  });
});

describe('sign-in rate limit', () => {
  it('answers 429 once a client exceeds its sign-ins per minute', async () => {
    const t = await startTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      await authenticate(t.app);
      await authenticate(t.app);
      const third = await t.app.inject({
        method: 'PUT',
        url: '/authenticate',
        payload: {
          user: { name: DEFAULT_ADMIN_NAME, is_admin: true },
          secret: { password: DEFAULT_ADMIN_PASSWORD },
        },
      });
      expect(third.statusCode).toBe(429);
      expect(third.json().message).toMatch(/retry/i);
    } finally {
      await t.close();
    }
  });
});

describe('token lifetime', () => {
  it('refuses a token after its time is up', async () => {
    const t = await startTestApp({ TOKEN_TTL_SECONDS: '1' });
    try {
      const token = await t.token();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const response = await t.app.inject({
        method: 'POST',
        url: '/artifacts',
        headers: { 'x-authorization': token },
        payload: [{ name: '*' }],
      });
      expect(response.statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });
});
