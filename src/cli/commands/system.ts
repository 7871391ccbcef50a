import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { note, print, printJson, table } from '../output.js';

interface Component {
  id: string;
  status: string;
  issues?: { severity: string }[];
}

export function registerSystemCommands(program: Command): void {
  program
    .command('score')
    .description('rate the models of a URL file without a registry (one NDJSON line each)')
    .argument('<url-file>', 'one model URL, or code_url,dataset_url,model_url, per line')
    .action(async (file: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      // Loaded on use: the scorer pulls in the rating pipeline and its clients, which other commands do not need.
      const { runScoreCommand } = await import('../score-command.js');
      context.setExitCode(
        await runScoreCommand([file], {
          env: context.env,
          fetch: context.fetch,
          out: (line) => context.out.stdout.write(`${line}\n`),
          err: (message) => context.out.stderr.write(`${message}\n`),
        }),
      );
    });

  program
    .command('serve')
    .description('start the registry (configured by environment variables, see the README)')
    .option('-p, --port <port>', 'port (PORT)')
    .option('--host <host>', 'address to listen on (HOST)')
    .option('-d, --data-dir <dir>', 'embedded storage folder (DATA_DIR)')
    .action(async (options: { port?: string; host?: string; dataDir?: string }) => {
      if (options.port) process.env.PORT = options.port;
      if (options.host) process.env.HOST = options.host;
      if (options.dataDir) process.env.DATA_DIR = options.dataDir;
      // The server module starts listening when loaded, exactly as `npm start` runs it.
      await import('../../server.js');
    });

  program
    .command('health')
    .description("the registry's components and recent activity")
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      const client = await context.anonymousClient();
      const health = await client.json<{ components?: Component[] }>('health/components', { accept: [503] });
      const components = health.components ?? [];
      // Slow is worth showing; only an unreachable component is a failure (whatever the output format).
      const failing = components.some((component) =>
        component.issues?.some((issue) => issue.severity === 'error'),
      );
      if (failing) context.setExitCode(EXIT.failure);
      if (context.out.json) return printJson(context.out, health);
      print(
        context.out,
        table(
          ['COMPONENT', 'STATUS'],
          components.map((component) => [component.id, component.status]),
        ),
      );
    });

  program
    .command('reset')
    .description('empty the registry, leaving only the default administrator (administrators only)')
    .option('--yes', 'really do it')
    .action(async (options: { yes?: boolean }, command: Command) => {
      const context = contextOf(command);
      if (!options.yes)
        throw new CliError('reset deletes every artifact and user: add --yes to go ahead', EXIT.usage);
      await (await context.client()).request('reset', { method: 'DELETE' });
      note(context.out, 'The registry is empty.');
    });
}
