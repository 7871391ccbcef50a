import { read as readCallback } from 'node:fs';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { ByteRange } from './blob-store.js';

const readInto = promisify(readCallback);

/**
 * Bytes per read. With reused buffers a smaller chunk costs only syscalls, and 100 concurrent
 * downloads keep at most about two chunks each in flight.
 */
export const COPY_CHUNK_BYTES = 256 * 1024;
/** Idle chunks kept for the next read; more are allocated under load and dropped when returned. */
const MAX_SPARE_CHUNKS = 64;
const spare: Buffer[] = [];

/**
 * Copies `range` (inclusive) of the open file `fd` to `destination`, reading into buffers that
 * are reused once the destination has flushed them (its write callback), never allocating one
 * per chunk. A fresh 1 MiB buffer per read, as fs.createReadStream allocates, made V8 run a full
 * (major) garbage collection every few dozen megabytes sent, over the whole heap; that collection
 * was the largest cost of serving downloads (bench/README.md). Resolves when every byte has been
 * handed to the destination, or early when the destination is destroyed (client gone); rejects
 * when the file is shorter than the range or a read fails. Does not end or close anything.
 */
export async function copyFileRange(fd: number, range: ByteRange, destination: Writable): Promise<void> {
  let position = range.start;
  const readNext = (): Promise<Chunk> | null => {
    const length = Math.min(COPY_CHUNK_BYTES, range.end + 1 - position);
    if (length <= 0) return null;
    const at = position;
    position += length;
    const chunk = readChunk(fd, at, length);
    // Awaited later (after the current chunk's write); a failure meanwhile is not unhandled.
    chunk.catch(() => {});
    return chunk;
  };
  let next = readNext();
  try {
    while (next && !destination.destroyed) {
      const chunk = await next;
      // Read ahead: the next chunk comes from the disk while this one goes to the socket.
      next = readNext();
      const flushed = destination.write(chunk.bytes, () => recycle(chunk.buffer));
      if (!flushed) await drainOrClose(destination);
    }
  } finally {
    // The destination went away with a read under way: let it finish before the caller closes
    // the file, and keep its buffer.
    if (next)
      await next.then(
        (chunk) => recycle(chunk.buffer),
        () => {},
      );
  }
}

interface Chunk {
  /** The pooled buffer, returned once the destination has flushed `bytes`. */
  buffer: Buffer;
  bytes: Buffer;
}

async function readChunk(fd: number, position: number, length: number): Promise<Chunk> {
  const buffer = spare.pop() ?? Buffer.allocUnsafeSlow(COPY_CHUNK_BYTES);
  let bytesRead: number;
  try {
    ({ bytesRead } = await readInto(fd, buffer, 0, length, position));
  } catch (error) {
    recycle(buffer);
    throw error;
  }
  if (bytesRead !== length) {
    recycle(buffer);
    throw new Error(
      `file ended before the end of the range (${bytesRead} of ${length} bytes at ${position})`,
    );
  }
  return { buffer, bytes: buffer.subarray(0, length) };
}

function recycle(buffer: Buffer): void {
  if (spare.length < MAX_SPARE_CHUNKS) spare.push(buffer);
}

function drainOrClose(destination: Writable): Promise<void> {
  if (destination.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      destination.off('drain', done);
      destination.off('close', done);
      resolve();
    };
    destination.on('drain', done);
    destination.on('close', done);
  });
}
