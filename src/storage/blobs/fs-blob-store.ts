import { randomUUID } from 'node:crypto';
import { close as closeCallback, createReadStream, open as openCallback } from 'node:fs';
import {
  copyFile,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { ComponentUnavailableError } from '../../domain/errors.js';
import {
  BlobNotFoundError,
  type BlobStore,
  type ByteRange,
  isSha256Hex,
  type ListedBlob,
} from './blob-store.js';
import { copyFileRange } from './file-range-copy.js';

const openDescriptor = promisify(openCallback);
const closeDescriptor = promisify(closeCallback);

/**
 * Blobs as plain files under `<root>/sha256/ab/cd/<digest>`; the two fan-out levels keep
 * directories small. A blob only ever appears under its final name by an atomic rename of a
 * fully written and fsynced file, so a crash cannot leave a truncated blob behind.
 */
/** Large reads: fewer syscalls and event-loop turns per byte when streaming big packages. */
const READ_CHUNK_BYTES = 1024 * 1024;
/** The folder under the root that holds every blob. */
const BLOB_TREE = 'sha256';

export class FsBlobStore implements BlobStore {
  readonly kind = 'filesystem';

  constructor(private readonly root: string) {}

  async putFile(localPath: string, digest: string, size: number): Promise<void> {
    const target = this.localPath(digest);
    const localSize = (await stat(localPath)).size;
    if (localSize !== size) {
      throw new Error(`putFile: ${localPath} has ${localSize} bytes, caller announced ${size}`);
    }
    if (await refreshIfPresent(target)) return;
    await fsyncFile(localPath);
    for (let attempt = 1; ; attempt++) {
      await mkdir(dirname(target), { recursive: true });
      try {
        await rename(localPath, target);
        return;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'EXDEV') return copyInAtomically(localPath, target);
        // A concurrent clear moved the folder away between mkdir and rename: make it again.
        if (code !== 'ENOENT' || attempt === 3) throw error;
      }
    }
  }

  async read(digest: string, range?: ByteRange): Promise<Readable> {
    const fd = await this.openExisting(digest);
    // A plain descriptor stream (callback reads) streams large files markedly faster than a
    // FileHandle stream (a promise per read); it closes the descriptor when done.
    return createReadStream('', {
      fd,
      highWaterMark: READ_CHUNK_BYTES,
      ...(range ? { start: range.start, end: range.end } : {}),
    });
  }

  async writeTo(digest: string, destination: Writable, range: ByteRange): Promise<void> {
    const fd = await this.openExisting(digest);
    try {
      await copyFileRange(fd, range, destination);
    } finally {
      await closeDescriptor(fd);
    }
  }

  async stat(digest: string): Promise<{ size: number } | null> {
    try {
      return { size: (await stat(this.localPath(digest))).size };
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(digest: string): Promise<void> {
    await rm(this.localPath(digest), { force: true });
  }

  /** Walks `sha256/ab/cd/`; entries vanishing meanwhile (a delete or a clear) are skipped. */
  async *list(): AsyncIterable<ListedBlob> {
    const tree = join(this.root, BLOB_TREE);
    for (const first of await entriesOf(tree)) {
      for (const second of await entriesOf(join(tree, first))) {
        const folder = join(tree, first, second);
        for (const name of await entriesOf(folder)) {
          if (!isSha256Hex(name)) continue;
          const found = await statIfPresent(join(folder, name));
          if (found?.isFile()) yield { digest: name, size: found.size, modifiedAt: found.mtime };
        }
      }
    }
  }

  /**
   * The blob tree is first moved aside in one atomic rename, then deleted: puts running meanwhile
   * start a fresh tree instead of adding files to folders being removed (ENOTEMPTY). Anything else
   * under the root, including trees a crashed clear left behind, goes too.
   */
  async clear(): Promise<void> {
    try {
      await rename(join(this.root, BLOB_TREE), join(this.root, `.cleared-${randomUUID()}`));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw error;
    }
    await Promise.all(
      entries
        .filter((entry) => entry !== BLOB_TREE)
        .map((entry) => rm(join(this.root, entry), { recursive: true, force: true, maxRetries: 3 })),
    );
  }

  /** Writes and removes a probe file: a read-only or missing volume fails here, not mid-upload. */
  async ping(): Promise<void> {
    const probe = join(this.root, `.ping-${randomUUID()}`);
    try {
      await mkdir(this.root, { recursive: true });
      await writeFile(probe, '');
      await unlink(probe);
    } catch (error) {
      throw new ComponentUnavailableError(
        'blob storage',
        `${this.root} is not writable (${errorCode(error)})`,
      );
    }
  }

  /** Open for reading; absence (checked by opening, not racing a stat) is BlobNotFoundError. */
  private async openExisting(digest: string): Promise<number> {
    try {
      return await openDescriptor(this.localPath(digest), 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') throw new BlobNotFoundError(digest);
      throw error;
    }
  }

  relativePath(digest: string): string {
    if (!isSha256Hex(digest)) throw new Error(`not a lowercase SHA-256 hex digest: "${digest}"`);
    return `${BLOB_TREE}/${digest.slice(0, 2)}/${digest.slice(2, 4)}/${digest}`;
  }

  localPath(digest: string): string {
    return resolve(this.root, this.relativePath(digest));
  }
}

/** The names in a folder; none when it does not exist (or is not a folder). */
async function entriesOf(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}

async function statIfPresent(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/** Content addressing makes an existing blob correct by definition; touching it records the reuse. */
async function refreshIfPresent(path: string): Promise<boolean> {
  const now = new Date();
  try {
    await utimes(path, now, now);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/** The caller's bytes may still sit in the page cache; flush them before the file gets its final name. */
async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Cross-device fallback: copy beside the target under a unique temporary name, fsync, rename. */
async function copyInAtomically(localPath: string, target: string): Promise<void> {
  const temporary = join(dirname(target), `.${randomUUID()}.partial`);
  try {
    await copyFile(localPath, temporary);
    await fsyncFile(temporary);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
