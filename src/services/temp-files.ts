import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

const STALE_AFTER_MS = 24 * 3600 * 1000;

/**
 * Scratch files for packages in flight. They live under DATA_DIR so a finished package can be
 * renamed into the filesystem blob store (same filesystem) instead of copied. Each process
 * works in its own subfolder; folders left by crashed processes are removed once stale.
 */
export class TempFiles {
  private readonly dir: string;

  constructor(private readonly baseDir: string) {
    this.dir = join(baseDir, randomUUID());
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.baseDir)) {
      const path = join(this.baseDir, name);
      const info = await stat(path).catch(() => null);
      if (info && Date.now() - info.mtimeMs > STALE_AFTER_MS)
        await rm(path, { recursive: true, force: true });
    }
  }

  /** Run `work` with a fresh temp path and remove the file afterwards, whatever happens. */
  async with<T>(suffix: string, work: (path: string) => Promise<T>): Promise<T> {
    const path = join(this.dir, `${randomUUID()}${suffix}`);
    try {
      return await work(path);
    } finally {
      await rm(path, { force: true });
    }
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
