/**
 * The `modelguard` program: every command, run with the process's streams and fetch (the
 * executable, modelguard.ts) or with a test's (the CliIo seam).
 */
import { Command, CommanderError } from 'commander';
import { registerArtifactCommands } from './commands/artifacts.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerDownloadCommand } from './commands/download.js';
import { registerFsckCommand } from './commands/fsck.js';
import { registerInsightCommands } from './commands/insight.js';
import { registerMonitorCommands } from './commands/monitor.js';
import { registerSystemCommands } from './commands/system.js';
import { registerUserCommands } from './commands/users.js';
import { bindIo, type CliIo } from './context.js';
import { CliError, EXIT } from './exit-codes.js';
import { createOutput, paint } from './output.js';

export function createProgram(io: CliIo): Command {
  const program = new Command('modelguard')
    .description('A command-line client for the ModelGuard registry.')
    .version(io.env.npm_package_version ?? '0.1.0', '--cli-version', 'print the CLI version')
    .option(
      '--url <url>',
      'registry URL (MODELGUARD_URL; default: the last login, else http://localhost:3000)',
    )
    .option('--token <token>', 'registry token (MODELGUARD_TOKEN; default: the one `login` kept)')
    .option('--json', 'print results as JSON for scripts')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError()
    .exitOverride();
  bindIo(program, io);

  registerAuthCommands(program);
  registerArtifactCommands(program);
  registerDownloadCommand(program);
  registerInsightCommands(program);
  registerSystemCommands(program);
  registerFsckCommand(program);
  registerUserCommands(program);
  registerMonitorCommands(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs one command line (the arguments after the program name) and answers its exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    await createProgram(io).parseAsync(argv, { from: 'user' });
    return io.exitCode;
  } catch (error) {
    return exitCodeFor(error, io);
  }
}

function exitCodeFor(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // --help and --version end with code 0; usage mistakes were already printed by commander.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  const out = createOutput(false, io.env, io);
  const message = error instanceof Error ? error.message : String(error);
  out.stderr.write(`${paint(out, 'red', 'error:')} ${message}\n`);
  return error instanceof CliError ? error.exitCode : EXIT.failure;
}
