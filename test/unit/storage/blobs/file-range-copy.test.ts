import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobNotFoundError } from '../../../../src/storage/blobs/blob-store.js';
import { COPY_CHUNK_BYTES, copyFileRange } from '../../../../src/storage/blobs/file-range-copy.js';
import type { FsBlobStore } from '../../../../src/storage/blobs/fs-blob-store.js';
import { stageBytes } from '../../../storage/blob-store.conformance.js';
import { tempFsBlobStore } from './temp-fs-blob-store.js';

/**
 * A destination that flushes each chunk only a few milliseconds later and copies it at that
 * moment: a buffer reused before its write callback would arrive here overwritten.
 */
function slowCollector(): { writable: Writable; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const writable = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      setTimeout(() => {
        chunks.push(Buffer.from(chunk));
        writable.emit('data-written');
        callback();
      }, 3);
    },
  });
  return { writable, chunks };
}

describe('FsBlobStore.writeTo (copyFileRange)', () => {
  let scratch: string;
  let store: FsBlobStore;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ scratch, store, dispose } = await tempFsBlobStore());
  });

  afterEach(() => dispose());

  it('sends any range through reused buffers, each kept until the destination flushed it', async () => {
    const bytes = randomBytes(3 * COPY_CHUNK_BYTES + 12_345);
    const staged = await stageBytes(scratch, bytes);
    await store.putFile(staged.path, staged.digest, staged.size);
    for (const range of [
      { start: 0, end: bytes.length - 1 },
      { start: COPY_CHUNK_BYTES - 7, end: 2 * COPY_CHUNK_BYTES + 100 },
      { start: 5, end: 5 },
    ]) {
      const received = slowCollector();
      await store.writeTo(staged.digest, received.writable, range);
      await new Promise<void>((resolve) => received.writable.end(resolve));
      expect(Buffer.concat(received.chunks).equals(bytes.subarray(range.start, range.end + 1))).toBe(true);
    }
  });

  it('stops when the destination is destroyed, and rejects a range beyond the end', async () => {
    const bytes = randomBytes(4 * COPY_CHUNK_BYTES);
    const staged = await stageBytes(scratch, bytes);
    await store.putFile(staged.path, staged.digest, staged.size);
    const received = slowCollector();
    received.writable.once('data-written', () => received.writable.destroy());
    await store.writeTo(staged.digest, received.writable, { start: 0, end: bytes.length - 1 });
    expect(Buffer.concat(received.chunks).length).toBeLessThan(bytes.length);

    const beyond = slowCollector();
    await expect(
      store.writeTo(staged.digest, beyond.writable, { start: 0, end: bytes.length }),
    ).rejects.toThrow(/file ended before the end of the range/);
    await expect(store.writeTo('0'.repeat(64), beyond.writable, { start: 0, end: 0 })).rejects.toThrow(
      BlobNotFoundError,
    );
  });

  it('writes nothing to a destination destroyed before the copy starts', async () => {
    const path = join(scratch, 'file');
    await writeFile(path, randomBytes(1000));
    const fd = openSync(path, 'r');
    try {
      const received = slowCollector();
      received.writable.destroy();
      await copyFileRange(fd, { start: 0, end: 999 }, received.writable);
      expect(received.chunks).toEqual([]);
    } finally {
      closeSync(fd);
    }
  });

  it('rejects with the read error when the descriptor cannot be read', async () => {
    const fd = openSync(scratch, 'r');
    try {
      const received = slowCollector();
      await expect(copyFileRange(fd, { start: 0, end: 10 }, received.writable)).rejects.toMatchObject({
        code: 'EISDIR',
      });
      expect(received.chunks).toEqual([]);
    } finally {
      closeSync(fd);
    }
  });

  it('rejects a read failing after the first chunk, once that chunk is handed over', async () => {
    const path = join(scratch, 'short');
    await writeFile(path, randomBytes(COPY_CHUNK_BYTES + 10));
    const fd = openSync(path, 'r');
    try {
      const received = slowCollector();
      await expect(
        copyFileRange(fd, { start: 0, end: 3 * COPY_CHUNK_BYTES }, received.writable),
      ).rejects.toThrow(
        `file ended before the end of the range (10 of ${COPY_CHUNK_BYTES} bytes at ${COPY_CHUNK_BYTES})`,
      );
    } finally {
      closeSync(fd);
    }
  });
});
