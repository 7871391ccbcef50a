import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, PayloadTooLargeError, UpstreamError } from '../../../src/domain/errors.js';
import { inspectPackage } from '../../../src/packages/inspect.js';
import { fileRangeSource } from '../../../src/packages/range-source.js';
import { type PackageEntrySource, writePackageZip } from '../../../src/packages/write-package.js';
import { readZip } from './zip-fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-write-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
const originalTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTz;
});

let opened = 0;
function entry(path: string, data: Buffer | string, declaredSize?: number): PackageEntrySource {
  const bytes = Buffer.from(data);
  return {
    path,
    size: declaredSize ?? bytes.length,
    open: async () => {
      opened += 1;
      return Readable.from([bytes]);
    },
  };
}

const WEIGHTS = randomBytes(300_000);
const repo = () => [
  entry('src/train.py', 'print("train")\n'.repeat(100)),
  entry('README.md', '# Model\n'.repeat(200)),
  entry('model.safetensors', WEIGHTS),
  entry('config.json', '{"a":1}'),
];

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('writePackageZip', () => {
  it('packs entries sorted by path, storing weights and deflating the rest, and reports the digest', async () => {
    const dest = join(dir, 'round-trip.zip');
    const result = await writePackageZip(repo(), dest, 10_000_000);
    const written = await readFile(dest);
    expect(result).toEqual({
      digest: createHash('sha256').update(written).digest('hex'),
      size: written.length,
    });

    const entries = await readZip(written);
    expect(entries.map((e) => e.entry.fileName)).toEqual([
      'README.md',
      'config.json',
      'model.safetensors',
      'src/train.py',
    ]);
    const byName = new Map(entries.map((e) => [e.entry.fileName, e]));
    expect(byName.get('model.safetensors')?.entry.compressionMethod).toBe(0);
    expect(byName.get('model.safetensors')?.data.equals(WEIGHTS)).toBe(true);
    expect(byName.get('README.md')?.entry.compressionMethod).toBe(8);
    expect(byName.get('README.md')?.data.toString()).toBe('# Model\n'.repeat(200));

    const facts = await inspectPackage(
      await fileRangeSource(dest),
      { maxEntries: 10, maxUncompressedBytes: 1e9, maxCompressionRatio: 200 },
      100,
    );
    expect(facts.configJson).toBe('{"a":1}');
  });

  it('gives the same digest whatever the listing order and time zone', async () => {
    process.env.TZ = 'UTC';
    const first = await writePackageZip(repo(), join(dir, 'd1.zip'), 10_000_000);
    process.env.TZ = 'Asia/Kolkata';
    const second = await writePackageZip(repo().reverse(), join(dir, 'd2.zip'), 10_000_000);
    expect(second.digest).toBe(first.digest);
  });

  it('aborts past the size limit and removes the partial file', async () => {
    const dest = join(dir, 'big.zip');
    const text = Array.from({ length: 50 }, (_, i) =>
      entry(`notes/${i}.md`, randomBytes(2000).toString('hex')),
    );
    await expect(writePackageZip(text, dest, 50_000)).rejects.toThrow(PayloadTooLargeError);
    expect(await exists(dest)).toBe(false);
  });

  it('fails before downloading anything when the stored weights alone exceed the limit', async () => {
    opened = 0;
    const dest = join(dir, 'early.zip');
    await expect(writePackageZip(repo(), dest, 200_000)).rejects.toThrow(PayloadTooLargeError);
    expect(opened).toBe(0);
    expect(await exists(dest)).toBe(false);
  });

  it('reports an entry whose data does not match its declared size as an upstream error', async () => {
    const dest = join(dir, 'mismatch.zip');
    const err = await writePackageZip([entry('a.txt', 'hello', 10)], dest, 1e6).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toMatch(/cannot package a\.txt/);
    expect(await exists(dest)).toBe(false);
  });

  it('passes an open failure through unchanged', async () => {
    const failing: PackageEntrySource = {
      path: 'b.bin',
      size: 3,
      open: () => Promise.reject(new UpstreamError('hub answered 500')),
    };
    await expect(writePackageZip([entry('a.txt', 'a'), failing], join(dir, 'open.zip'), 1e6)).rejects.toThrow(
      'hub answered 500',
    );
  });

  it('turns a broken entry stream into an upstream error', async () => {
    const broken: PackageEntrySource = {
      path: 'c.txt',
      size: 100,
      open: async () => {
        const stream = new PassThrough();
        stream.write('partial');
        setImmediate(() => stream.destroy(new Error('socket hang up')));
        return stream;
      },
    };
    const dest = join(dir, 'broken.zip');
    await expect(writePackageZip([broken], dest, 1e6)).rejects.toThrow(
      /cannot package c\.txt: socket hang up/,
    );
    expect(await exists(dest)).toBe(false);
  });

  it.each([
    ['../escape.py', /invalid file path/],
    ['/abs.py', /invalid file path/],
    ['', /empty file name/],
    ['dir/', /ends with \//],
    ['x'.repeat(70_000), /longer than 65535 bytes/],
  ])('refuses the path %j before opening anything', async (path, message) => {
    opened = 0;
    const err = await writePackageZip(
      [entry('a.txt', 'a'), entry(path, 'x')],
      join(dir, 'bad.zip'),
      1e6,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as Error).message).toMatch(message);
    expect(opened).toBe(0);
  });

  it('refuses duplicate paths', async () => {
    await expect(
      writePackageZip([entry('a.txt', 'a'), entry('a.txt', 'b')], join(dir, 'dup.zip'), 1e6),
    ).rejects.toThrow(new BadRequestError('duplicate file path in package: a.txt'));
  });
});
