import type { Config } from '../config.js';
import type { BlobStore } from '../storage/blobs/blob-store.js';
import type { MetadataStore } from '../storage/metadata/metadata-store.js';
import { type ConsistencyReport, checkConsistency } from './consistency-check.js';

/**
 * Collects the blobs a crash left behind (stored before a row that never committed), when a
 * registry on embedded metadata (SQLite under DATA_DIR) starts and before it serves: no other
 * process writes there then, so every blob nothing names is a leftover, whatever its age. With
 * PostgreSQL other instances may be mid-write, so nothing is swept (run `npm run fsck -- --repair`,
 * which spares young blobs). Packages are not hashed here (a start must stay fast); fsck does that.
 */
export async function sweepOrphansAtStart(
  config: Config,
  store: MetadataStore,
  blobs: BlobStore,
): Promise<ConsistencyReport | null> {
  if (config.databaseUrl) return null;
  return checkConsistency(store, blobs, { repair: true, graceMs: 0, verifyDigests: false });
}

/** One log line's fields for a sweep that found something; null when there is nothing to say. */
export function describeSweep(report: ConsistencyReport | null): Record<string, unknown> | null {
  if (!report || (report.collected.length === 0 && report.packageProblems.length === 0)) return null;
  return {
    msg: 'start-up consistency sweep',
    collectedOrphans: report.collected.length,
    collectedBytes: report.collected.reduce((total, orphan) => total + orphan.size, 0),
    packageProblems: report.packageProblems.map(({ digest, problem }) => ({ digest, problem })),
  };
}
