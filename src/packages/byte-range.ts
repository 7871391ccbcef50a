import type { Readable } from 'node:stream';

/**
 * The bytes start..end (inclusive) of `full`, a stream that can only be read from its start (a
 * generated zip, an inflated entry). Serving a range reads and discards the prefix: cost is
 * reading `start` bytes, no memory beyond one chunk. Stopping at `end` destroys the source, so
 * the tail is never read.
 */
export async function* bytesInRange(full: Readable, start: number, end: number): AsyncGenerator<Buffer> {
  let position = 0;
  for await (const chunk of full as AsyncIterable<Buffer>) {
    const chunkEnd = position + chunk.length;
    if (chunkEnd > start)
      yield chunk.subarray(Math.max(0, start - position), Math.min(chunk.length, end + 1 - position));
    position = chunkEnd;
    if (position > end) return;
  }
}
