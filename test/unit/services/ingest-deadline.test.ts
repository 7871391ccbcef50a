import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestDeadline } from '../../../src/services/ingest-deadline.js';
import { readAll } from '../support/registry-parts.js';

const deadlines: IngestDeadline[] = [];
function deadline(ms: number): IngestDeadline {
  const made = new IngestDeadline('https://example.com/m.zip', ms);
  deadlines.push(made);
  return made;
}
afterEach(() => {
  for (const made of deadlines.splice(0)) made.clear();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the ingest deadline', () => {
  it('words the 504 with the deadline in seconds or milliseconds', () => {
    expect(deadline(30_000).error).toMatchObject({
      statusCode: 504,
      code: 'UPSTREAM_ERROR',
      message:
        'Ingesting https://example.com/m.zip took longer than the ingest deadline of 30 s (INGEST_DEADLINE_MS); nothing was stored.',
    });
    expect(deadline(1500).error.message).toContain('deadline of 1500 ms');
  });

  it('lets work that finishes in time through, with its value or its own error', async () => {
    const within = deadline(1000);
    expect(await within.race(Promise.resolve('done'))).toBe('done');
    await expect(within.race(Promise.reject(new Error('own failure')))).rejects.toThrow('own failure');
  });

  it('answers 504 as soon as the deadline passes, and at once for work started after it', async () => {
    const short = deadline(30);
    const started = Date.now();
    await expect(short.race(sleep(5000))).rejects.toMatchObject({ statusCode: 504 });
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(short.race(Promise.resolve('late'))).rejects.toBe(short.error);
  });

  it('destroys a stream still being read when the deadline passes; a finished one is left alone', async () => {
    const short = deadline(30);
    const dripping = short.bound(new PassThrough());
    await expect(readAll(dripping)).rejects.toBe(short.error);

    const quick = deadline(30);
    const done = quick.bound(Readable.from([Buffer.from('ok')]));
    expect((await readAll(done)).toString()).toBe('ok');
    await sleep(60);
    expect(done.errored).toBeNull();
    // A stream bound after the deadline is destroyed at once.
    const late = quick.bound(new PassThrough());
    const lateError = new Promise((resolve) => late.once('error', resolve));
    expect(late.destroyed).toBe(true);
    expect(await lateError).toBe(quick.error);
    expect(late.errored).toBe(quick.error);
  });

  it('bounds every file of a source when it is opened', async () => {
    const short = deadline(30);
    const [file] = short.boundFiles([{ path: 'slow.bin', size: 10, open: async () => new PassThrough() }]);
    expect(file?.path).toBe('slow.bin');
    const stream = await file?.open();
    await expect(readAll(stream ?? Readable.from([]))).rejects.toBe(short.error);
  });

  it('once cleared, never fires', async () => {
    const cleared = deadline(20);
    cleared.clear();
    await sleep(50);
    expect(await cleared.race(Promise.resolve(1))).toBe(1);
  });
});
