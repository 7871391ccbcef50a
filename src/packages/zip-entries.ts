import yauzl, { type Entry } from 'yauzl';

/** Zip directories are entries whose name ends in a slash; they carry no data. */
export function isDirectoryEntry(entry: Entry): boolean {
  return entry.fileName.endsWith('/');
}

/**
 * The folder that holds the repository inside the zip: `repo/` when every file sits under one
 * top-level folder (a zipped directory), else '' (files at the top). macOS's `__MACOSX/`
 * resource-fork folder is ignored, since Finder adds it beside the zipped folder.
 */
export function packageRoot(filePaths: string[]): string {
  const paths = filePaths.filter((path) => !path.startsWith('__MACOSX/'));
  const first = paths[0];
  const slash = first?.indexOf('/') ?? -1;
  if (first === undefined || slash === -1) return '';
  const root = first.slice(0, slash + 1);
  return paths.every((path) => path.startsWith(root)) ? root : '';
}

/**
 * Why `path` is unsafe as a file name inside a package, or null when it is fine. yauzl's rules
 * (absolute paths, drive letters, `..` segments, backslashes) plus the ones it leaves out.
 */
export function unsafePathReason(path: string): string | null {
  if (path === '') return 'empty file name';
  if (path.includes('\0')) return `NUL character in ${JSON.stringify(path)}`;
  if (Buffer.byteLength(path) > MAX_NAME_BYTES) return `file name longer than ${MAX_NAME_BYTES} bytes`;
  return yauzl.validateFileName(path);
}

/** The zip format stores name lengths in 16 bits. */
const MAX_NAME_BYTES = 0xffff;
