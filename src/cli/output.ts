import type { Writable } from 'node:stream';

/** Where a command writes: results on stdout (plain or JSON), everything else on stderr. */
export interface Output {
  json: boolean;
  /** Progress bars and colours only on a terminal, and colours only without NO_COLOR. */
  interactive: boolean;
  color: boolean;
  stdout: Writable;
  stderr: Writable;
}

/** The streams a command writes to (the process's own, or a test's). */
export interface OutputStreams {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}

export function createOutput(
  json: boolean,
  env: NodeJS.ProcessEnv = process.env,
  streams: OutputStreams = process,
): Output {
  const interactive = Boolean(streams.stderr.isTTY);
  return {
    json,
    interactive,
    color: interactive && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb',
    stdout: streams.stdout,
    stderr: streams.stderr,
  };
}

export function print(out: Output, text: string): void {
  out.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(out: Output, value: unknown): void {
  out.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A status line for people (stderr, so stdout stays the result). */
export function note(out: Output, text: string): void {
  out.stderr.write(`${text}\n`);
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

export function paint(out: Output, color: keyof typeof CODES, text: string): string {
  return out.color ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const numeric = headers.map(
    (_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [
    line(cells[0] ?? []),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.slice(1).map(line),
  ].join('\n');
}

/** 1234567 -> "1.2 MB" (10^3 steps, as the registry's cost and download tools count). */
export function humanBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
