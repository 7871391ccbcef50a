import { readFile } from 'node:fs/promises';
import { loadConfig } from '../config.js';
import { createScorer, type Scorer } from './scorer.js';
import { parseUrlFile } from './url-file.js';

export interface CommandIo {
  env: Record<string, string | undefined>;
  /** Receives each NDJSON line (without the newline). */
  out(line: string): void;
  /** Receives usage and configuration problems. */
  err(message: string): void;
  /** The transport the scorer's clients use (default: global fetch). */
  fetch?: typeof fetch;
}

/** Exit codes: every line rated; some line malformed or not rated; nothing could run (usage, file, configuration). */
export const EXIT = { ok: 0, someFailed: 1, cannotRun: 2 } as const;

/**
 * `score URLS.txt`: one NDJSON line per non-empty line of the file, in file order. A rated model
 * prints the contract's ModelRating; a line that is malformed or cannot be rated prints
 * `{"url", "error"}` and the others still run; the exit code then says that something failed.
 */
export async function runScoreCommand(args: string[], io: CommandIo): Promise<number> {
  const [path, ...extra] = args;
  if (path === undefined || extra.length > 0) {
    io.err('usage: score URLS.txt (one model URL, or code_url,dataset_url,model_url, per line)');
    return EXIT.cannotRun;
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    io.err(`cannot read ${path}: ${(error as Error).message}`);
    return EXIT.cannotRun;
  }

  let scorer: Scorer;
  try {
    scorer = await createScorer(loadConfig(io.env), io.fetch);
  } catch (error) {
    io.err((error as Error).message);
    return EXIT.cannotRun;
  }
  let failed = false;
  try {
    for (const line of parseUrlFile(text)) {
      if ('error' in line) {
        failed = true;
        io.out(JSON.stringify({ url: line.text, error: line.error }));
        continue;
      }
      try {
        io.out(JSON.stringify(await scorer.score(line.target)));
      } catch (error) {
        failed = true;
        io.out(JSON.stringify({ url: line.target.url, error: (error as Error).message }));
      }
    }
  } finally {
    await scorer.close();
  }
  return failed ? EXIT.someFailed : EXIT.ok;
}
