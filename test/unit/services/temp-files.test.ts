import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempFiles } from '../../../src/services/temp-files.js';

/** Far above any pid_max, so no process has it. */
const NO_SUCH_PID = 2 ** 30;

let base: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'mg-temp-files-'));
});

afterEach(() => rm(base, { recursive: true, force: true }));

async function folders(): Promise<string[]> {
  return (await readdir(base)).sort();
}

/** The folder `temp` works in (the parent of the paths it hands out). */
async function ownFolder(temp: TempFiles): Promise<string> {
  return temp.with('', async (path) => basename(dirname(path)));
}

async function makeFolder(name: string, modifiedAt?: Date): Promise<void> {
  await mkdir(join(base, name));
  await writeFile(join(base, name, 'partial.zip'), 'half a package');
  if (modifiedAt) await utimes(join(base, name), modifiedAt, modifiedAt);
}

describe('TempFiles', () => {
  it('works in a folder of its own named after this process', async () => {
    const temp = new TempFiles(base);
    await temp.init();
    const own = await ownFolder(temp);
    expect(own).toMatch(new RegExp(`^${process.pid}-\\d+-[0-9a-f]{8}$`));
    expect(await folders()).toEqual([own]);
  });

  it('hands out fresh paths with the suffix and removes the file afterwards', async () => {
    const temp = new TempFiles(base);
    await temp.init();
    const seen: string[] = [];
    const result = await temp.with('.zip', async (path) => {
      seen.push(path);
      await writeFile(path, 'package bytes');
      return (await stat(path)).size;
    });
    expect(result).toBe(13);
    expect(seen[0]).toMatch(/\.zip$/);
    await expect(stat(seen[0] ?? '')).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await temp.with('.zip', async (path) => path);
    expect(again).not.toBe(seen[0]);
  });

  it('removes the file when the work fails, and passes the failure on', async () => {
    const temp = new TempFiles(base);
    await temp.init();
    let used = '';
    const failure = temp.with('.zip', async (path) => {
      used = path;
      await writeFile(path, 'half');
      throw new Error('upload aborted');
    });
    await expect(failure).rejects.toThrow('upload aborted');
    await expect(stat(used)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('dispose removes its folder and whatever is left in it', async () => {
    const temp = new TempFiles(base);
    await temp.init();
    await writeFile(join(base, await ownFolder(temp), 'left-over'), 'x');
    await temp.dispose();
    expect(await folders()).toEqual([]);
  });

  describe('init', () => {
    it('removes the folders of processes that are gone', async () => {
      await makeFolder(`${NO_SUCH_PID}-0-0badf00d`);
      await makeFolder(`${NO_SUCH_PID}-123456-deadbeef`);
      const temp = new TempFiles(base);
      await temp.init();
      expect(await folders()).toEqual([await ownFolder(temp)]);
    });

    it("keeps another registry's folder in this same (running) process", async () => {
      const first = new TempFiles(base);
      await first.init();
      const second = new TempFiles(base);
      await second.init();
      expect(await folders()).toEqual([await ownFolder(first), await ownFolder(second)].sort());
    });

    it('keeps a folder whose owner is alive when its start time is unknown (no /proc)', async () => {
      await makeFolder(`${process.pid}-0-00000000`);
      const temp = new TempFiles(base);
      await temp.init();
      expect(await folders()).toContain(`${process.pid}-0-00000000`);
    });

    it.runIf(process.platform === 'linux')(
      'removes a folder whose pid is alive but was reused by a process started at another time',
      async () => {
        const temp = new TempFiles(base);
        await temp.init();
        const [pid, ticks] = (await ownFolder(temp)).split('-').map(Number) as [number, number];
        const predecessor = `${pid}-${ticks + 1}-0a0a0a0a`;
        await makeFolder(predecessor);
        const next = new TempFiles(base);
        await next.init();
        expect(await folders()).not.toContain(predecessor);
        expect(await folders()).toContain(await ownFolder(temp));
      },
    );

    it('removes unowned folders (older versions) after a day, and keeps younger ones', async () => {
      const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
      await makeFolder('upload-old', twoDaysAgo);
      await makeFolder('upload-recent');
      await writeFile(join(base, 'stray-file.zip'), 'x');
      await utimes(join(base, 'stray-file.zip'), twoDaysAgo, twoDaysAgo);
      const temp = new TempFiles(base);
      await temp.init();
      expect(await folders()).toEqual([await ownFolder(temp), 'upload-recent'].sort());
    });

    it('creates the base folder when it does not exist yet', async () => {
      const temp = new TempFiles(join(base, 'data', 'tmp'));
      await temp.init();
      expect(await readdir(join(base, 'data', 'tmp'))).toHaveLength(1);
    });
  });
});
