import type { Entry, ZipFile } from 'yauzl';
import type { PackageFacts, PackageFile } from '../domain/artifact.js';
import { BadRequestError, PayloadTooLargeError, RegistryError } from '../domain/errors.js';
import { classifyFile } from './classify.js';
import { openZip, type RangeSource } from './range-source.js';
import { isDirectoryEntry, packageRoot, unsafePathReason } from './zip-entries.js';

export interface ZipLimits {
  maxEntries: number;
  maxUncompressedBytes: number;
  maxCompressionRatio: number;
}

/**
 * Entries smaller than this are exempt from the per-entry ratio check: a small file of
 * repeated bytes (padding, an empty-ish JSON) legitimately compresses past any sane ratio,
 * and expanding it costs at most 1 MiB. Many such entries are still caught by the
 * archive-wide ratio and the total-size limit.
 */
const RATIO_EXEMPT_BYTES = 1024 * 1024;

/**
 * A Hugging Face config.json is a few kilobytes. One over 1 MiB is not a model config we
 * could use, and facts are stored in the metadata database, so it is treated as absent.
 */
const CONFIG_MAX_BYTES = 1024 * 1024;

/** UTF-8 needs at most 4 bytes per character, so this many bytes always hold enough text. */
const UTF8_MAX_BYTES_PER_CHAR = 4;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Validates a package zip without extracting it and returns the facts stored with the
 * artifact. Only the central directory is read, plus the README and config.json data.
 */
export async function inspectPackage(
  source: RangeSource,
  limits: ZipLimits,
  readmeMaxChars: number,
): Promise<PackageFacts> {
  const zip = await openZip(source).catch((err: Error) => {
    throw new BadRequestError(`package is not a readable zip archive: ${err.message}`);
  });
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new PayloadTooLargeError(
        `package has ${zip.entryCount} zip entries; the limit is ${limits.maxEntries}`,
      );
    }
    const entries = await listFileEntries(zip, limits);
    const totalUncompressed = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
    if (
      totalUncompressed >= RATIO_EXEMPT_BYTES &&
      totalUncompressed / source.size > limits.maxCompressionRatio
    ) {
      throw new BadRequestError(
        `suspected zip bomb: the archive expands ${ratioText(totalUncompressed, source.size)}; the limit is ${limits.maxCompressionRatio}:1`,
      );
    }
    const root = packageRoot(entries.map((entry) => entry.fileName));
    const readmeEntry = findReadme(entries, root);
    const configEntry = entries.find((entry) => entry.fileName === `${root}config.json`);
    return {
      files: entries.map(describe),
      readme: readmeEntry ? await readText(zip, readmeEntry, readmeMaxChars) : null,
      configJson:
        configEntry && configEntry.uncompressedSize <= CONFIG_MAX_BYTES
          ? await readText(zip, configEntry, CONFIG_MAX_BYTES)
          : null,
    };
  } finally {
    zip.close();
  }
}

/** Every file entry (directories skipped), each checked against the safety rules. */
async function listFileEntries(zip: ZipFile, limits: ZipLimits): Promise<Entry[]> {
  const entries: Entry[] = [];
  const seenPaths = new Set<string>();
  const fileNames = new FoldedNames();
  let totalUncompressed = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      checkEntry(entry, limits);
      if (seenPaths.has(entry.fileName)) {
        throw new BadRequestError(`duplicate path in package: ${entry.fileName}`);
      }
      seenPaths.add(entry.fileName);
      if (!isDirectoryEntry(entry)) fileNames.add(entry.fileName);
      totalUncompressed += entry.uncompressedSize;
      if (totalUncompressed > limits.maxUncompressedBytes) {
        throw new PayloadTooLargeError(
          `package expands to more than ${limits.maxUncompressedBytes} bytes (the uncompressed size limit)`,
        );
      }
      entries.push(entry);
    }
    await checkNoOverlap(zip, entries);
  } catch (err) {
    throw asPackageError(err);
  }
  const files = entries.filter((entry) => !isDirectoryEntry(entry));
  if (files.length === 0) throw new BadRequestError('package zip contains no files');
  return files;
}

/**
 * Names that one case-insensitive, Unicode-normalising file system (macOS, Windows) would store
 * as one file: extracting both would silently keep only one of them.
 */
class FoldedNames {
  private readonly byKey = new Map<string, string>();

  add(name: string): void {
    const key = name.normalize('NFC').toUpperCase().toLowerCase();
    const earlier = this.byKey.get(key);
    if (earlier !== undefined) {
      throw new BadRequestError(
        `file names collide on case-insensitive or Unicode-normalising file systems: ${JSON.stringify(earlier)} and ${JSON.stringify(name)}`,
      );
    }
    this.byKey.set(key, name);
  }
}

/**
 * Each entry (local header and data) must occupy its own bytes. Entries that share or overlap
 * their data (the "better zip bomb") declare many times the archive's real content while every
 * single entry looks innocent. The local headers are read in file order, so the reader's
 * read-ahead window serves neighbouring headers together.
 */
async function checkNoOverlap(zip: ZipFile, entries: Entry[]): Promise<void> {
  const inFileOrder = [...entries].sort(
    (a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader,
  );
  let previous: { entry: Entry; end: number } | undefined;
  for (const entry of inFileOrder) {
    if (previous && entry.relativeOffsetOfLocalHeader < previous.end) {
      throw new BadRequestError(
        `suspected zip bomb: the data of ${previous.entry.fileName} overlaps ${entry.fileName}`,
      );
    }
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
    previous = { entry, end: fileDataStart + entry.compressedSize };
  }
}

function checkEntry(entry: Entry, limits: ZipLimits): void {
  const name = entry.fileName;
  const unsafe = unsafePathReason(name);
  if (unsafe) throw new BadRequestError(`unsafe entry name: ${unsafe}`);
  // The Unix mode sits in the high 16 bits. Checked whatever the "made by" host says:
  // an extractor that honours the bits would create the link anyway.
  if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
    throw new BadRequestError(`symbolic links are not accepted in packages: ${name}`);
  }
  if (entry.isEncrypted()) throw new BadRequestError(`encrypted entries are not accepted: ${name}`);
  if (!entry.canDecodeFileData()) {
    throw new BadRequestError(
      `unsupported compression method ${entry.compressionMethod} for ${name} (only stored and deflate)`,
    );
  }
  if (
    entry.uncompressedSize >= RATIO_EXEMPT_BYTES &&
    entry.uncompressedSize / Math.max(entry.compressedSize, 1) > limits.maxCompressionRatio
  ) {
    throw new BadRequestError(
      `suspected zip bomb: ${name} expands ${ratioText(entry.uncompressedSize, entry.compressedSize)}; the limit is ${limits.maxCompressionRatio}:1`,
    );
  }
}

/** yauzl's own structural and name checks fail as plain Errors; turn them into 400s. */
function asPackageError(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof RegistryError) return err;
  if (/^(absolute path|invalid relative path|invalid characters in fileName)/.test(err.message)) {
    return new BadRequestError(`unsafe entry name (path traversal): ${err.message}`);
  }
  if (/encryption/.test(err.message))
    return new BadRequestError(`encrypted entries are not accepted: ${err.message}`);
  return new BadRequestError(`package zip is corrupt: ${err.message}`);
}

function ratioText(uncompressed: number, compressed: number): string {
  return `${Math.round(uncompressed / Math.max(compressed, 1))}:1`;
}

function describe(entry: Entry): PackageFile {
  return {
    path: entry.fileName,
    size: entry.uncompressedSize,
    compressedSize: entry.compressedSize,
    aspect: classifyFile(entry.fileName),
  };
}

/** README.md at the package root (any case), else the first other root README.* by name. */
function findReadme(entries: Entry[], root: string): Entry | undefined {
  const atRoot = entries
    .filter((entry) => entry.fileName.startsWith(root) && !entry.fileName.slice(root.length).includes('/'))
    .map((entry) => ({ entry, name: entry.fileName.slice(root.length).toLowerCase() }));
  const preferred = atRoot.find(({ name }) => name === 'readme.md');
  const others = atRoot
    .filter(({ name }) => /^readme(\..+)?$/.test(name))
    .sort((a, b) => cmp(a.name, b.name));
  return (preferred ?? others[0])?.entry;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The entry's text, at most `maxChars` characters. Reads only the bytes needed and stops
 * early; yauzl enforces the declared size, so a lying header cannot make this read more.
 */
async function readText(zip: ZipFile, entry: Entry, maxChars: number): Promise<string> {
  const maxBytes = maxChars * UTF8_MAX_BYTES_PER_CHAR;
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    if (maxBytes > 0) {
      const stream = await zip.openReadStreamPromise(entry);
      for await (const chunk of stream) {
        chunks.push(chunk as Buffer);
        length += (chunk as Buffer).length;
        if (length >= maxBytes) break;
      }
    }
  } catch (err) {
    throw new BadRequestError(`cannot read ${entry.fileName}: ${(err as Error).message}`);
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes)).slice(0, maxChars);
  // Do not end on half a surrogate pair.
  return /[\uD800-\uDBFF]$/.test(text) ? text.slice(0, -1) : text;
}
