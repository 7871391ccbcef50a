import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { WeightFileScan, WeightsScan } from '../../domain/artifact.js';
import { fileRangeSource, openZip, type RangeSource } from '../../packages/range-source.js';
import { isDirectoryEntry } from '../../packages/zip-entries.js';
import {
  type Spool,
  scanPickleFile,
  scanSafetensorsFile,
  weightKind,
  zipMemberAccess,
} from './weight-file.js';

/** Names the policy stored with each scan; docs/security.md describes it. */
export const WEIGHTS_SCAN_POLICY = 'pickle-allowlist/1';

/** Scratch files for inflating compressed nested zips (the registry's TempFiles). */
export interface ScratchFiles {
  with<T>(suffix: string, work: (path: string) => Promise<T>): Promise<T>;
}

/**
 * Scans every weights file of a package zip that has already passed the zip checks: pickle-based
 * files (by extension) are disassembled against the allowlist, safetensors headers are checked.
 * Files are read as streams one at a time, so memory does not grow with their size.
 */
export async function scanPackageWeights(source: RangeSource, scratch: ScratchFiles): Promise<WeightsScan> {
  const spool: Spool = (stream, work) =>
    scratch.with('.zip', async (path) => {
      await pipeline(stream as Readable, createWriteStream(path));
      return work(await fileRangeSource(path));
    });
  const zip = await openZip(source);
  const files: WeightFileScan[] = [];
  try {
    for await (const entry of zip.eachEntry()) {
      if (isDirectoryEntry(entry)) continue;
      const kind = weightKind(entry.fileName);
      if (kind === null) continue;
      const access = zipMemberAccess(zip, source, entry, spool);
      files.push(kind === 'pickle' ? await scanPickleFile(access, spool) : await scanSafetensorsFile(access));
    }
  } finally {
    zip.close();
  }
  return {
    policy: WEIGHTS_SCAN_POLICY,
    verdict: files.every((file) => file.verdict === 'clean') ? 'clean' : 'refused',
    filesScanned: files.length,
    files,
  };
}

/** One line per refused file: its name and what refused it (the first few findings). */
export function describeRefusal(scan: WeightsScan): string {
  return scan.files
    .filter((file) => file.verdict === 'refused')
    .map((file) => {
      const shown = file.findings.slice(0, 5).join('; ');
      const more = file.findings.length > 5 ? ` (and ${file.findings.length - 5} more)` : '';
      return `${file.path}: ${shown}${more}`;
    })
    .join(' | ');
}
