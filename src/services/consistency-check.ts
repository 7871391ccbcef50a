import { createHash } from 'node:crypto';
import { type ArtifactSummary, ASPECTS } from '../domain/artifact.js';
import { BlobNotFoundError, type BlobStore, type ListedBlob } from '../storage/blobs/blob-store.js';
import type { MetadataStore } from '../storage/metadata/metadata-store.js';
import { aspectBlobKey } from './aspect-packages.js';

export interface ConsistencyCheckOptions {
  /** Delete the orphan blobs older than the grace period (under their digest lock, recounted). */
  repair: boolean;
  /**
   * Orphans younger than this may belong to a write in flight (its blob is stored before its row
   * commits): they are listed apart, never collected, and are not a problem.
   */
  graceMs: number;
  /** Hash every named blob; without it only presence and size are checked. */
  verifyDigests: boolean;
  now?: Date;
}

/** A package named by artifact rows whose blob is absent, too short or too long, or not those bytes. */
export interface PackageProblem {
  digest: string;
  /** What the rows say. */
  size: number;
  problem: 'missing' | 'wrong-size' | 'wrong-digest';
  /** What the store holds, when it holds something. */
  storedSize?: number;
  storedDigest?: string;
  artifacts: ArtifactSummary[];
  /** Open transactions whose commands staged it. */
  transactions: string[];
}

export interface OrphanBlob {
  digest: string;
  size: number;
  modifiedAt: string;
}

export interface ConsistencyReport {
  /** True when nothing below is a problem: no package problem and no orphan left uncollected. */
  ok: boolean;
  artifacts: number;
  /** Commands of open transactions that staged a package. */
  stagedCommands: number;
  /** Distinct packages the artifacts and staged commands name. */
  packages: number;
  /** Blobs in the store: packages, aspect packages and orphans. */
  blobs: number;
  /** Stored aspect packages of named packages (derived keys, so presence is all there is to check). */
  aspectPackages: number;
  /** Rows whose package is missing (dangling rows) or does not hold the named bytes. */
  packageProblems: PackageProblem[];
  /** Blobs nothing names, older than the grace period. */
  orphans: OrphanBlob[];
  /** Blobs nothing names, younger than the grace period: possibly a write in flight. */
  recentOrphans: OrphanBlob[];
  /** The orphans `repair` deleted. */
  collected: OrphanBlob[];
}

/** Blobs hashed at once: enough to overlap reads from S3, few enough not to swamp a disk. */
const HASHING_CONCURRENCY = 4;
const SCAN_BATCH = 500;

/**
 * fsck for the registry: every artifact's package must be stored with its digest and size, and
 * every stored blob must be named by an artifact (or be an aspect package of a named one). Safe
 * to run against a live registry: a suspected missing blob is confirmed under its digest lock
 * (a delete racing the scan is not a problem), and orphans are collected only when old and when
 * a recount under the lock still finds no row naming them.
 */
export async function checkConsistency(
  store: MetadataStore,
  blobs: BlobStore,
  options: ConsistencyCheckOptions,
): Promise<ConsistencyReport> {
  const now = options.now ?? new Date();
  // Blobs first: a row committed after this listing had its blob stored before it, so it can only
  // make a blob look missing (rechecked below), never make a named blob look orphaned for long.
  const stored = new Map<string, ListedBlob>();
  for await (const blob of blobs.list()) stored.set(blob.digest, blob);
  const named = await namedPackages(store);

  const packageProblems: PackageProblem[] = [];
  const aspectKeys = new Set<string>();
  await forEachLimited([...named.values()], HASHING_CONCURRENCY, async (pkg) => {
    for (const aspect of ASPECTS) aspectKeys.add(aspectBlobKey(pkg.digest, aspect));
    const problem = await checkPackage(store, blobs, pkg, stored.get(pkg.digest), options.verifyDigests);
    if (problem) packageProblems.push(problem);
  });

  const orphans: OrphanBlob[] = [];
  const recentOrphans: OrphanBlob[] = [];
  let aspectPackages = 0;
  for (const blob of stored.values()) {
    if (named.has(blob.digest)) continue;
    if (aspectKeys.has(blob.digest)) {
      aspectPackages += 1;
      continue;
    }
    const orphan = { digest: blob.digest, size: blob.size, modifiedAt: blob.modifiedAt.toISOString() };
    const old = now.getTime() - blob.modifiedAt.getTime() >= options.graceMs;
    (old ? orphans : recentOrphans).push(orphan);
  }

  const collected: OrphanBlob[] = [];
  if (options.repair) {
    for (const orphan of [...orphans]) {
      const outcome = await collectOrphan(store, blobs, orphan.digest);
      // Named by a row committed since the scan (its writer found the old blob in place): not an orphan.
      if (outcome === 'named') orphans.splice(orphans.indexOf(orphan), 1);
      else collected.push(orphan);
    }
  }
  packageProblems.sort((a, b) => a.digest.localeCompare(b.digest));
  return {
    ok: packageProblems.length === 0 && collected.length === orphans.length,
    artifacts: [...named.values()].reduce((total, pkg) => total + pkg.artifacts.length, 0),
    stagedCommands: [...named.values()].reduce((total, pkg) => total + pkg.transactions.length, 0),
    packages: named.size,
    blobs: stored.size,
    aspectPackages,
    packageProblems,
    orphans,
    recentOrphans,
    collected,
  };
}

interface NamedPackage {
  digest: string;
  size: number;
  artifacts: ArtifactSummary[];
  transactions: string[];
}

/** Every package digest the artifacts and staged commands name, with what names it. */
async function namedPackages(store: MetadataStore): Promise<Map<string, NamedPackage>> {
  const named = new Map<string, NamedPackage>();
  const entry = (digest: string, size: number): NamedPackage => {
    let found = named.get(digest);
    if (!found) {
      found = { digest, size, artifacts: [], transactions: [] };
      named.set(digest, found);
    }
    return found;
  };
  let after: string | undefined;
  do {
    const page = await store.scanPackageReferences({ after, limit: SCAN_BATCH });
    for (const { packageDigest, packageSize, ...artifact } of page.items) {
      entry(packageDigest, packageSize).artifacts.push(artifact);
    }
    after = page.next ?? undefined;
  } while (after !== undefined);
  for (const staged of await store.transactions.stagedPackages()) {
    entry(staged.packageDigest, staged.packageSize).transactions.push(staged.transactionId);
  }
  return named;
}

async function checkPackage(
  store: MetadataStore,
  blobs: BlobStore,
  pkg: NamedPackage,
  listed: ListedBlob | undefined,
  verifyDigest: boolean,
): Promise<PackageProblem | null> {
  const base = {
    digest: pkg.digest,
    size: pkg.size,
    artifacts: pkg.artifacts,
    transactions: pkg.transactions,
  };
  // Not listed: stored since the listing, or deleted with its last row since the scan, or lost.
  const present = listed ?? (await confirmedPresent(store, blobs, pkg.digest));
  if (present === 'gone') return null;
  if (present === null) return { ...base, problem: 'missing' };
  if (present.size !== pkg.size) return { ...base, problem: 'wrong-size', storedSize: present.size };
  if (!verifyDigest) return null;
  let storedDigest: string;
  try {
    storedDigest = await digestOf(blobs, pkg.digest);
  } catch (error) {
    if (!(error instanceof BlobNotFoundError)) throw error;
    const again = await confirmedPresent(store, blobs, pkg.digest);
    return again === null ? { ...base, problem: 'missing' } : null;
  }
  return storedDigest === pkg.digest ? null : { ...base, problem: 'wrong-digest', storedDigest };
}

/**
 * Under the digest's lock, where no write or release of it runs: 'gone' when no row names it any
 * more (deleted during the check), else its stored size, or null when a row names a missing blob.
 */
function confirmedPresent(
  store: MetadataStore,
  blobs: BlobStore,
  digest: string,
): Promise<{ size: number } | null | 'gone'> {
  return store.withDigestLock(digest, async (locked) => {
    if ((await locked.countByDigest(digest)) === 0) return 'gone';
    return blobs.stat(digest);
  });
}

/** Deletes the blob when, under its lock, still no row names it. */
function collectOrphan(
  store: MetadataStore,
  blobs: BlobStore,
  digest: string,
): Promise<'collected' | 'named'> {
  return store.withDigestLock(digest, async (locked) => {
    if ((await locked.countByDigest(digest)) > 0) return 'named';
    await blobs.delete(digest);
    return 'collected';
  });
}

async function digestOf(blobs: BlobStore, digest: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await blobs.read(digest)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
