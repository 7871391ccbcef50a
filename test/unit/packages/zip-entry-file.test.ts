import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NotFoundError, RangeNotSatisfiableError } from '../../../src/domain/errors.js';
import { bufferRangeSource } from '../../../src/packages/range-source.js';
import { openZipEntry } from '../../../src/packages/zip-entry-file.js';
import { collect, makeZip } from './zip-fixtures.js';

const WEIGHTS = randomBytes(200_000);
const README = Buffer.from('# Model\n'.repeat(20_000));

async function packageZip(): Promise<Buffer> {
  return makeZip([
    { path: 'model.safetensors', data: WEIGHTS, options: { compress: false } },
    { path: 'README.md', data: README, options: { compress: true } },
    { path: 'empty.txt', data: '', options: { compress: false } },
    { path: 'docs/' },
  ]);
}

describe('openZipEntry', () => {
  it.each([
    ['a stored entry', 'model.safetensors', WEIGHTS],
    ['a deflated entry', 'README.md', README],
  ])('streams %s whole and by inclusive range', async (_label, name, bytes) => {
    const file = await openZipEntry(bufferRangeSource(await packageZip()), name);
    expect(file.size).toBe(bytes.length);
    expect((await collect(await file.stream())).equals(bytes)).toBe(true);
    for (const [start, end] of [
      [0, 0],
      [1000, 70_000],
      [bytes.length - 1, bytes.length - 1],
    ] as const) {
      const part = await collect(await file.stream({ start, end }));
      expect(part.equals(bytes.subarray(start, end + 1))).toBe(true);
    }
  });

  it('streams an empty entry as no bytes, but refuses any range of it', async () => {
    const file = await openZipEntry(bufferRangeSource(await packageZip()), 'empty.txt');
    expect(file.size).toBe(0);
    expect((await collect(await file.stream())).length).toBe(0);
    await expect(file.stream({ start: 0, end: 0 })).rejects.toEqual(new RangeNotSatisfiableError(0));
  });

  it.each([
    [-1, 5],
    [10, 9],
    [0, 200_000],
  ])('refuses the range %i-%i with 416 and the entry size', async (start, end) => {
    const file = await openZipEntry(bufferRangeSource(await packageZip()), 'model.safetensors');
    const failure = file.stream({ start, end });
    await expect(failure).rejects.toBeInstanceOf(RangeNotSatisfiableError);
    await expect(failure).rejects.toMatchObject({ statusCode: 416, size: 200_000 });
  });

  it('answers 404 naming a file the package does not have', async () => {
    const zip = await packageZip();
    await expect(openZipEntry(bufferRangeSource(zip), 'weights.bin')).rejects.toEqual(
      new NotFoundError('The package has no file weights.bin.'),
    );
    // Names match exactly: no folder entry stands for a file, and case counts.
    await expect(openZipEntry(bufferRangeSource(zip), 'readme.md')).rejects.toBeInstanceOf(NotFoundError);
  });
});
