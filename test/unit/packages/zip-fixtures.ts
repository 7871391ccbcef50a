import type { Readable } from 'node:stream';
import { crc32, deflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import yazl from 'yazl';

export async function collect(stream: Readable | NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export interface FixtureEntry {
  path: string;
  /** Omitted for a directory entry. */
  data?: Buffer | string;
  options?: Partial<yazl.Options>;
}

/** A well-formed zip written by yazl. */
export function makeZip(entries: FixtureEntry[], endOptions?: yazl.EndOptions): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const { path, data, options } of entries) {
    if (data === undefined) zip.addEmptyDirectory(path, { mtime: options?.mtime });
    else zip.addBuffer(Buffer.from(data), path, { mtime: new Date(2024, 0, 2, 3, 4, 6), ...options });
  }
  zip.end(endOptions);
  return collect(zip.outputStream);
}

export interface ReadEntry {
  entry: yauzl.Entry;
  data: Buffer;
}

/** Every entry of a zip with its (inflated) content, read by yauzl independently of our code. */
export async function readZip(buf: Buffer): Promise<ReadEntry[]> {
  const zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true });
  const result: ReadEntry[] = [];
  for await (const entry of zip.eachEntry()) {
    const data = entry.fileName.endsWith('/')
      ? Buffer.alloc(0)
      : await collect(await zip.openReadStreamPromise(entry));
    result.push({ entry, data });
  }
  return result;
}

/** Replaces every occurrence of `from` by `to` (same length), e.g. to plant a name yazl refuses. */
export function patchAll(buf: Buffer, from: string, to: string | Buffer): Buffer {
  const needle = Buffer.from(from);
  const replacement = Buffer.from(to);
  if (needle.length !== replacement.length) throw new Error('patch must keep the length');
  const out = Buffer.from(buf);
  let found = 0;
  for (let at = out.indexOf(needle); at !== -1; at = out.indexOf(needle, at + 1)) {
    replacement.copy(out, at);
    found += 1;
  }
  if (found === 0) throw new Error(`${from} not found`);
  return out;
}

export interface HandEntry {
  name: string | Buffer;
  /** Bytes exactly as stored in the archive. */
  stored: Buffer;
  method?: number;
  flags?: number;
  /** Unix mode goes in the high 16 bits. */
  externalAttributes?: number;
  /** Defaults to stored.length (correct for method 0). */
  uncompressedSize?: number;
  /** Point the central directory record at an earlier entry's local header instead of its own. */
  sharesLocalHeaderOf?: number;
}

/** A zip assembled byte by byte, for the malformed and hostile shapes no zip writer produces. */
export function handmadeZip(entries: HandEntry[]): Buffer {
  const locals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  entries.forEach((e, index) => {
    if (e.sharesLocalHeaderOf === undefined) {
      offsets[index] = offset;
      const local = Buffer.concat([localHeader(e), e.stored]);
      locals.push(local);
      offset += local.length;
    } else {
      offsets[index] = offsets[e.sharesLocalHeaderOf] ?? 0;
    }
  });
  return withCentralDirectory(Buffer.concat(locals), entries, offsets);
}

/**
 * The "better zip bomb" (Fifield, 2019): every entry's local header sits at its own offset, but
 * its stored data runs on over all the following headers to one shared kernel at the end, so
 * `count` entries each expand to at least the kernel from a file barely bigger than it.
 */
export function overlappingZip(count: number, kernel: Buffer): Buffer {
  const entries: HandEntry[] = [];
  const suffixLengths: number[] = [];
  let tail = kernel;
  for (let i = count - 1; i >= 0; i--) {
    const entry = { name: `part${String(i).padStart(4, '0')}.bin`, stored: tail };
    tail = Buffer.concat([localHeader(entry), tail]);
    entries.unshift(entry);
    suffixLengths.unshift(tail.length);
  }
  // Each entry's header starts where its suffix of the body does.
  return withCentralDirectory(
    tail,
    entries,
    suffixLengths.map((length) => tail.length - length),
  );
}

/** The 30-byte local file header of `e`, followed by its name. */
function localHeader(e: HandEntry): Buffer {
  const name = Buffer.from(e.name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(e.flags ?? 0x800, 6);
  local.writeUInt16LE(e.method ?? 0, 8);
  local.writeUInt16LE(0, 10);
  local.writeUInt16LE(0x5821, 12);
  local.writeUInt32LE(crc32(e.stored), 14);
  local.writeUInt32LE(e.stored.length, 18);
  local.writeUInt32LE(e.uncompressedSize ?? e.stored.length, 22);
  local.writeUInt16LE(name.length, 26);
  local.writeUInt16LE(0, 28);
  return Buffer.concat([local, name]);
}

/** `body` (the local headers and data) followed by a central directory listing `entries` at `offsets`. */
function withCentralDirectory(body: Buffer, entries: HandEntry[], offsets: number[]): Buffer {
  const centrals = entries.map((e, index) => {
    const name = Buffer.from(e.name);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.flags ?? 0x800, 8);
    central.writeUInt16LE(e.method ?? 0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x5821, 14);
    central.writeUInt32LE(crc32(e.stored), 16);
    central.writeUInt32LE(e.stored.length, 20);
    central.writeUInt32LE(e.uncompressedSize ?? e.stored.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((e.externalAttributes ?? 0o100644 * 0x10000) >>> 0, 38);
    central.writeUInt32LE(offsets[index] ?? 0, 42);
    return Buffer.concat([central, name]);
  });
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(body.length, 16);
  return Buffer.concat([body, directory, end]);
}

export function deflated(text: string | Buffer): Buffer {
  return deflateRawSync(Buffer.from(text));
}
