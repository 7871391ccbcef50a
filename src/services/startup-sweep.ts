import type { Config } from '../config.js';
import { ResetConflictError } from '../domain/errors.js';
import type { BlobStore } from '../storage/blobs/blob-store.js';
import type { MetadataStore } from '../storage/metadata/metadata-store.js';
import { type ConsistencyReport, checkConsistency } from './consistency-check.js';

/**
 * Finishes a reset whose process died between clearing the metadata and letting writes start
 * again (writes would otherwise be refused until someone resets once more). Under the reset lock,
 * so a reset still running on another instance is waited for, not repeated: only when the flag is
 * still set once the lock is ours did its owner die. Its rows are already gone, so what remains
 * is clearing the blobs and ending the reset. True when there was one to finish.
 */
export function finishInterruptedReset(store: MetadataStore, blobs: BlobStore): Promise<boolean> {
  return store.withResetLock(async () => {
    try {
      await store.writeGeneration();
      return false;
    } catch (error) {
      if (!(error instanceof ResetConflictError)) throw error;
    }
    await blobs.clear();
    await store.endReset();
    return true;
  });
}

/**
 * Retries finishInterruptedReset in the background, backing off from 250 ms to 5 s, until it
 * succeeds: for a reset that failed while running (the database lost after the metadata was
 * cleared), so the process accepts writes again once the stores are back, without a restart.
 * Harmless when the reset did end (it finds nothing to finish).
 */
export class InterruptedResetFinisher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: MetadataStore,
    private readonly blobs: BlobStore,
  ) {}

  finishSoon(delayMs = 250): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      finishInterruptedReset(this.store, this.blobs).catch(() =>
        this.finishSoon(Math.min(delayMs * 2, 5_000)),
      );
    }, delayMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

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
