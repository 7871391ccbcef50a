import type { Entry } from 'yauzl';
import { BadRequestError, PayloadTooLargeError } from '../domain/errors.js';
import { fileRangeSource, openZip } from './range-source.js';
import { type PackageEntrySource, writePackageZip } from './write-package.js';
import { isDirectoryEntry } from './zip-entries.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Repacks a repository archive as downloaded (GitHub's zipball: every path under one
 * `owner-repo-sha/` folder) into a package zip at `destPath`: the top folder stripped, entries
 * streamed one at a time in the registry's deterministic layout (the same repository always
 * packs to the same digest, whichever way it was fetched). Directories and symbolic links are
 * left out, as the git tree listing leaves them out (a link points outside the package). The
 * declared sizes are bounded before anything is inflated, and enforced while inflating; the
 * result is then inspected like any upload.
 */
export async function repackArchive(
  archivePath: string,
  destPath: string,
  maxBytes: number,
): Promise<{ digest: string; size: number }> {
  const zip = await openZip(await fileRangeSource(archivePath)).catch((error: Error) => {
    throw new BadRequestError(`the repository archive is not a readable zip: ${error.message}`);
  });
  try {
    const files: Entry[] = [];
    let declared = 0;
    for await (const entry of zip.eachEntry()) {
      if (isDirectoryEntry(entry) || isSymlink(entry)) continue;
      declared += entry.uncompressedSize;
      if (declared > maxBytes) {
        throw new PayloadTooLargeError(`the repository expands to more than ${maxBytes} bytes`);
      }
      files.push(entry);
    }
    const top = topFolder(files);
    const entries: PackageEntrySource[] = files.map((entry) => ({
      path: entry.fileName.slice(top.length),
      size: entry.uncompressedSize,
      open: () => zip.openReadStreamPromise(entry),
    }));
    return await writePackageZip(entries, destPath, maxBytes);
  } finally {
    zip.close();
  }
}

function isSymlink(entry: Entry): boolean {
  return ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK;
}

/** The one folder every path sits under; an archive without one is not a repository archive. */
function topFolder(entries: Entry[]): string {
  const first = entries[0]?.fileName ?? '';
  const slash = first.indexOf('/');
  const top = slash === -1 ? '' : first.slice(0, slash + 1);
  if (top === '' || !entries.every((entry) => entry.fileName.startsWith(top))) {
    throw new BadRequestError('the repository archive does not hold its files under one top folder');
  }
  return top;
}
