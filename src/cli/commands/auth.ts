import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { hostKey, loadCredentials, saveCredentials } from '../credentials.js';
import { CliError, EXIT } from '../exit-codes.js';
import { note, print, printJson } from '../output.js';
import { ask, askHidden, readStdin } from '../prompt.js';

export function registerAuthCommands(program: Command): void {
  program
    .command('login')
    .description('sign in and keep the token for this registry (in the config folder, mode 0600)')
    .option('-u, --user <name>', 'user name (asked when on a terminal)')
    .option('--password-stdin', 'read the password from stdin (else MODELGUARD_PASSWORD, else asked)')
    .action(async (options: { user?: string; passwordStdin?: boolean }, command: Command) => {
      const context = contextOf(command);
      const interactive = Boolean(context.terminal.stdin.isTTY);
      const user = options.user ?? (interactive ? await ask('User: ', context.terminal) : undefined);
      if (!user) throw new CliError('give --user (no terminal to ask on)', EXIT.usage);
      const password = options.passwordStdin
        ? await readStdin(context.terminal)
        : (context.env.MODELGUARD_PASSWORD ??
          (interactive ? await askHidden('Password: ', context.terminal) : undefined));
      if (password === undefined) {
        throw new CliError('give the password with --password-stdin or MODELGUARD_PASSWORD', EXIT.usage);
      }
      const client = await context.anonymousClient();
      const url = client.baseUrl;
      const response = await client.request('authenticate', {
        method: 'PUT',
        body: { user: { name: user, is_admin: false }, secret: { password } },
        accept: [401],
      });
      if (response.status === 401) {
        await response.body?.cancel();
        throw new CliError(`wrong user name or password for ${url}`, EXIT.auth);
      }
      const token = (await response.json()) as string;
      const credentials = await loadCredentials(context.env);
      credentials.hosts[hostKey(url)] = { user, token, savedAt: new Date().toISOString() };
      credentials.defaultUrl = hostKey(url);
      await saveCredentials(credentials, context.env);
      if (context.out.json) printJson(context.out, { url, user });
      else note(context.out, `Signed in to ${url} as ${user}.`);
    });

  program
    .command('logout')
    .description('forget the token kept for this registry')
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      const url = await context.baseUrl();
      const credentials = await loadCredentials(context.env);
      const known = url in credentials.hosts;
      delete credentials.hosts[url];
      if (credentials.defaultUrl === url) delete credentials.defaultUrl;
      await saveCredentials(credentials, context.env);
      note(context.out, known ? `Signed out of ${url}.` : `Not signed in to ${url}.`);
    });

  program
    .command('token')
    .description('print the kept token, e.g. for HF_TOKEN')
    .option('--hf', 'as HF_TOKEN for Hugging Face clients (hf_ and the JWT; the registry ignores the prefix)')
    .action(async (options: { hf?: boolean }, command: Command) => {
      const context = contextOf(command);
      const token = await context.token();
      print(context.out, options.hf ? `hf_${token.replace(/^bearer\s+/i, '')}` : token);
    });
}
