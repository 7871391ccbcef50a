import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { repackArchive } from '../../../src/packages/repack-archive.js';
import { makeZip, zipFileNames } from '../../support/zips.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'repack-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function archive(name: string, zip: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, zip);
  return path;
}

/** A zip with a symbolic link entry, as GitHub archives links. */
function withSymlink(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from('print(1)\n'), 'acme-tool-abc1234/main.py');
  zip.addBuffer(Buffer.from('/etc/passwd'), 'acme-tool-abc1234/link', { mode: 0o120777 });
  zip.addEmptyDirectory('acme-tool-abc1234/docs/');
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

describe('repacking a repository archive', () => {
  it('strips the top folder and leaves out directories and symbolic links', async () => {
    const dest = join(dir, 'out1.zip');
    await repackArchive(await archive('in1.zip', await withSymlink()), dest, 1 << 20);
    expect(await zipFileNames(await readFile(dest))).toEqual(['main.py']);
  });

  it('packs the same files to the same digest as any other way of fetching them', async () => {
    const files = [
      { path: 'o-r-1/a.py', content: 'a\n' },
      { path: 'o-r-1/b/c.txt', content: 'c\n' },
    ];
    const reordered = [...files]
      .reverse()
      .map((file) => ({ ...file, path: file.path.replace('o-r-1', 'o-r-2') }));
    const one = await repackArchive(
      await archive('in2.zip', await makeZip(files)),
      join(dir, 'o2.zip'),
      1 << 20,
    );
    const two = await repackArchive(
      await archive('in3.zip', await makeZip(reordered)),
      join(dir, 'o3.zip'),
      1 << 20,
    );
    expect(one.digest).toBe(two.digest);
  });

  it('refuses an archive without one top folder, and one that expands past the limit', async () => {
    const flat = await archive('in4.zip', await makeZip([{ path: 'a.py', content: 'a' }]));
    await expect(repackArchive(flat, join(dir, 'o4.zip'), 1 << 20)).rejects.toMatchObject({
      statusCode: 400,
    });
    const big = await archive(
      'in5.zip',
      await makeZip([{ path: 'x-1/zeros', content: Buffer.alloc(200_000) }]),
    );
    await expect(repackArchive(big, join(dir, 'o5.zip'), 100_000)).rejects.toMatchObject({ statusCode: 413 });
  });
});
