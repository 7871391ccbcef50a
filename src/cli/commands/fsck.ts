import type { Command } from 'commander';
import { contextOf } from '../context.js';

export interface FsckOptions {
  repair?: boolean;
  grace: string;
  sizesOnly?: boolean;
}

export function registerFsckCommand(program: Command): void {
  program
    .command('fsck')
    .description(
      "check the registry's storage (configured by environment variables, as `serve`): every artifact's package stored with its SHA-256 and size, no orphan blobs",
    )
    .option('--repair', 'delete the orphan blobs older than the grace period')
    .option(
      '--grace <seconds>',
      'orphans younger than this may be uploads in flight: never collected',
      '3600',
    )
    .option('--sizes-only', 'check that packages are present with their size, without hashing them')
    .action(async (options: FsckOptions, command: Command) => {
      const context = contextOf(command);
      // Loaded on use: the check opens the storage adapters, which other commands do not need.
      const { runFsck } = await import('../fsck.js');
      context.setExitCode(await runFsck(options, context.env, context.out));
    });
}
