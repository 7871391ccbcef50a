import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blobRangeSource,
  bufferRangeSource,
  fileRangeSource,
  openZip,
  type RangeSource,
} from '../../../src/packages/range-source.js';
import { BlobNotFoundError, type BlobStore } from '../../../src/storage/blobs/blob-store.js';
import { collect, makeZip } from './zip-fixtures.js';

const BYTES = Buffer.from('0123456789abcdef');

async function entryNames(source: RangeSource): Promise<string[]> {
  const zip = await openZip(source);
  const names: string[] = [];
  for await (const entry of zip.eachEntry()) names.push(entry.fileName);
  return names;
}

describe('bufferRangeSource', () => {
  it('reads inclusive ranges', async () => {
    const source = bufferRangeSource(BYTES);
    expect(source.size).toBe(16);
    expect((await collect(await source.read(2, 5))).toString()).toBe('2345');
    expect((await collect(await source.read(15, 15))).toString()).toBe('f');
  });

  it.each([
    [-1, 3],
    [4, 3],
    [0, 16],
  ])('refuses the range %i-%i', async (start, end) => {
    await expect(bufferRangeSource(BYTES).read(start, end)).rejects.toThrow(RangeError);
  });
});

describe('fileRangeSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mg-range-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads inclusive ranges of a file and opens a zip from it', async () => {
    const path = join(dir, 'bytes');
    await writeFile(path, BYTES);
    const source = await fileRangeSource(path);
    expect(source.size).toBe(16);
    expect((await collect(await source.read(10, 12))).toString()).toBe('abc');

    const zipPath = join(dir, 'p.zip');
    await writeFile(
      zipPath,
      await makeZip([
        { path: 'a.txt', data: 'A' },
        { path: 'b/c.py', data: 'C' },
      ]),
    );
    expect(await entryNames(await fileRangeSource(zipPath))).toEqual(['a.txt', 'b/c.py']);
  });
});

describe('blobRangeSource', () => {
  const stored = new Map([['d1', BYTES]]);
  const store = {
    stat: async (digest: string) => (stored.has(digest) ? { size: stored.get(digest)?.length ?? 0 } : null),
    read: async (digest: string, range?: { start: number; end: number }) =>
      new PassThrough().end(stored.get(digest)?.subarray(range?.start, (range?.end ?? 0) + 1)),
  } as unknown as BlobStore;

  it('reads ranges of a stored blob', async () => {
    const source = await blobRangeSource(store, 'd1');
    expect(source.size).toBe(16);
    expect((await collect(await source.read(3, 4))).toString()).toBe('34');
  });

  it('throws BlobNotFoundError for a missing blob', async () => {
    await expect(blobRangeSource(store, 'nope')).rejects.toThrow(BlobNotFoundError);
  });
});

describe('openZip', () => {
  it('lists a large central directory with a few source reads', async () => {
    const entries = Array.from({ length: 1000 }, (_, i) => ({
      path: `dir/file-${i}.txt`,
      data: `${i}`,
      options: { compress: false },
    }));
    const buffer = bufferRangeSource(await makeZip(entries));
    let reads = 0;
    const counted: RangeSource = {
      size: buffer.size,
      read: (start, end) => {
        reads += 1;
        return buffer.read(start, end);
      },
    };
    expect(await entryNames(counted)).toHaveLength(1000);
    expect(reads).toBeLessThan(10);
  });

  it('passes source failures on', async () => {
    const failing: RangeSource = {
      size: 1000,
      read: async () => {
        throw new Error('store unreachable');
      },
    };
    await expect(openZip(failing)).rejects.toThrow(/store unreachable/);
  });
});
