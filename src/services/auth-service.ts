import { randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { AuthConfig } from '../config.js';
import {
  AuthenticationError,
  ConflictError,
  InvalidCredentialsError,
  TooManyRequestsError,
} from '../domain/errors.js';
import type { PasswordHasher } from '../security/passwords.js';
import type { Actor } from '../security/permissions.js';
import type { MetadataStore, UserRecord } from '../storage/metadata/metadata-store.js';
import type { SecurityAudit } from './security-audit.js';
import { FORGET_AFTER_MS, retryAfterSeconds } from './sign-in-backoff.js';

/** The administrator every fresh or reset registry has (name and password from the API contract). */
export const DEFAULT_ADMIN_NAME = 'ece30861defaultadminuser';
export const DEFAULT_ADMIN_PASSWORD = `correcthorsebatterystaple123(!__+@**(A'"\`;DROP TABLE artifacts;`;

const SIGNING_KEY_SETTING = 'token_signing_key';
const ISSUER = 'modelguard';

/**
 * Sign-in and token checks. Tokens are JWTs (HS256) whose id is also a database row, because a
 * token's 1000-call budget must hold across every stateless app instance: each call spends one
 * use with a single atomic UPDATE. The signing key lives in the database too (or JWT_SECRET), so
 * all instances verify each other's tokens without extra configuration.
 */
export class AuthService {
  private signingKey: Promise<Uint8Array> | null = null;
  // Hashing is deliberately slow: the default admin's and the dummy hash are made once per instance.
  private defaultAdminHash: Promise<string> | null = null;
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly store: MetadataStore,
    private readonly config: AuthConfig,
    private readonly passwords: PasswordHasher,
    private readonly audit: SecurityAudit,
  ) {}

  /**
   * At start: a registry without any administrator gets the default admin back (a fresh database,
   * or one a failed reset or an operator left without one); one with an administrator is left alone.
   */
  async bootstrap(): Promise<void> {
    if (!(await this.store.hasAdmin())) await this.createDefaultAdmin();
  }

  /** The default admin's account as a reset restores it. */
  async defaultAdmin(): Promise<UserRecord> {
    this.defaultAdminHash ??= this.passwords.hash(DEFAULT_ADMIN_PASSWORD);
    return defaultAdminRecord(await this.defaultAdminHash);
  }

  private async createDefaultAdmin(): Promise<void> {
    if (await this.store.getUser(DEFAULT_ADMIN_NAME)) return;
    try {
      await this.store.insertUser(await this.defaultAdmin());
    } catch (error) {
      // Another instance created it at the same moment: the outcome is the same.
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  /**
   * Sign in. An account in back-off is refused (429) before its password is even checked; every
   * attempt, successful or not, is written to the security audit trail.
   */
  async authenticate(name: string, password: string, address: string | null = null): Promise<string> {
    const now = new Date();
    const wait = retryAfterSeconds(await this.store.getSignInFailures(name), now);
    if (wait > 0) {
      await this.audit.record({
        action: 'SIGN_IN',
        outcome: 'throttled',
        actor: name,
        subject: name,
        address,
      });
      throw new TooManyRequestsError(
        `Too many failed sign-ins for this account; retry after ${wait} s.`,
        wait,
      );
    }
    const user = await this.store.getUser(name);
    // Hash even for unknown users so response time does not reveal which names exist.
    this.dummyHash ??= this.passwords.hash(randomUUID());
    const check = await this.passwords.verify(password, user?.passwordHash ?? (await this.dummyHash));
    if (!user || !check.valid) {
      const run = await this.store.addSignInFailure(name, now, new Date(now.getTime() - FORGET_AFTER_MS));
      await this.audit.record({
        action: 'SIGN_IN',
        outcome: 'failure',
        actor: name,
        subject: name,
        address,
        detail: `${run.failures} consecutive failure(s)`,
      });
      throw new InvalidCredentialsError();
    }
    await this.store.clearSignInFailures(name);
    // Old hashes (weaker parameters) are upgraded now, the only moment the password is known.
    if (check.needsRehash)
      await this.store.updateUser(name, { passwordHash: await this.passwords.hash(password) });
    await this.audit.record({ action: 'SIGN_IN', outcome: 'success', actor: name, subject: name, address });

    return this.issueToken(user.name, this.config.tokenMaxUses);
  }

  /**
   * A token for `userName` allowing `maxUses` calls, without a sign-in: for work the registry
   * does on behalf of a signed-in caller over its own HTTP API (the performance workload).
   */
  async issueToken(userName: string, maxUses: number): Promise<string> {
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + this.config.tokenTtlSeconds * 1000);
    await this.store.insertToken({ id, userName, expiresAt, maxUses });
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(userName)
      .setJti(id)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(await this.key());
    return `bearer ${jwt}`;
  }

  /** Resolve an X-Authorization header to the caller, spending one use of the token. */
  async resolve(header: string | undefined): Promise<Actor> {
    const jwt = header?.trim().replace(/^bearer\s+/i, '');
    if (!jwt) throw new AuthenticationError();
    let subject: string;
    let tokenId: string;
    try {
      const { payload } = await jwtVerify(jwt, await this.key(), { issuer: ISSUER, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') throw new Error('claims');
      subject = payload.sub;
      tokenId = payload.jti;
    } catch {
      throw new AuthenticationError();
    }
    if (!(await this.store.consumeToken(tokenId, new Date()))) {
      throw new AuthenticationError('The token has expired or used up its calls; authenticate again.');
    }
    const user = await this.store.getUser(subject);
    if (!user) throw new AuthenticationError();
    return { ...toActor(user), tokenId };
  }

  private key(): Promise<Uint8Array> {
    this.signingKey ??= (async () => {
      const secret =
        this.config.jwtSecret ??
        (await this.store.getOrCreateSetting(SIGNING_KEY_SETTING, () =>
          randomBytes(48).toString('base64url'),
        ));
      return new TextEncoder().encode(secret);
    })();
    return this.signingKey;
  }
}

export function toActor(user: UserRecord): Actor {
  return {
    name: user.name,
    isAdmin: user.isAdmin,
    canUpload: user.canUpload,
    canSearch: user.canSearch,
    canDownload: user.canDownload,
  };
}

function defaultAdminRecord(passwordHash: string): UserRecord {
  return {
    name: DEFAULT_ADMIN_NAME,
    passwordHash,
    isAdmin: true,
    canUpload: true,
    canSearch: true,
    canDownload: true,
    createdAt: new Date(),
  };
}
