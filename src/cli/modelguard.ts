#!/usr/bin/env node
/**
 * `modelguard`: the registry from a terminal. Every command takes --url, --token and --json;
 * results go to stdout, progress and messages to stderr, and the exit code says what happened
 * (exit-codes.ts).
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
import { CliError, EXIT } from './exit-codes.js';
import { createOutput, paint } from './output.js';

const program = new Command('modelguard')
  .description('A command-line client for the ModelGuard registry.')
  .version(process.env.npm_package_version ?? '0.1.0', '--cli-version', 'print the CLI version')
  .option('--url <url>', 'registry URL (MODELGUARD_URL; default: the last login, else http://localhost:3000)')
  .option('--token <token>', 'registry token (MODELGUARD_TOKEN; default: the one `login` kept)')
  .option('--json', 'print results as JSON for scripts')
  .showHelpAfterError()
  .exitOverride();

registerAuthCommands(program);
registerArtifactCommands(program);
registerDownloadCommand(program);
registerInsightCommands(program);
registerSystemCommands(program);
registerFsckCommand(program);
registerUserCommands(program);
registerMonitorCommands(program);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version end with code 0; usage mistakes were already printed by commander.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  const out = createOutput(false);
  const message = error instanceof Error ? error.message : String(error);
  out.stderr.write(`${paint(out, 'red', 'error:')} ${message}\n`);
  return error instanceof CliError ? error.exitCode : EXIT.failure;
}
