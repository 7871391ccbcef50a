import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import yauzl from 'yauzl';
import { BlobNotFoundError, type BlobStore } from '../storage/blobs/blob-store.js';

/**
 * Random-access bytes: a local file, a buffer or a stored blob. Zip reading needs the end of
 * the file first (central directory), so every package reader works on one of these rather
 * than on a stream. Implementations hold no handle between reads: each read opens its own
 * stream, so a source never needs closing.
 */
export interface RangeSource {
  size: number;
  /** The bytes `start..endInclusive`, like HTTP `Range: bytes=start-end`. */
  read(start: number, endInclusive: number): Promise<Readable>;
}

export async function fileRangeSource(path: string): Promise<RangeSource> {
  const { size } = await stat(path);
  return {
    size,
    read: async (start, endInclusive) => createReadStream(path, { start, end: endInclusive }),
  };
}

export function bufferRangeSource(buf: Buffer): RangeSource {
  return {
    size: buf.length,
    read: async (start, endInclusive) => {
      if (start < 0 || endInclusive < start || endInclusive >= buf.length) {
        throw new RangeError(`range ${start}-${endInclusive} outside a ${buf.length}-byte buffer`);
      }
      return new PassThrough().end(buf.subarray(start, endInclusive + 1));
    },
  };
}

/** The blob stored under `digest`; throws BlobNotFoundError when it is absent. */
export async function blobRangeSource(store: BlobStore, digest: string): Promise<RangeSource> {
  const found = await store.stat(digest);
  if (!found) throw new BlobNotFoundError(digest);
  return { size: found.size, read: (start, end) => store.read(digest, { start, end }) };
}

/**
 * Small metadata reads (central directory records, local headers: two reads per entry) are
 * served from one read-ahead window, so listing a 20,000-entry zip in an object store costs a
 * handful of requests instead of 40,000. Entry data goes through `_readStreamForRange` unbuffered.
 */
const READ_AHEAD_BYTES = 256 * 1024;

class RangeSourceReader extends yauzl.RandomAccessReader {
  private window: { start: number; bytes: Buffer } | null = null;

  constructor(private readonly source: RangeSource) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    // yauzl wants a stream synchronously; the source hands one over asynchronously.
    const out = new PassThrough();
    let inner: Readable | undefined;
    out.once('close', () => inner?.destroy());
    this.source.read(start, end - 1).then(
      (stream) => {
        inner = stream;
        if (out.destroyed) {
          stream.destroy();
          return;
        }
        stream.once('error', (err) => out.destroy(err));
        stream.pipe(out);
      },
      (err: Error) => out.destroy(err),
    );
    return out;
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null) => void,
  ): void {
    this.windowCovering(position, length).then(
      (window) => {
        window.bytes.copy(buffer, offset, position - window.start, position - window.start + length);
        callback(null);
      },
      (err: Error) => callback(err),
    );
  }

  private async windowCovering(position: number, length: number) {
    const cached = this.window;
    if (cached && position >= cached.start && position + length <= cached.start + cached.bytes.length) {
      return cached;
    }
    const end = Math.min(this.source.size, position + Math.max(length, READ_AHEAD_BYTES));
    const chunks: Buffer[] = [];
    for await (const chunk of this._readStreamForRange(position, end)) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    if (bytes.length < length) throw new Error('unexpected end of data');
    this.window = { start: position, bytes };
    return this.window;
  }
}

/**
 * Opens the zip for entry-by-entry reading (`lazyEntries`, iterate with `eachEntry()`).
 * Names are decoded and checked by yauzl (no absolute paths, `..` segments or backslashes);
 * declared entry sizes are enforced while reading. The caller may keep the ZipFile as long as
 * it likes: it holds no resources because the source holds none.
 */
export function openZip(source: RangeSource): Promise<yauzl.ZipFile> {
  return yauzl.fromRandomAccessReaderPromise(new RangeSourceReader(source), source.size, {
    lazyEntries: true,
    autoClose: false,
    decodeStrings: true,
    validateEntrySizes: true,
    strictFileNames: true,
  });
}
