import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, PayloadTooLargeError } from '../../../src/domain/errors.js';
import { RegexScanner, type RegexScannerOptions } from '../../../src/search/regex-scanner.js';

const LIMITS = { maxLength: 200, maxProgramSize: 600 };
/** Room for a thread to start (from the TypeScript sources, through tsx) on a loaded machine. */
const AMPLE_MS = 60_000;

/**
 * A scanner with `maxWorkers` and its worker already running, and a way to set its budget. The
 * budget of a search counts from its start, thread start-up included; tests of the budget set it
 * only once a worker is warm, so what they measure is matching and waiting, not starting threads.
 */
async function warmScanner(maxWorkers: number) {
  const options: RegexScannerOptions = { limits: LIMITS, timeoutMs: AMPLE_MS, maxWorkers };
  const regex = new RegexScanner(options);
  expect(await search(regex, 'warm', [['warm']])).toEqual([0]);
  return {
    regex,
    budget(ms: number) {
      options.timeoutMs = ms;
    },
  };
}

/** Runs one search to its end and answers the matching candidates' indices. */
async function search(on: RegexScanner, pattern: string, candidates: string[][]): Promise<number[]> {
  const scan = await on.start(pattern);
  try {
    return await scan.match(candidates);
  } finally {
    scan.end();
  }
}

/**
 * Linear time, but with a large factor: about 200 RE2 instructions, most of them live at every
 * position of a text of words; about 0.3 s on HUGE (24 MB) on a quiet machine, six times the
 * budget the test gives it.
 */
const EXPENSIVE = '(?:\\w+\\s+){50}\\d';
const HUGE = Array.from({ length: 40 }, () => ['lorem ipsum '.repeat(50_000)]);

/** The error a promise rejects with. */
async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('RegexScanner searches', () => {
  let regex: RegexScanner;
  beforeAll(async () => {
    regex = (await warmScanner(1)).regex;
  });
  afterAll(() => regex.close());

  it('answers the candidates any of whose texts match', async () => {
    const candidates = [
      ['bert-base', 'A BERT model'],
      ['gpt2', 'Generates text'],
      ['t5', 'bert inside the README'],
    ];
    expect(await search(regex, '(?i)^bert-', candidates)).toEqual([0]);
    expect(await search(regex, 'bert', candidates)).toEqual([0, 2]);
    expect(await search(regex, 'no-such-thing', candidates)).toEqual([]);
  });

  it('matches batch after batch within one search', async () => {
    const scan = await regex.start('v\\d+');
    expect(await scan.match([['model-v1'], ['model']])).toEqual([0]);
    expect(await scan.match([['x'], ['y'], ['v22']])).toEqual([2]);
    scan.end();
    scan.end(); // safe twice
    await expect(scan.match([['v1']])).rejects.toThrow('the regex search has ended');
  });

  it.each([
    ['a backreference', '(a)\\1', 'Unsupported regular expression construct: backreference `\\1`.'],
    ['bad syntax', 'a(b', 'Invalid regular expression: missing closing )'],
    [
      'too long a pattern',
      'a'.repeat(201),
      'The regular expression is 201 characters long; the limit is 200.',
    ],
    [
      'too large a program',
      '(?:\\w|\\s){999}',
      'The regular expression compiles to 1001 instructions; the limit is 600',
    ],
  ])('refuses %s with 400, and the worker serves the next search', async (_, pattern, message) => {
    const error = await failure(regex.start(pattern));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain(message);
    expect(await search(regex, 'ok', [['ok']])).toEqual([0]);
  });

  it('lets a search wait for the busy worker, and hands the worker over when it is free', async () => {
    const first = await regex.start('one');
    const waiting = regex.start('two');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await first.match([['one'], ['two']])).toEqual([0]);
    first.end();
    const second = await waiting;
    expect(await second.match([['one'], ['two']])).toEqual([1]);
    second.end();
  });
});

describe('RegexScanner budgets', () => {
  let scanner: Awaited<ReturnType<typeof warmScanner>>;
  beforeAll(async () => {
    scanner = await warmScanner(1);
  });
  afterAll(() => scanner.regex.close());

  it('stops a match at the budget with 413, and the next search gets a fresh worker', async () => {
    // HUGE takes this pattern about 0.3 s on a quiet machine: far past the budget.
    scanner.budget(50);
    const scan = await scanner.regex.start(EXPENSIVE);
    const error = await failure(scan.match(HUGE));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect((error as PayloadTooLargeError).statusCode).toBe(413);
    expect((error as PayloadTooLargeError).message).toBe(
      'The regex search was stopped at its time budget of 50 ms (REGEX_SEARCH_TIMEOUT_MS); use a more specific pattern.',
    );
    scan.end();
    scanner.budget(AMPLE_MS);
    expect(await search(scanner.regex, 'after', [['before'], ['after']])).toEqual([1]);
  });

  it('bounds other work of a search (reading rows) by the same budget', async () => {
    // The budget counts from the search's start: room for a loaded machine to hand the worker over.
    scanner.budget(2_000);
    const scan = await scanner.regex.start('x');
    expect(await scan.withinBudget(Promise.resolve('rows'))).toBe('rows');
    await expect(scan.withinBudget(new Promise<string>(() => {}))).rejects.toBeInstanceOf(
      PayloadTooLargeError,
    );
    scan.end();
    scanner.budget(AMPLE_MS);
  });

  it('gives up waiting for a worker at the budget; the worker freed later serves the next search', async () => {
    scanner.budget(AMPLE_MS);
    const holder = await scanner.regex.start('held');
    scanner.budget(200);
    const error = await failure(scanner.regex.start('waits'));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    holder.end();
    scanner.budget(AMPLE_MS);
    expect(await search(scanner.regex, 'next', [['next']])).toEqual([0]);
  });
});

it('fails, rather than hangs, a search whose worker stops mid-match (the scanner closing)', async () => {
  const { regex } = await warmScanner(1);
  const scan = await regex.start(EXPENSIVE);
  const matching = failure(scan.match(HUGE));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await regex.close();
  expect(String(await matching)).toMatch(/the regex worker stopped \(exit code \d+\)/);
  scan.end();
});
