import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LastAdminError } from '../../../src/domain/errors.js';
import type { Actor } from '../../../src/security/permissions.js';
import { DEFAULT_ADMIN_NAME } from '../../../src/services/auth-service.js';
import { type AuthParts, authParts, defaultAdminActor } from '../support/auth-parts.js';

const PASSWORD = 'Long-enough-passphrase-1!';
const NEW_PASSWORD = 'Another-long-passphrase-2?';

describe('UserService', () => {
  let p: AuthParts;
  beforeEach(async () => {
    p = await authParts();
  });
  afterEach(() => p.close());

  const actorOf = async (name: string): Promise<Actor> => p.auth.resolve(await p.auth.issueToken(name, 10));
  const subjects = async (action: string) =>
    (await p.audit.list({ limit: 100 })).items.filter((e) => e.action === action);

  describe('create', () => {
    it('gives an admin every permission and a user none unless told, and audits it', async () => {
      const admin = await p.users.create(defaultAdminActor, {
        name: 'root2',
        isAdmin: true,
        password: PASSWORD,
      });
      expect(admin.permissions).toEqual({ can_upload: true, can_search: true, can_download: true });
      const user = await p.users.create(defaultAdminActor, {
        name: 'ivy',
        isAdmin: false,
        password: PASSWORD,
        permissions: { can_download: true },
      });
      expect(user).toEqual({
        user: { name: 'ivy', is_admin: false },
        permissions: { can_upload: false, can_search: false, can_download: true },
      });
      const [created] = await subjects('USER_CREATE');
      expect(created).toMatchObject({
        actor: DEFAULT_ADMIN_NAME,
        subject: 'ivy',
        detail: 'user; permissions: download',
      });
      const none = await p.users.create(defaultAdminActor, {
        name: 'nil',
        isAdmin: false,
        password: PASSWORD,
      });
      expect(none.permissions.can_search).toBe(false);
      expect((await subjects('USER_CREATE'))[0]?.detail).toBe('user; permissions: none');
    });

    it('refuses bad names (400), weak passwords (400) and duplicates (409)', async () => {
      for (const name of ['', '-dash', 'has space', 'x'.repeat(65), 'slash/name']) {
        await expect(
          p.users.create(defaultAdminActor, { name, isAdmin: false, password: PASSWORD }),
        ).rejects.toMatchObject({ statusCode: 400, code: 'BAD_REQUEST' });
      }
      await expect(
        p.users.create(defaultAdminActor, { name: 'jo', isAdmin: false, password: 'short' }),
      ).rejects.toMatchObject({ statusCode: 400, code: 'WEAK_PASSWORD' });
      await p.users.create(defaultAdminActor, { name: 'jo', isAdmin: false, password: PASSWORD });
      await expect(
        p.users.create(defaultAdminActor, { name: 'jo', isAdmin: true, password: PASSWORD }),
      ).rejects.toMatchObject({ statusCode: 409, message: "User 'jo' already exists." });
    });
  });

  describe('get, list and delete', () => {
    it('reads and pages users, and deletes them (404 when unknown)', async () => {
      await p.users.create(defaultAdminActor, { name: 'amy', isAdmin: false, password: PASSWORD });
      const first = await p.users.list({ limit: 1 });
      expect(first.items.map((u) => u.user.name)).toEqual(['amy']);
      const rest = await p.users.list({ limit: 5, after: first.next ?? undefined });
      expect(rest.items.map((u) => u.user.name)).toEqual([DEFAULT_ADMIN_NAME]);
      expect(rest.next).toBeNull();

      await p.users.delete(defaultAdminActor, 'amy');
      await expect(p.users.get('amy')).rejects.toMatchObject({
        statusCode: 404,
        message: "User 'amy' does not exist.",
      });
      await expect(p.users.delete(defaultAdminActor, 'amy')).rejects.toMatchObject({ statusCode: 404 });
      expect((await subjects('USER_DELETE'))[0]).toMatchObject({ subject: 'amy' });
    });

    it('lets only the default administrator delete itself, and never the last administrator', async () => {
      await p.users.create(defaultAdminActor, { name: 'root2', isAdmin: true, password: PASSWORD });
      const root2 = await actorOf('root2');
      await expect(p.users.delete(root2, DEFAULT_ADMIN_NAME)).rejects.toMatchObject({
        statusCode: 403,
        message: 'The default administrator can be deleted only by itself.',
      });
      await p.users.delete(defaultAdminActor, DEFAULT_ADMIN_NAME);
      await expect(p.users.delete(root2, 'root2')).rejects.toBeInstanceOf(LastAdminError);
    });
  });

  describe('setPermissions', () => {
    it('changes only the given flags, 404 for an unknown user, and audits the result', async () => {
      await p.users.create(defaultAdminActor, { name: 'kim', isAdmin: false, password: PASSWORD });
      const view = await p.users.setPermissions(defaultAdminActor, 'kim', {
        can_search: true,
        can_upload: true,
      });
      expect(view.permissions).toEqual({ can_upload: true, can_search: true, can_download: false });
      const promoted = await p.users.setPermissions(defaultAdminActor, 'kim', {
        is_admin: true,
        can_download: true,
      });
      expect(promoted.user.is_admin).toBe(true);
      expect((await subjects('USER_PERMISSIONS'))[0]?.detail).toBe(
        'admin; permissions: upload, search, download',
      );
      await expect(
        p.users.setPermissions(defaultAdminActor, 'nobody', { can_search: true }),
      ).rejects.toMatchObject({
        statusCode: 404,
      });
    });

    it('demotes the default administrator only by itself, and never the last administrator', async () => {
      await p.users.create(defaultAdminActor, { name: 'root3', isAdmin: true, password: PASSWORD });
      const root3 = await actorOf('root3');
      await expect(
        p.users.setPermissions(root3, DEFAULT_ADMIN_NAME, { is_admin: false }),
      ).rejects.toMatchObject({
        statusCode: 403,
      });
      // Promoting (or other flags) is not demoting.
      await expect(
        p.users.setPermissions(root3, DEFAULT_ADMIN_NAME, { is_admin: true }),
      ).resolves.toMatchObject({ user: { is_admin: true } });
      await p.users.setPermissions(root3, 'root3', { is_admin: false });
      await expect(
        p.users.setPermissions(defaultAdminActor, DEFAULT_ADMIN_NAME, { is_admin: false }),
      ).rejects.toBeInstanceOf(LastAdminError);
    });
  });

  describe('changePassword', () => {
    beforeEach(async () => {
      await p.users.create(defaultAdminActor, { name: 'lee', isAdmin: false, password: PASSWORD });
    });

    it('needs the old password for your own, keeps the token in use and revokes the others', async () => {
      const kept = await p.auth.issueToken('lee', 10);
      const other = await p.auth.issueToken('lee', 10);
      const lee = await p.auth.resolve(kept);
      await expect(p.users.changePassword(lee, 'lee', NEW_PASSWORD)).rejects.toMatchObject({
        statusCode: 403,
      });
      await expect(
        p.users.changePassword(lee, 'lee', NEW_PASSWORD, 'wrong-old-password'),
      ).rejects.toMatchObject({
        statusCode: 403,
        message: 'The old password is missing or wrong.',
      });
      await p.users.changePassword(lee, 'lee', NEW_PASSWORD, PASSWORD);

      await expect(p.auth.authenticate('lee', PASSWORD)).rejects.toMatchObject({ statusCode: 401 });
      await expect(p.auth.authenticate('lee', NEW_PASSWORD)).resolves.toMatch(/^bearer /);
      await expect(p.auth.resolve(kept)).resolves.toMatchObject({ name: 'lee' });
      await expect(p.auth.resolve(other)).rejects.toMatchObject({ statusCode: 403 });
      expect((await subjects('USER_PASSWORD'))[0]?.detail).toBe('1 other token(s) revoked');
    });

    it("lets an admin set another user's password without the old one, revoking all their tokens", async () => {
      const token = await p.auth.issueToken('lee', 10);
      await p.users.changePassword(defaultAdminActor, 'lee', NEW_PASSWORD);
      await expect(p.auth.resolve(token)).rejects.toMatchObject({ statusCode: 403 });
      await expect(p.auth.authenticate('lee', NEW_PASSWORD)).resolves.toMatch(/^bearer /);
    });

    it('refuses weak new passwords, unknown users and other admins changing the default admin', async () => {
      await expect(p.users.changePassword(defaultAdminActor, 'lee', 'lee-lee-lee-lee')).rejects.toMatchObject(
        {
          code: 'WEAK_PASSWORD',
        },
      );
      await expect(p.users.changePassword(defaultAdminActor, 'ghost', NEW_PASSWORD)).rejects.toMatchObject({
        statusCode: 404,
      });
      await p.users.create(defaultAdminActor, { name: 'root4', isAdmin: true, password: PASSWORD });
      await expect(
        p.users.changePassword(await actorOf('root4'), DEFAULT_ADMIN_NAME, NEW_PASSWORD),
      ).rejects.toMatchObject({ statusCode: 403, message: /given a new password only by itself/ });
    });
  });
});
