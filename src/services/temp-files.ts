import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Folders whose name names no owner (older versions) are removed once this old. */
const STALE_AFTER_MS = 24 * 3600 * 1000;

/** `<pid>-<start time in clock ticks, 0 when unknown>-<random>`: who owns a folder. */
const OWNED_FOLDER = /^(\d+)-(\d+)-[0-9a-f]{8}$/;

interface Owner {
  pid: number;
  startTicks: number;
}

/**
 * Scratch files for packages in flight. They live under DATA_DIR so a finished package can be
 * renamed into the filesystem blob store (same filesystem) instead of copied. Each process
 * (each worker with WORKERS > 1) works in its own folder named after it; a start removes every
 * folder whose owning process is gone, so a crash (kill -9, out of memory) leaves its partial
 * files only until the next start, and repeated crashes never accumulate.
 */
export class TempFiles {
  private readonly dir: string;

  constructor(private readonly baseDir: string) {
    const self = { pid: process.pid, startTicks: startTicksSync('self') ?? 0 };
    this.dir = join(baseDir, `${self.pid}-${self.startTicks}-${randomBytes(4).toString('hex')}`);
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.baseDir)) {
      const path = join(this.baseDir, name);
      if (path !== this.dir && (await abandoned(name, path)))
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

async function abandoned(name: string, path: string): Promise<boolean> {
  const match = OWNED_FOLDER.exec(name);
  if (match) return !(await isRunning({ pid: Number(match[1]), startTicks: Number(match[2]) }));
  const info = await stat(path).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs > STALE_AFTER_MS;
}

/**
 * Whether the folder's owner still runs. A pid alone can be reused (a restarted container's
 * process often gets the pid its predecessor had), so where Linux tells a process's start time
 * it must match too; elsewhere the pid alone decides. (Several registries in one process, as in
 * tests, share the pid and start time and keep each other's folders.)
 */
async function isRunning(owner: Owner): Promise<boolean> {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.startTicks === 0) return true;
  return (await startTicks(owner.pid)) === owner.startTicks;
}

/** Field 22 of /proc/<pid>/stat (start time after boot, in clock ticks); null without /proc. */
function parseStartTicks(stat: string): number | null {
  // The command name (field 2) is in parentheses and may contain anything: count after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  return Number.isSafeInteger(ticks) ? ticks : null;
}

function startTicksSync(pid: 'self'): number | null {
  try {
    return parseStartTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

async function startTicks(pid: number): Promise<number | null> {
  try {
    return parseStartTicks(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}
