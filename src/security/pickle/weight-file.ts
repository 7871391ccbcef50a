import type { Readable } from 'node:stream';
import type { Entry, ZipFile } from 'yauzl';
import type { WeightFileScan } from '../../domain/artifact.js';
import { openZip, type RangeSource } from '../../packages/range-source.js';
import { isDirectoryEntry } from '../../packages/zip-entries.js';
import { ByteReader, FormatError } from './byte-reader.js';
import { disassemblePickle, type PickleReport } from './disassemble.js';
import { checkSafetensors } from './safetensors-check.js';

/** File extensions whose content is, or may be, a pickle (PyTorch, joblib, plain pickle). */
export const PICKLE_EXTENSIONS = ['bin', 'pt', 'pth', 'pkl', 'pickle', 'ckpt', 'joblib'];

/** Zips inside zips inside ... deeper than this are refused: no real checkpoint nests further. */
export const MAX_CONTAINER_DEPTH = 3;

/** PyTorch's legacy (pre-zip) format starts with a pickle of this number, then four more pickles. */
const TORCH_LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const TORCH_LEGACY_PICKLES = 5;

const ZIP_SIGNATURES = ['504b0304', '504b0506'];

/** Which check a file gets, from its name (the extension, case-insensitive). */
export function weightKind(path: string): 'pickle' | 'safetensors' | null {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (!base.includes('.')) return null;
  const extension = base.slice(base.lastIndexOf('.') + 1).toLowerCase();
  if (extension === 'safetensors') return 'safetensors';
  return PICKLE_EXTENSIONS.includes(extension) ? 'pickle' : null;
}

/** Inflates a compressed zip member to a scratch file and gives random access to it during `work`. */
export type Spool = <T>(stream: Readable, work: (source: RangeSource) => Promise<T>) => Promise<T>;

/** Read access to one file's bytes: as a stream, or randomly (a zip needs its end first). */
export interface FileAccess {
  path: string;
  size: number;
  open(): Promise<Readable>;
  /** Random access for the duration of `work` (a stored zip member is a window of its zip). */
  withRandomAccess<T>(work: (source: RangeSource) => Promise<T>): Promise<T>;
}

/** Accumulates one top-level file's findings across its pickles and container members. */
class Findings {
  readonly globals = new Set<string>();
  readonly findings: string[] = [];

  add(report: PickleReport, where: string): void {
    for (const global of report.globals) {
      const dotted = `${global.module}.${global.name}`;
      this.globals.add(dotted);
      if (!global.allowed) this.findings.push(`${where}global ${dotted} is not allowed`);
    }
    for (const refusal of report.refusals) this.findings.push(`${where}${refusal}`);
  }

  refuse(where: string, reason: string): void {
    this.findings.push(`${where}${reason}`);
  }
}

/**
 * Scans one pickle-based weights file without executing anything: a PyTorch zip checkpoint
 * (every pickle member, and zips nested in it), PyTorch's legacy format (its five pickles;
 * the raw tensor bytes after them are never unpickled) or a plain pickle stream (every pickle
 * in it, back to back to the end). A file that is none of these is refused.
 */
export async function scanPickleFile(file: FileAccess, spool: Spool): Promise<WeightFileScan> {
  const found = new Findings();
  const format = await scanPickleOrContainer(file, found, '', 0, spool);
  return result(file.path, format, found);
}

export async function scanSafetensorsFile(file: FileAccess): Promise<WeightFileScan> {
  const found = new Findings();
  const reader = ByteReader.of(await file.open());
  try {
    await checkSafetensors(reader, file.size);
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    found.refuse('', err.message);
  } finally {
    await reader.close();
  }
  return result(file.path, 'safetensors', found);
}

function result(path: string, format: WeightFileScan['format'], found: Findings): WeightFileScan {
  return {
    path,
    format,
    verdict: found.findings.length === 0 ? 'clean' : 'refused',
    globals: [...found.globals].sort(),
    findings: found.findings,
  };
}

async function scanPickleOrContainer(
  file: FileAccess,
  found: Findings,
  where: string,
  depth: number,
  spool: Spool,
): Promise<WeightFileScan['format']> {
  const reader = ByteReader.of(await file.open());
  let isZip = false;
  try {
    isZip = ZIP_SIGNATURES.includes((await reader.peek(4)).toString('hex'));
    if (!isZip) return await scanPickleStream(reader, found, where);
  } finally {
    await reader.close();
  }
  if (depth >= MAX_CONTAINER_DEPTH) {
    found.refuse(where, `zip containers nested deeper than ${MAX_CONTAINER_DEPTH}`);
  } else {
    await file.withRandomAccess((source) => scanContainer(source, found, where, depth + 1, spool));
  }
  return 'torch-zip';
}

async function scanPickleStream(
  reader: ByteReader,
  found: Findings,
  where: string,
): Promise<WeightFileScan['format']> {
  let format: WeightFileScan['format'] = 'pickle';
  try {
    if (await reader.atEnd()) throw new FormatError('empty file');
    for (let index = 0; !(await reader.atEnd()); index += 1) {
      const report = await disassemblePickle(reader);
      found.add(report, where);
      if (index === 0 && report.integerResult === TORCH_LEGACY_MAGIC) format = 'torch-legacy';
      // After its pickles the legacy format holds raw tensor bytes, which torch.load reads as data.
      if (format === 'torch-legacy' && index === TORCH_LEGACY_PICKLES - 1) break;
    }
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    found.refuse(where, `not a readable pickle: ${err.message}`);
  }
  return format;
}

/** Every member of a zip container that is a pickle, or a container itself, is scanned. */
async function scanContainer(
  source: RangeSource,
  found: Findings,
  where: string,
  depth: number,
  spool: Spool,
): Promise<void> {
  let zip: ZipFile;
  try {
    zip = await openZip(source);
  } catch (err) {
    found.refuse(where, `not a readable zip: ${(err as Error).message}`);
    return;
  }
  try {
    for await (const entry of zip.eachEntry()) {
      if (isDirectoryEntry(entry) || !isContainerMember(entry.fileName)) continue;
      const member = zipMemberAccess(zip, source, entry, spool);
      await scanPickleOrContainer(member, found, `${where}${entry.fileName}: `, depth, spool);
    }
  } catch (err) {
    found.refuse(where, `not a readable zip: ${(err as Error).message}`);
  } finally {
    zip.close();
  }
}

/** Members torch.load or a nested loader would unpickle: *.pkl (data.pkl, constants.pkl) and nested weight files. */
function isContainerMember(name: string): boolean {
  return weightKind(name) === 'pickle' || name.toLowerCase().endsWith('.zip');
}

/**
 * A zip member's bytes. A stored member (as torch.save and the registry's own packages write
 * weights) is a window of its zip, so random access costs nothing; a compressed one is
 * streamed, or for random access inflated to a scratch file by the caller's spooler.
 */
export function zipMemberAccess(zip: ZipFile, source: RangeSource, entry: Entry, spool: Spool): FileAccess {
  return {
    path: entry.fileName,
    size: entry.uncompressedSize,
    open: () => zip.openReadStreamPromise(entry),
    async withRandomAccess<T>(work: (source: RangeSource) => Promise<T>): Promise<T> {
      if (entry.compressionMethod === 0) {
        const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
        return work(windowOf(source, fileDataStart, entry.compressedSize));
      }
      return spool(await zip.openReadStreamPromise(entry), work);
    },
  };
}

function windowOf(source: RangeSource, start: number, size: number): RangeSource {
  return {
    size,
    read: async (from, toInclusive) => {
      if (from < 0 || toInclusive >= size || toInclusive < from) {
        throw new RangeError(`range ${from}-${toInclusive} outside a ${size}-byte zip member`);
      }
      return source.read(start + from, start + toInclusive);
    },
  };
}
