import { type AuthConfig, loadConfig } from '../../../src/config.js';
import { PasswordHasher } from '../../../src/security/passwords.js';
import type { Actor } from '../../../src/security/permissions.js';
import { AuthService, DEFAULT_ADMIN_NAME } from '../../../src/services/auth-service.js';
import { SecurityAudit } from '../../../src/services/security-audit.js';
import { UserService } from '../../../src/services/user-service.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { createSqliteStore } from '../../../src/storage/metadata/sqlite.js';

/** A cheap scrypt cost, as the test configuration uses. */
export const TEST_LOG2_N = 12;

export interface AuthParts {
  store: MetadataStore;
  passwords: PasswordHasher;
  audit: SecurityAudit;
  config: AuthConfig;
  auth: AuthService;
  users: UserService;
  close(): Promise<void>;
}

/** The user-facing security services over a migrated in-memory SQLite store, default admin in place. */
export async function authParts(env: Record<string, string> = {}): Promise<AuthParts> {
  const store = createSqliteStore(':memory:');
  await store.migrate();
  const config = loadConfig({ PASSWORD_SCRYPT_LOG2_N: String(TEST_LOG2_N), ...env }).auth;
  const passwords = new PasswordHasher(TEST_LOG2_N);
  const audit = new SecurityAudit(store);
  const auth = new AuthService(store, config, passwords, audit);
  await auth.bootstrap();
  return {
    store,
    passwords,
    audit,
    config,
    auth,
    users: new UserService(store, passwords, audit),
    close: () => store.close(),
  };
}

/** The default administrator as an actor (as the access hook would resolve it). */
export const defaultAdminActor: Actor = {
  name: DEFAULT_ADMIN_NAME,
  isAdmin: true,
  canUpload: true,
  canSearch: true,
  canDownload: true,
};
