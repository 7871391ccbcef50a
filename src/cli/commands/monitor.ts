import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { note, print, printJson, table } from '../output.js';

interface ProgramInfo {
  artifact_id: string;
  program: string;
  sha256: string;
  size: number;
  uploaded_by: string;
  uploaded_at: string;
}

interface Verdict {
  username: string;
  at: string;
  allowed: boolean;
  exit_code: number | null;
  reason: string;
  stdout: string;
  part: string;
  reused: boolean;
}

/** Sensitive models: their monitor programs (administrators) and download history (docs/security.md). */
export function registerMonitorCommands(program: Command): void {
  const monitor = program
    .command('monitor')
    .description("sensitive models: a model's monitor program, which must allow every download of it");
  const modelPath = (id: string) => `artifacts/model/${encodeURIComponent(id)}`;

  monitor
    .command('set')
    .description(
      'give a model a monitor program (a JavaScript file), making it sensitive; replaces any other',
    )
    .argument('<id>', 'model id')
    .argument('<file>', 'the program: run as node FILE MODEL UPLOADER DOWNLOADER ZIP; exit 0 allows')
    .action(async (id: string, file: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const source = await readFile(file, 'utf8').catch((error: Error) => {
        throw new CliError(`cannot read ${file}: ${error.message}`, EXIT.usage);
      });
      const stored = await (await context.client()).json<{ message: string; s3_key: string }>(
        'artifacts/JSProgramUpload',
        { method: 'POST', body: { artifact_id: id, js_program: source } },
      );
      if (context.out.json) printJson(context.out, stored);
      else note(context.out, stored.message);
    });

  monitor
    .command('show')
    .description("print a model's monitor program")
    .argument('<id>', 'model id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const info = await (await context.client()).json<ProgramInfo>(`${modelPath(id)}/monitor`);
      if (context.out.json) return printJson(context.out, info);
      note(
        context.out,
        `sha256 ${info.sha256}, ${info.size} bytes, by ${info.uploaded_by} at ${info.uploaded_at}`,
      );
      print(context.out, info.program.replace(/\n$/, ''));
    });

  monitor
    .command('remove')
    .description("remove a model's monitor program; it is no longer sensitive")
    .argument('<id>', 'model id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const removed = await (await context.client()).json<{ message: string }>(`${modelPath(id)}/monitor`, {
        method: 'DELETE',
      });
      note(context.out, removed.message);
    });

  monitor
    .command('history')
    .description("who asked for a sensitive model's bytes and what its monitor said (admins, its uploader)")
    .argument('<id>', 'model id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const entries = await (await context.client()).allPages<Verdict>(`${modelPath(id)}/downloads`);
      if (context.out.json) return printJson(context.out, entries);
      const verdict = (entry: Verdict) =>
        entry.allowed ? (entry.reused ? 'allowed (reused)' : 'allowed') : `refused (${entry.reason})`;
      const rows = entries.map((entry) => [
        entry.at,
        entry.username,
        entry.part,
        verdict(entry),
        entry.exit_code === null ? '-' : String(entry.exit_code),
        entry.stdout.trim().split('\n')[0] ?? '',
      ]);
      print(context.out, table(['DATE', 'USER', 'PART', 'VERDICT', 'EXIT', 'OUTPUT'], rows));
    });
}
