import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { BadRequestError, PayloadTooLargeError, RegistryError, UpstreamError } from '../domain/errors.js';
import { classifyFile } from './classify.js';
import { receiveToFile } from './receive.js';
import { unsafePathReason } from './zip-entries.js';

/** One file of a remote repository, opened only when its turn comes. */
export interface PackageEntrySource {
  path: string;
  size: number;
  open(): Promise<Readable>;
}

/**
 * Every entry gets the same timestamp, written as DOS date/time only (no extended UTC field):
 * 2000-01-01 00:00 local encodes to the same bytes in every time zone, so the same repository
 * always packs to the same digest and is stored once. (Not 1980, the DOS epoch: yazl clamps
 * to it as computed in its load-time zone.)
 */
function fixedMtime(): Date {
  // Built on each call: the local time zone may change while the process runs.
  return new Date(2000, 0, 1);
}

/**
 * Packs remote files into a zip at `destPath`, one entry streaming at a time, and returns the
 * SHA-256 and size of the zip. Entries are sorted by path so listing order does not change the
 * digest. Weights are stored (they barely compress, and stored entries stream out of partial
 * downloads without inflating); everything else is deflated. Over `maxBytes` the partial file
 * is removed and PayloadTooLargeError thrown; an entry whose stream does not match its size
 * fails with UpstreamError.
 */
export async function writePackageZip(
  entries: PackageEntrySource[],
  destPath: string,
  maxBytes: number,
): Promise<{ digest: string; size: number }> {
  const ordered = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  checkPaths(ordered);
  const storedBytes = ordered.filter(isStored).reduce((sum, entry) => sum + entry.size, 0);
  if (storedBytes > maxBytes) {
    // Stored entries alone already exceed the limit: fail before downloading anything.
    throw new PayloadTooLargeError(`package exceeds the size limit of ${maxBytes} bytes`);
  }

  const zip = new yazl.ZipFile();
  const output = zip.outputStream as Readable;
  let currentPath = '';
  let currentData: Readable | undefined;
  const fail = (err: Error) =>
    output.destroy(
      err instanceof RegistryError ? err : new UpstreamError(`cannot package ${currentPath}: ${err.message}`),
    );
  zip.on('error', fail);
  const mtime = fixedMtime();
  for (const entry of ordered) {
    const options = {
      mtime,
      forceDosTimestamp: true,
      compress: !isStored(entry),
      size: entry.size,
    };
    zip.addReadStreamLazy(entry.path, options, (done) => {
      currentPath = entry.path;
      entry.open().then((data) => {
        // The write may have failed while this entry was opening.
        if (output.destroyed) {
          data.destroy();
          return;
        }
        currentData = data;
        data.on('error', fail);
        done(null, data);
      }, fail);
    });
  }
  zip.end();
  try {
    return await receiveToFile(output, destPath, maxBytes);
  } finally {
    currentData?.unpipe();
    currentData?.destroy();
  }
}

function isStored(entry: PackageEntrySource): boolean {
  return classifyFile(entry.path) === 'weights';
}

/** Checked before adding anything, because yazl starts reading the first entry as it is added. */
function checkPaths(entries: PackageEntrySource[]): void {
  let previous: string | undefined;
  for (const { path } of entries) {
    const unsafe = unsafePathReason(path) ?? (path.endsWith('/') ? 'a file path ends with /' : null);
    if (unsafe) throw new BadRequestError(`invalid file path in package (${unsafe}): ${path}`);
    if (path === previous) throw new BadRequestError(`duplicate file path in package: ${path}`);
    previous = path;
  }
}
