import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { note, type Output, print, printJson, table } from '../output.js';
import { askHidden, readStdin, type Terminal } from '../prompt.js';

interface UserInfo {
  user: { name: string; is_admin: boolean };
  permissions: { can_upload?: boolean; can_search?: boolean; can_download?: boolean };
}

/** The flags `users add` and `users permissions` take; unset ones are left out of the request. */
interface PermissionFlags {
  admin?: boolean;
  upload?: boolean;
  search?: boolean;
  download?: boolean;
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('manage users and their permissions (administrators)');

  users
    .command('list')
    .description('every user with their permissions')
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      printUsers(context.out, await (await context.client()).allPages<UserInfo>('users'));
    });

  users
    .command('show')
    .description("one user's permissions (yourself, or anyone as an administrator)")
    .argument('<name>', 'user name')
    .action(async (name: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      printUsers(context.out, await (await context.client()).json<UserInfo>(userPath(name)));
    });

  withPermissionFlags(
    users
      .command('add')
      .description('create a user; the password is asked, or read with --password-stdin')
      .argument('<name>', 'user name')
      .option('--password-stdin', 'read the new password from stdin'),
  ).action(async (name: string, options: PermissionFlags & { passwordStdin?: boolean }, command: Command) => {
    const context = contextOf(command);
    const password = await newPassword(context.terminal, options.passwordStdin);
    const body = {
      user: { name, is_admin: options.admin ?? false },
      secret: { password },
      permissions: permissionChanges(options),
    };
    const created = await (await context.client()).json<UserInfo>('users', { method: 'POST', body });
    if (context.out.json) printJson(context.out, created);
    else note(context.out, `Created user ${name}.`);
  });

  withPermissionFlags(
    users
      .command('permissions')
      .description("change a user's permissions; flags not given keep their value")
      .argument('<name>', 'user name'),
  ).action(async (name: string, options: PermissionFlags, command: Command) => {
    const context = contextOf(command);
    const changes = {
      ...permissionChanges(options),
      ...(options.admin === undefined ? {} : { is_admin: options.admin }),
    };
    if (Object.keys(changes).length === 0)
      throw new CliError('give at least one permission flag', EXIT.usage);
    const changed = await (await context.client()).json<UserInfo>(`${userPath(name)}/permissions`, {
      method: 'PUT',
      body: changes,
    });
    printUsers(context.out, changed);
  });

  users
    .command('password')
    .description("set a user's password (your own needs the old one in MODELGUARD_PASSWORD)")
    .argument('<name>', 'user name')
    .option('--password-stdin', 'read the new password from stdin')
    .action(async (name: string, options: { passwordStdin?: boolean }, command: Command) => {
      const context = contextOf(command);
      const body = {
        new_password: await newPassword(context.terminal, options.passwordStdin),
        ...(context.env.MODELGUARD_PASSWORD ? { old_password: context.env.MODELGUARD_PASSWORD } : {}),
      };
      await (await context.client()).request(`${userPath(name)}/password`, { method: 'PUT', body });
      note(context.out, `Password of ${name} changed; their other tokens are revoked.`);
    });

  users
    .command('delete')
    .description('delete a user (yourself, or anyone as an administrator); their tokens stop at once')
    .argument('<name>', 'user name')
    .action(async (name: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      await (await context.client()).request(userPath(name), { method: 'DELETE' });
      note(context.out, `Deleted user ${name}.`);
    });
}

function withPermissionFlags(command: Command): Command {
  for (const flag of ['admin', 'upload', 'search', 'download']) {
    command.option(`--${flag}`, `grant ${flag}`).option(`--no-${flag}`, `withdraw ${flag}`);
  }
  return command;
}

function permissionChanges(flags: PermissionFlags): UserInfo['permissions'] {
  return {
    ...(flags.upload === undefined ? {} : { can_upload: flags.upload }),
    ...(flags.search === undefined ? {} : { can_search: flags.search }),
    ...(flags.download === undefined ? {} : { can_download: flags.download }),
  };
}

function userPath(name: string): string {
  return `users/${encodeURIComponent(name)}`;
}

async function newPassword(terminal: Terminal, fromStdin: boolean | undefined): Promise<string> {
  if (fromStdin) return readStdin(terminal);
  if (!terminal.stdin.isTTY) throw new CliError('give the new password with --password-stdin', EXIT.usage);
  const password = await askHidden('New password: ', terminal);
  if ((await askHidden('Again: ', terminal)) !== password)
    throw new CliError('the passwords differ', EXIT.usage);
  return password;
}

/** One user (show, permissions) or a list (list, always an array in JSON, even of one). */
function printUsers(out: Output, found: UserInfo | UserInfo[]): void {
  if (out.json) {
    printJson(out, found);
    return;
  }
  const users = Array.isArray(found) ? found : [found];
  const yes = (flag: boolean | undefined) => (flag ? 'yes' : 'no');
  print(
    out,
    table(
      ['NAME', 'ADMIN', 'UPLOAD', 'SEARCH', 'DOWNLOAD'],
      users.map(({ user, permissions }) => [
        user.name,
        yes(user.is_admin),
        yes(permissions.can_upload),
        yes(permissions.can_search),
        yes(permissions.can_download),
      ]),
    ),
  );
}
