import { createInterface } from 'node:readline/promises';
import type { Writable } from 'node:stream';
import { CliError, EXIT } from './exit-codes.js';

/** Where prompts read and write: the process's stdin and stderr (so stdout stays the result). */
export interface Terminal {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode(raw: boolean): unknown };
  stderr: Writable;
}

/** A line typed at the terminal (the question on stderr, so stdout stays the result). */
export async function ask(question: string, terminal: Terminal): Promise<string> {
  const reader = createInterface({ input: terminal.stdin, output: terminal.stderr });
  try {
    return (await reader.question(question)).trim();
  } finally {
    reader.close();
  }
}

/** A secret typed at the terminal, not echoed. */
export function askHidden(question: string, terminal: Terminal): Promise<string> {
  const { stdin, stderr } = terminal;
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const stop = () => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n' || character === '\u0004') {
          stop();
          resolve(value);
          return;
        }
        if (character === '\u0003') {
          stop();
          reject(new CliError('cancelled', EXIT.usage));
          return;
        }
        value = character === '\u007f' || character === '\b' ? value.slice(0, -1) : value + character;
      }
    };
    stdin.on('data', onData);
  });
}

/** Everything piped to stdin (`--password-stdin`), without the final newline. */
export async function readStdin(terminal: Terminal): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of terminal.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
