import { createInterface } from 'node:readline/promises';
import { CliError, EXIT } from './exit-codes.js';

/** A line typed at the terminal (the question on stderr, so stdout stays the result). */
export async function ask(question: string): Promise<string> {
  const reader = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await reader.question(question)).trim();
  } finally {
    reader.close();
  }
}

/** A secret typed at the terminal, not echoed. */
export function askHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const stop = () => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
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
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
