import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { CliError, EXIT } from './exit-codes.js';

/** What `upload PATH` sends: a zip stream, its size when known in advance, and a default name. */
export interface PackageStream {
  stream: Readable;
  /** The zip's size for a zip file; for a folder, the size of its files (the zip is a little larger). */
  approximateSize: number;
  exact: boolean;
  defaultName: string;
}

/**
 * A zip file is sent as it is; a folder is zipped on the fly (deflated, files read one at a time
 * as the upload consumes them), so nothing the size of the package is written or held.
 */
export async function packageStream(path: string): Promise<PackageStream> {
  const info = await stat(path).catch(() => {
    throw new CliError(`${path} does not exist`, EXIT.usage);
  });
  if (info.isFile()) {
    return {
      stream: createReadStream(path),
      approximateSize: info.size,
      exact: true,
      defaultName: basename(path).replace(/\.zip$/i, ''),
    };
  }
  if (!info.isDirectory()) throw new CliError(`${path} is neither a zip file nor a folder`, EXIT.usage);
  const files = await filesUnder(path);
  if (files.length === 0) throw new CliError(`${path} has no files to upload`, EXIT.usage);
  const zip = new yazl.ZipFile();
  let total = 0;
  for (const file of files) {
    zip.addFile(file.absolute, file.relative);
    total += file.size;
  }
  zip.end();
  return {
    stream: zip.outputStream as Readable,
    approximateSize: total,
    exact: false,
    defaultName: basename(path),
  };
}

/** Regular files beneath `root` in path order; symbolic links are not followed (a package is its own files). */
async function filesUnder(root: string): Promise<{ absolute: string; relative: string; size: number }[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    // `parentPath` since Node 20.12; `path` before it.
    const absolute = join(entry.parentPath ?? (entry as { path: string }).path, entry.name);
    files.push({
      absolute,
      relative: relative(root, absolute).split(sep).join('/'),
      size: (await stat(absolute)).size,
    });
  }
  return files.sort((a, b) => (a.relative < b.relative ? -1 : 1));
}
