import { Readable } from 'node:stream';
import type { Entry, ZipFile } from 'yauzl';
import { NotFoundError, RangeNotSatisfiableError } from '../domain/errors.js';
import { bytesInRange } from './byte-range.js';
import { openZip, type RangeSource } from './range-source.js';

/** One file inside a stored package, readable whole or by byte range without extracting the zip. */
export interface ZipEntryFile {
  size: number;
  /** The file's bytes, or the inclusive range of them. */
  stream(range?: { start: number; end: number }): Promise<Readable>;
}

/**
 * Random access to one entry: the central directory is read (through the source's read-ahead
 * window, a few ranged reads even in an object store) and only the entry's data is streamed.
 * Stored entries (weights usually are) serve a range by reading just those bytes; deflated ones
 * inflate from their start and skip to the range.
 */
export async function openZipEntry(source: RangeSource, fileName: string): Promise<ZipEntryFile> {
  const reader = await openZip(source);
  const entry = await findEntry(reader, fileName);
  if (!entry) {
    reader.close();
    throw new NotFoundError(`The package has no file ${fileName}.`);
  }
  const size = entry.uncompressedSize;
  return {
    size,
    stream: async (range) => {
      const { start, end } = range ?? { start: 0, end: size - 1 };
      if (size === 0 && range === undefined) return Readable.from([]);
      if (start < 0 || end < start || end >= size) throw new RangeNotSatisfiableError(size);
      if (!entry.isCompressed()) return reader.openReadStreamPromise(entry, { start, end: end + 1 });
      const whole = await reader.openReadStreamPromise(entry);
      return Readable.from(bytesInRange(whole, start, end), { objectMode: false });
    },
  };
}

async function findEntry(reader: ZipFile, fileName: string): Promise<Entry | null> {
  for await (const entry of reader.eachEntry()) {
    if (entry.fileName === fileName) return entry;
  }
  return null;
}
