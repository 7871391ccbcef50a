import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../src/domain/errors.js';
import { buildAspectZip } from '../../../src/packages/aspect-zip.js';
import { bufferRangeSource, type RangeSource } from '../../../src/packages/range-source.js';
import { collect, makeZip, readZip } from './zip-fixtures.js';

const BIG = randomBytes(3 * 1024 * 1024 + 17);

async function storedPackage(): Promise<Buffer> {
  return makeZip([
    { path: 'repo/' },
    { path: 'repo/README.md', data: '# card', options: { mtime: new Date(2023, 4, 6, 7, 8, 10) } },
    { path: 'repo/config.json', data: '{}' },
    {
      path: 'repo/model.safetensors',
      data: BIG,
      options: { compress: false, mtime: new Date(2022, 1, 3, 4, 5, 6) },
    },
    { path: 'repo/weights/' },
    { path: 'repo/weights/pytorch_model.bin', data: Buffer.alloc(200_000, 7), options: { mode: 0o100600 } },
    { path: 'repo/run.sh', data: '#!/bin/sh\n', options: { mode: 0o100755 } },
    { path: 'repo/data/train.csv', data: 'a,b\n' },
  ]);
}

/** Keeps the streams a source hands out; each yields 16 KiB chunks on demand, like a socket. */
function tracked(source: RangeSource) {
  const streams: Readable[] = [];
  return {
    streams,
    source: {
      size: source.size,
      read: async (start: number, end: number) => {
        const bytes = await collect(await source.read(start, end));
        const chunks = Array.from({ length: Math.ceil(bytes.length / 16384) }, (_, i) =>
          bytes.subarray(i * 16384, (i + 1) * 16384),
        );
        const stream = Readable.from(chunks, { objectMode: false });
        streams.push(stream);
        return stream;
      },
    } satisfies RangeSource,
  };
}

const originalTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTz;
});

describe('buildAspectZip', () => {
  it('produces a valid zip with exactly the aspect files, same paths, content, CRCs, times and modes', async () => {
    const stored = await storedPackage();
    const aspectZip = await buildAspectZip(bufferRangeSource(stored), 'weights');
    const bytes = await collect(aspectZip.stream());

    expect(aspectZip.fileCount).toBe(2);
    const originals = new Map((await readZip(stored)).map((e) => [e.entry.fileName, e]));
    const produced = await readZip(bytes);
    expect(produced.map((e) => e.entry.fileName)).toEqual([
      'repo/model.safetensors',
      'repo/weights/pytorch_model.bin',
    ]);
    for (const { entry, data } of produced) {
      const original = originals.get(entry.fileName);
      expect(data.equals(original?.data ?? Buffer.alloc(0))).toBe(true);
      expect(entry.crc32).toBe(original?.entry.crc32);
      expect([entry.lastModFileDate, entry.lastModFileTime]).toEqual([
        original?.entry.lastModFileDate,
        original?.entry.lastModFileTime,
      ]);
      expect(entry.compressionMethod).toBe(0);
    }
    expect(produced[1]?.entry.externalFileAttributes).toBe(0o100600 * 0x10000);
  });

  it('keeps executable bits of code files', async () => {
    const aspectZip = await buildAspectZip(bufferRangeSource(await storedPackage()), 'code');
    const [script] = await readZip(await collect(aspectZip.stream()));
    expect(script?.entry.fileName).toBe('repo/run.sh');
    expect((script?.entry.externalFileAttributes ?? 0) >>> 16).toBe(0o100755);
  });

  it('is byte-identical across calls and across time zones', async () => {
    const stored = await storedPackage();
    process.env.TZ = 'UTC';
    const first = await collect((await buildAspectZip(bufferRangeSource(stored), 'docs')).stream());
    const again = await collect((await buildAspectZip(bufferRangeSource(stored), 'docs')).stream());
    process.env.TZ = 'America/New_York';
    const elsewhere = await collect((await buildAspectZip(bufferRangeSource(stored), 'docs')).stream());
    expect(again.equals(first)).toBe(true);
    expect(elsewhere.equals(first)).toBe(true);
  });

  it('throws NotFoundError when the package has no files of the aspect', async () => {
    const stored = await makeZip([{ path: 'README.md', data: 'x' }, { path: 'data/' }]);
    await expect(buildAspectZip(bufferRangeSource(stored), 'weights')).rejects.toThrow(
      new NotFoundError('package has no weights files'),
    );
  });

  it('closes every source stream when the consumer goes away', async () => {
    const { source, streams } = tracked(bufferRangeSource(await storedPackage()));
    const aspectZip = await buildAspectZip(source, 'weights');
    const partial = aspectZip.stream();
    await new Promise<void>((resolve) => partial.once('data', () => resolve()));
    partial.destroy();
    // Hangs (and times out) if any source stream is left open.
    await Promise.all(streams.map((stream) => stream.closed || once(stream, 'close')));
    expect(streams.length).toBeGreaterThan(0);
  });

  it('fails the stream, without crashing, when the stored data cannot be read', async () => {
    const good = bufferRangeSource(await storedPackage());
    let broken = false;
    const source: RangeSource = {
      size: good.size,
      read: async (start, end) => {
        if (!broken) return good.read(start, end);
        const failing = new PassThrough();
        setImmediate(() => failing.destroy(new Error('disk on fire')));
        return failing;
      },
    };
    const aspectZip = await buildAspectZip(source, 'weights');
    broken = true;
    await expect(collect(aspectZip.stream())).rejects.toThrow(/disk on fire/);
  });
});
