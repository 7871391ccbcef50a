import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadableStream } from 'node:stream/web';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../support/registry-client.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';

/** The default admin's token on a running server. */
async function signIn(url: string): Promise<string> {
  return (await RegistryClient.signIn(url)).token;
}

/** An upload that keeps sending 1 MiB chunks (up to 1 GiB) until it is cut off. */
function endlessUpload(url: string, token: string): void {
  const chunk = Buffer.alloc(1024 * 1024, 7);
  let sent = 0;
  const body = new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (sent++ < 1024) controller.enqueue(chunk);
      else controller.close();
    },
  });
  fetch(`${url}/artifact/model/upload?name=big`, {
    method: 'POST',
    headers: { 'x-authorization': token, 'content-type': 'application/zip' },
    body,
    duplex: 'half',
  } as RequestInit).catch(() => undefined);
}

/** Every scratch file under DATA_DIR/tmp, by owner folder, with its size. */
async function scratchFiles(dataDir: string): Promise<{ folder: string; size: number }[]> {
  const base = join(dataDir, 'tmp');
  const files: { folder: string; size: number }[] = [];
  for (const folder of await readdir(base).catch(() => [])) {
    for (const name of await readdir(join(base, folder)).catch(() => [])) {
      const info = await stat(join(base, folder, name)).catch(() => null);
      if (info) files.push({ folder, size: info.size });
    }
  }
  return files;
}

async function scratchFolders(dataDir: string): Promise<string[]> {
  return (await readdir(join(dataDir, 'tmp')).catch(() => [])).sort();
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until an upload in flight has written a few MiB to its scratch file; returns its folder. */
function partialUpload(dataDir: string): Promise<string> {
  return waitFor('a partial upload on disk', async () => {
    const big = (await scratchFiles(dataDir)).find((file) => file.size >= 4 * 1024 * 1024);
    return big?.folder;
  });
}

const ownerPid = (folder: string) => Number(folder.split('-')[0]);

describe('scratch files of processes killed mid-upload (kill -9)', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('are removed when a worker restarts, and when the registry restarts, so crashes never accumulate', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'modelguard-crash-'));
    const env = { DATA_DIR: dataDir, WORKERS: '2' };
    const crashed = await startServerProcess(env);
    server = crashed;

    // The whole registry dies mid-upload; its next start removes what every process left.
    endlessUpload(crashed.url, await signIn(crashed.url));
    await partialUpload(dataDir);
    const exited = new Promise((resolve) => crashed.child.once('exit', resolve));
    process.kill(-(crashed.child.pid as number), 'SIGKILL');
    await exited;
    expect((await scratchFiles(dataDir)).length).toBeGreaterThan(0);
    const restarted = await startServerProcess(env);
    server = restarted;
    expect(await scratchFiles(dataDir)).toEqual([]);
    expect(await scratchFolders(dataDir)).toHaveLength(2);

    // Then one worker dies mid-upload; the primary starts a new worker, which removes the dead
    // one's folder and leaves the live worker's alone.
    endlessUpload(restarted.url, await signIn(restarted.url));
    const killed = await partialUpload(dataDir);
    const before = await scratchFolders(dataDir);
    process.kill(ownerPid(killed), 'SIGKILL');
    const after = await waitFor('the replacement worker', async () => {
      const folders = await scratchFolders(dataDir);
      return folders.length === 2 && !folders.includes(killed) && folders;
    });
    expect(after).toContain(before.find((folder) => folder !== killed));
    expect(await scratchFiles(dataDir)).toEqual([]);
  }, 400_000);
});
