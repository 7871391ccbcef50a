import { createHash } from 'node:crypto';
import type { Aspect } from '../domain/artifact.js';
import { ASPECTS } from '../domain/artifact.js';
import { NotFoundError } from '../domain/errors.js';
import { buildAspectZip } from '../packages/aspect-zip.js';
import { blobRangeSource } from '../packages/range-source.js';
import { receiveToFile } from '../packages/receive.js';
import type { BlobStore } from '../storage/blobs/blob-store.js';
import type { MetadataStore } from '../storage/metadata/metadata-store.js';
import type { TempFiles } from './temp-files.js';

/**
 * Bumped when the aspect zip layout changes (src/packages/aspect-zip.ts), so packages built by
 * the old layout are no longer found and are rebuilt.
 */
const LAYOUT_VERSION = 1;

/**
 * The blob key of one aspect package: derived from the full package's digest, since the aspect
 * zip is a pure function of the package's bytes. Looking it up needs no metadata row, and every
 * artifact sharing the package shares its aspect packages.
 */
export function aspectBlobKey(packageDigest: string, aspect: Aspect): string {
  return createHash('sha256')
    .update(`aspect-package:v${LAYOUT_VERSION}:${packageDigest}:${aspect}`)
    .digest('hex');
}

/** Deletes a package's bytes and the aspect packages built from it (call under its digest lock). */
export async function deletePackageBlobs(blobs: BlobStore, packageDigest: string): Promise<void> {
  await blobs.delete(packageDigest);
  await Promise.all(ASPECTS.map((aspect) => blobs.delete(aspectBlobKey(packageDigest, aspect))));
}

interface Build {
  done: Promise<{ key: string; size: number }>;
  waiters: number;
  stop: AbortController;
}

/**
 * Aspect packages (the weights, datasets, code or docs of a package, as a zip of their own) are
 * built once, on first request, and stored in the blob store; every later request, ranged or
 * not, reads the stored bytes like a full download. Concurrent first requests share one build,
 * and the build stops when every request waiting for it has gone (client disconnected).
 */
export class AspectPackages {
  private readonly builds = new Map<string, Build>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly store: MetadataStore,
    private readonly temp: TempFiles,
  ) {}

  /** The stored aspect package (its blob key and size), building it first if needed. */
  async ensure(
    packageDigest: string,
    aspect: Aspect,
    signal: AbortSignal,
  ): Promise<{ key: string; size: number }> {
    const key = aspectBlobKey(packageDigest, aspect);
    const stored = await this.blobs.stat(key);
    if (stored) return { key, size: stored.size };
    let build = this.builds.get(key);
    if (!build) {
      const stop = new AbortController();
      const started: Build = { done: this.build(packageDigest, aspect, key, stop.signal), waiters: 0, stop };
      this.builds.set(key, started);
      const forget = () => this.forget(key, started);
      started.done.then(forget, forget);
      build = started;
    }
    return this.wait(key, build, signal);
  }

  private forget(key: string, build: Build): void {
    if (this.builds.get(key) === build) this.builds.delete(key);
  }

  private wait(key: string, build: Build, signal: AbortSignal): Promise<{ key: string; size: number }> {
    build.waiters += 1;
    return new Promise((resolve, reject) => {
      const leave = () => {
        build.waiters -= 1;
        if (build.waiters === 0) {
          // A request arriving now starts a new build rather than joining this stopping one.
          this.forget(key, build);
          build.stop.abort();
        }
        reject(new Error('the client went away'));
      };
      if (signal.aborted) return leave();
      signal.addEventListener('abort', leave, { once: true });
      build.done.then(
        (built) => {
          signal.removeEventListener('abort', leave);
          resolve(built);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(error);
        },
      );
    });
  }

  private async build(
    packageDigest: string,
    aspect: Aspect,
    key: string,
    signal: AbortSignal,
  ): Promise<{ key: string; size: number }> {
    const zip = await buildAspectZip(await blobRangeSource(this.blobs, packageDigest), aspect);
    return this.temp.with('.zip', async (path) => {
      const output = zip.stream();
      const onAbort = () =>
        output.destroy(new Error('aspect package build stopped: nobody is waiting for it'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      try {
        const { size } = await receiveToFile(output, path, Number.MAX_SAFE_INTEGER);
        // Stored under the package's lock, and only while the package is there: a concurrent
        // release of the package cannot leave its aspect package behind.
        await this.store.withDigestLock(packageDigest, async () => {
          if (!(await this.blobs.stat(packageDigest))) throw new NotFoundError('the package was removed');
          await this.blobs.putFile(path, key, size);
        });
        return { key, size };
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    });
  }
}
