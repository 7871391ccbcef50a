import { Readable } from 'node:stream';
import { bufferRangeSource } from '../../../../src/packages/range-source.js';
import type { FileAccess, Spool } from '../../../../src/security/pickle/weight-file.js';

/** A file's bytes served in chunks of `chunkSize`, so every read crosses chunk boundaries. */
export function bufferAccess(path: string, bytes: Buffer, chunkSize = 7): FileAccess {
  return {
    path,
    size: bytes.length,
    open: async () => Readable.from(chunks(bytes, chunkSize)),
    withRandomAccess: (work) => work(bufferRangeSource(bytes)),
  };
}

function* chunks(bytes: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

/** Inflated members held in memory: enough for test-sized nested zips. */
export const memorySpool: Spool = async (stream, work) => {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return work(bufferRangeSource(Buffer.concat(parts)));
};
