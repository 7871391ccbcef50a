import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  InvalidCredentialsError,
  TooManyRequestsError,
} from '../../../src/domain/errors.js';
import { PasswordHasher } from '../../../src/security/passwords.js';
import {
  AuthService,
  DEFAULT_ADMIN_NAME,
  DEFAULT_ADMIN_PASSWORD,
  toActor,
} from '../../../src/services/auth-service.js';
import { type AuthParts, authParts, defaultAdminActor } from '../support/auth-parts.js';

const PASSWORD = 'Long-enough-ecila!7';
const SECRET = 'a-signing-secret-of-at-least-32-characters';

describe('AuthService', () => {
  let p: AuthParts;
  beforeEach(async () => {
    p = await authParts();
    await p.users.create(defaultAdminActor, { name: 'alice', isAdmin: false, password: PASSWORD });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await p.close();
  });

  const events = async () => (await p.audit.list({ limit: 100 }, 'alice')).items;

  describe('bootstrap', () => {
    it('gives a fresh registry the default admin, and leaves one with an admin alone', async () => {
      const admin = await p.store.getUser(DEFAULT_ADMIN_NAME);
      expect(admin).toMatchObject({ isAdmin: true, canUpload: true, canSearch: true, canDownload: true });
      expect((await p.passwords.verify(DEFAULT_ADMIN_PASSWORD, admin?.passwordHash ?? '')).valid).toBe(true);

      await p.users.create(defaultAdminActor, { name: 'root2', isAdmin: true, password: PASSWORD });
      await p.users.delete({ ...defaultAdminActor }, DEFAULT_ADMIN_NAME);
      await p.auth.bootstrap();
      expect(await p.store.getUser(DEFAULT_ADMIN_NAME)).toBeNull();
    });
  });

  describe('authenticate', () => {
    it('answers a bearer token that resolves to the stored account, and audits the sign-in', async () => {
      const token = await p.auth.authenticate('alice', PASSWORD, '192.0.2.1');
      expect(token).toMatch(/^bearer /);
      const actor = await p.auth.resolve(token);
      expect(actor).toMatchObject({ name: 'alice', isAdmin: false, canUpload: false });
      expect(actor.tokenId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await events())[0]).toMatchObject({
        action: 'SIGN_IN',
        outcome: 'success',
        address: '192.0.2.1',
      });
    });

    it('refuses a wrong password and an unknown user alike (401), counting failures', async () => {
      await expect(p.auth.authenticate('alice', 'wrong-password-here')).rejects.toBeInstanceOf(
        InvalidCredentialsError,
      );
      await expect(p.auth.authenticate('nobody', PASSWORD)).rejects.toMatchObject({ statusCode: 401 });
      expect((await events())[0]).toMatchObject({
        outcome: 'failure',
        detail: '1 consecutive failure(s)',
      });
    });

    it('makes an account wait after five failures in a row (429 with a retry time), before checking', async () => {
      for (let i = 0; i < 5; i++) {
        await expect(p.auth.authenticate('alice', `wrong-${i}`)).rejects.toBeInstanceOf(
          InvalidCredentialsError,
        );
      }
      const refused = await p.auth.authenticate('alice', PASSWORD).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(TooManyRequestsError);
      expect(refused).toMatchObject({ statusCode: 429, retryAfterSeconds: 1 });
      expect((await events())[0]).toMatchObject({ action: 'SIGN_IN', outcome: 'throttled' });
    });

    it('ends the failure run on success', async () => {
      for (let i = 0; i < 4; i++) await p.auth.authenticate('alice', 'wrong').catch(() => undefined);
      await p.auth.authenticate('alice', PASSWORD);
      expect(await p.store.getSignInFailures('alice')).toBeNull();
    });

    it('upgrades a hash made with a weaker cost at the next sign-in', async () => {
      const weak = await new PasswordHasher(10).hash(PASSWORD);
      await p.store.updateUser('alice', { passwordHash: weak });
      await p.auth.authenticate('alice', PASSWORD);
      const stored = (await p.store.getUser('alice'))?.passwordHash ?? '';
      expect(stored).not.toBe(weak);
      expect(stored.split('$')[1]).toBe(String(2 ** 12));
      expect((await p.passwords.verify(PASSWORD, stored)).valid).toBe(true);
    });
  });

  describe('tokens', () => {
    it('spend one use per call and stop after their budget', async () => {
      const token = await p.auth.issueToken('alice', 2);
      await p.auth.resolve(token);
      await p.auth.resolve(token);
      await expect(p.auth.resolve(token)).rejects.toThrow('The token has expired or used up its calls');
    });

    it('expire after TOKEN_TTL_SECONDS', async () => {
      const short = await authParts({ TOKEN_TTL_SECONDS: '60' });
      try {
        const token = await short.auth.issueToken(DEFAULT_ADMIN_NAME, 10);
        await expect(short.auth.resolve(token)).resolves.toMatchObject({ name: DEFAULT_ADMIN_NAME });
        vi.useFakeTimers({ toFake: ['Date'] });
        vi.setSystemTime(Date.now() + 61_000);
        await expect(short.auth.resolve(token)).rejects.toBeInstanceOf(AuthenticationError);
      } finally {
        vi.useRealTimers();
        await short.close();
      }
    });

    it('refuse a missing, malformed or foreign token with 403', async () => {
      for (const header of [undefined, '', 'bearer ', 'bearer not.a.jwt']) {
        await expect(p.auth.resolve(header)).rejects.toMatchObject({
          statusCode: 403,
          code: 'AUTHENTICATION_FAILED',
        });
      }
      const foreign = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('modelguard')
        .setSubject('alice')
        .setJti('00000000-0000-4000-8000-000000000000')
        .sign(new TextEncoder().encode(SECRET));
      await expect(p.auth.resolve(`bearer ${foreign}`)).rejects.toBeInstanceOf(AuthenticationError);
    });

    it('are signed with JWT_SECRET when set, and need a subject and an id', async () => {
      const keyed = await authParts({ JWT_SECRET: SECRET });
      try {
        const key = new TextEncoder().encode(SECRET);
        const noId = await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('modelguard')
          .setSubject(DEFAULT_ADMIN_NAME)
          .sign(key);
        await expect(keyed.auth.resolve(`bearer ${noId}`)).rejects.toBeInstanceOf(AuthenticationError);
        // A well-formed token signed with the secret but never issued has no budget row.
        const unissued = await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('modelguard')
          .setSubject(DEFAULT_ADMIN_NAME)
          .setJti('00000000-0000-4000-8000-000000000000')
          .sign(key);
        await expect(keyed.auth.resolve(`Bearer ${unissued}`)).rejects.toThrow(/expired or used up/);
        const issued = await keyed.auth.issueToken(DEFAULT_ADMIN_NAME, 1);
        await expect(keyed.auth.resolve(issued)).resolves.toMatchObject({ isAdmin: true });
      } finally {
        await keyed.close();
      }
    });

    it('are accepted by every instance sharing the store (the key is kept there)', async () => {
      const other = new AuthService(p.store, p.config, p.passwords, p.audit);
      const token = await p.auth.issueToken('alice', 5);
      await expect(other.resolve(token)).resolves.toMatchObject({ name: 'alice' });
    });
  });

  it('toActor carries the stored flags', async () => {
    const user = await p.store.getUser('alice');
    expect(user && toActor(user)).toEqual({
      name: 'alice',
      isAdmin: false,
      canUpload: false,
      canSearch: false,
      canDownload: false,
    });
  });
});
