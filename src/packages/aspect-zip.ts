import type { Readable } from 'node:stream';
import type { Entry, ZipFile as ZipReader } from 'yauzl';
import yazl from 'yazl';
import type { Aspect } from '../domain/artifact.js';
import { NotFoundError } from '../domain/errors.js';
import { classifyFile } from './classify.js';
import { openZip, type RangeSource } from './range-source.js';
import { isDirectoryEntry } from './zip-entries.js';

/**
 * One aspect of a stored package as a zip of its own, which the registry builds once and stores
 * (src/services/aspect-packages.ts). Its bytes are deterministic (same order, names, mtimes,
 * modes and contents on every call), so instances building it independently agree. Timestamps: each entry keeps the stored entry's DOS date/time fields exactly (yazl writes
 * DOS time from a local Date, and yauzl reads it back the same way), and no extended UTC
 * timestamp is added, so instances in different time zones produce the same bytes and a
 * download resumed on another instance still fits together. (Only a stored time that falls in
 * a daylight-saving gap of the server's zone could shift; instances running in UTC rule it out.)
 */
export interface AspectZip {
  fileCount: number;
  /** The whole zip; destroying it early closes every source stream. */
  stream(): Readable;
}

type OpenData = (entry: Entry, done: (err: Error | null, data: Readable) => void) => void;

const DEFAULT_FILE_MODE = 0o644;
const REGULAR_FILE = 0o100000;

export async function buildAspectZip(source: RangeSource, aspect: Aspect): Promise<AspectZip> {
  const reader = await openZip(source);
  const entries: Entry[] = [];
  for await (const entry of reader.eachEntry()) {
    if (!isDirectoryEntry(entry) && classifyFile(entry.fileName) === aspect) entries.push(entry);
  }
  if (entries.length === 0) {
    reader.close();
    throw new NotFoundError(`package has no ${aspect} files`);
  }
  // The reader stays open for later stream() calls; it holds no resources (see openZip).
  return { fileCount: entries.length, stream: () => generate(reader, entries) };
}

/**
 * Lays the entries out in a yazl zip. Everything is stored (no compression) with its size
 * declared, so the layout is fixed before any data is read (yazl checks each entry's data
 * against its size, and switches an entry or the archive to ZIP64 when sizes or offsets need it).
 */
function layOut(entries: Entry[], openData: OpenData): yazl.ZipFile {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    const permissions = (entry.externalFileAttributes >>> 16) & 0o777;
    const options = {
      mtime: entry.getLastModDate({ forceDosFormat: true }),
      forceDosTimestamp: true,
      mode: REGULAR_FILE | (permissions || DEFAULT_FILE_MODE),
      compress: false,
      size: entry.uncompressedSize,
    };
    zip.addReadStreamLazy(entry.fileName, options, (done) => openData(entry, done));
  }
  zip.end();
  return zip;
}

/** Streams the full zip, copying each entry's data out of the stored package. */
function generate(reader: ZipReader, entries: Entry[]): Readable {
  let current: Readable | undefined;
  const zip = layOut(entries, (entry, done) => {
    reader.openReadStream(entry, (err, data) => {
      if (!err) {
        current = data;
        data.on('error', (readErr) => output.destroy(readErr));
      }
      done(err, data);
    });
  });
  const output = zip.outputStream as Readable;
  zip.on('error', (err: Error) => output.destroy(err));
  // A consumer that stops early (build stopped, client gone) must not leave a source stream open.
  output.once('close', () => {
    current?.unpipe();
    current?.destroy();
  });
  return output;
}
