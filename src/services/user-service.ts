import { BadRequestError, ConflictError, NotFoundError, PermissionError } from '../domain/errors.js';
import { assertPasswordPolicy } from '../security/password-policy.js';
import type { PasswordHasher } from '../security/passwords.js';
import type { Actor } from '../security/permissions.js';
import type { MetadataStore, Page, PageRequest, UserRecord } from '../storage/metadata/metadata-store.js';
import { DEFAULT_ADMIN_NAME } from './auth-service.js';
import type { SecurityAudit } from './security-audit.js';

export interface PermissionFlags {
  can_upload: boolean;
  can_search: boolean;
  can_download: boolean;
}

/** The contract's UserInfoResponse. */
export interface UserView {
  user: { name: string; is_admin: boolean };
  permissions: PermissionFlags;
}

export interface NewUser {
  name: string;
  isAdmin: boolean;
  password: string;
  permissions?: Partial<PermissionFlags>;
}

export interface PermissionChange extends Partial<PermissionFlags> {
  is_admin?: boolean;
}

/** New user names: safe in a URL path and a log line. */
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

/**
 * Who may use the registry and with which permissions. Rules beyond each route's declared access
 * (src/http/route-access.ts): the default administrator is deleted, demoted or given a new password
 * only by itself, and the store refuses any change that leaves no administrator.
 */
export class UserService {
  constructor(
    private readonly store: MetadataStore,
    private readonly passwords: PasswordHasher,
    private readonly audit: SecurityAudit,
  ) {}

  async create(actor: Actor, request: NewUser): Promise<UserView> {
    if (!USER_NAME.test(request.name)) {
      throw new BadRequestError(
        'A user name is 1-64 letters, digits or . _ @ + - and starts with a letter or digit.',
      );
    }
    assertPasswordPolicy(request.name, request.password);
    // Without explicit permissions an admin can do everything and a user nothing (least privilege).
    const given = request.permissions ?? {};
    const record: UserRecord = {
      name: request.name,
      passwordHash: await this.passwords.hash(request.password),
      isAdmin: request.isAdmin,
      canUpload: given.can_upload ?? request.isAdmin,
      canSearch: given.can_search ?? request.isAdmin,
      canDownload: given.can_download ?? request.isAdmin,
      createdAt: new Date(),
    };
    try {
      await this.store.insertUser(record);
    } catch (error) {
      if (error instanceof ConflictError) throw new ConflictError(`User '${request.name}' already exists.`);
      throw error;
    }
    const view = toView(record);
    await this.audit.record({
      action: 'USER_CREATE',
      outcome: 'success',
      actor: actor.name,
      subject: record.name,
      detail: describe(view),
    });
    return view;
  }

  async get(name: string): Promise<UserView> {
    return toView(await this.require(name));
  }

  async list(page: PageRequest): Promise<Page<UserView>> {
    const users = await this.store.listUsers(page);
    return { items: users.items.map(toView), next: users.next };
  }

  async delete(actor: Actor, name: string): Promise<void> {
    this.guardDefaultAdmin(actor, name, 'deleted');
    if (!(await this.store.deleteUser(name))) throw notFound(name);
    await this.audit.record({ action: 'USER_DELETE', outcome: 'success', actor: actor.name, subject: name });
  }

  async setPermissions(actor: Actor, name: string, change: PermissionChange): Promise<UserView> {
    if (change.is_admin === false) this.guardDefaultAdmin(actor, name, 'demoted');
    const changed = await this.store.updateUser(name, {
      ...(change.is_admin === undefined ? {} : { isAdmin: change.is_admin }),
      ...(change.can_upload === undefined ? {} : { canUpload: change.can_upload }),
      ...(change.can_search === undefined ? {} : { canSearch: change.can_search }),
      ...(change.can_download === undefined ? {} : { canDownload: change.can_download }),
    });
    if (!changed) throw notFound(name);
    const view = await this.get(name);
    await this.audit.record({
      action: 'USER_PERMISSIONS',
      outcome: 'success',
      actor: actor.name,
      subject: name,
      detail: describe(view),
    });
    return view;
  }

  /**
   * A user changes their own password by proving the old one; an admin may set anyone's (except the
   * default admin's) without it. Every other token of the user is revoked: a stolen session does not
   * outlive the password change meant to end it.
   */
  async changePassword(actor: Actor, name: string, newPassword: string, oldPassword?: string): Promise<void> {
    this.guardDefaultAdmin(actor, name, 'given a new password');
    const user = await this.require(name);
    if (actor.name === name || !actor.isAdmin) {
      const check =
        oldPassword === undefined ? null : await this.passwords.verify(oldPassword, user.passwordHash);
      if (!check?.valid) throw new PermissionError('The old password is missing or wrong.');
    }
    assertPasswordPolicy(name, newPassword);
    await this.store.updateUser(name, { passwordHash: await this.passwords.hash(newPassword) });
    const keep = actor.name === name ? actor.tokenId : undefined;
    const revoked = await this.store.revokeTokens(name, keep);
    await this.audit.record({
      action: 'USER_PASSWORD',
      outcome: 'success',
      actor: actor.name,
      subject: name,
      detail: `${revoked} other token(s) revoked`,
    });
  }

  private guardDefaultAdmin(actor: Actor, name: string, what: string): void {
    if (name === DEFAULT_ADMIN_NAME && actor.name !== DEFAULT_ADMIN_NAME) {
      throw new PermissionError(`The default administrator can be ${what} only by itself.`);
    }
  }

  private async require(name: string): Promise<UserRecord> {
    const user = await this.store.getUser(name);
    if (!user) throw notFound(name);
    return user;
  }
}

function notFound(name: string): NotFoundError {
  return new NotFoundError(`User '${name}' does not exist.`);
}

function toView(user: UserRecord): UserView {
  return {
    user: { name: user.name, is_admin: user.isAdmin },
    permissions: { can_upload: user.canUpload, can_search: user.canSearch, can_download: user.canDownload },
  };
}

function describe(view: UserView): string {
  const granted = Object.entries(view.permissions)
    .filter(([, on]) => on)
    .map(([flag]) => flag.replace('can_', ''));
  return `${view.user.is_admin ? 'admin' : 'user'}; permissions: ${granted.join(', ') || 'none'}`;
}
