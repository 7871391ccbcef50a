import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobNotFoundError, type BlobStore } from '../../src/storage/blobs/blob-store.js';

export interface BlobStoreUnderTest {
  store: BlobStore;
  cleanup(): Promise<void>;
}

export interface StagedBlob {
  path: string;
  digest: string;
  size: number;
}

/** Writes `bytes` to a fresh local file, as the upload path does before calling putFile. */
export async function stageBytes(directory: string, bytes: Buffer): Promise<StagedBlob> {
  const path = join(directory, `staged-${randomBytes(6).toString('hex')}`);
  await writeFile(path, bytes);
  return { path, digest: sha256(bytes), size: bytes.length };
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Hashes a stream chunk by chunk, so large blobs are never held in memory whole. */
async function streamDigest(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: hash.digest('hex'), size };
}

/**
 * Writes `mebibytes` MiB of random bytes in 1 MiB chunks, hashing as it goes; keeps only the
 * last chunk, to check a ranged read against.
 */
async function stageRandomFile(
  directory: string,
  mebibytes: number,
): Promise<StagedBlob & { lastChunk: Buffer }> {
  const path = join(directory, `large-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  let chunk = Buffer.alloc(0);
  for (let index = 0; index < mebibytes; index++) {
    chunk = randomBytes(1024 * 1024);
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  return { path, digest: hash.digest('hex'), size: mebibytes * 1024 * 1024, lastChunk: chunk };
}

const NEVER_STORED = 'f'.repeat(64);

/** The behaviour every BlobStore adapter must share; each adapter's test file runs it. */
function byDigest(a: { digest: string }, b: { digest: string }): number {
  return a.digest.localeCompare(b.digest);
}

export function describeBlobStoreConformance(name: string, make: () => Promise<BlobStoreUnderTest>): void {
  describe(`BlobStore conformance: ${name}`, () => {
    let store: BlobStore;
    let cleanup: () => Promise<void>;
    let scratch: string;

    beforeEach(async () => {
      ({ store, cleanup } = await make());
      scratch = await mkdtemp(join(tmpdir(), 'mg-blob-staging-'));
    });

    afterEach(async () => {
      await cleanup();
      await rm(scratch, { recursive: true, force: true });
    });

    async function put(bytes: Buffer): Promise<string> {
      const staged = await stageBytes(scratch, bytes);
      await store.putFile(staged.path, staged.digest, staged.size);
      return staged.digest;
    }

    it('stores a file and streams back the same bytes', async () => {
      const bytes = randomBytes(100_000);
      const digest = await put(bytes);
      const read = await readAll(await store.read(digest));
      expect(sha256(read)).toBe(digest);
      expect(read.equals(bytes)).toBe(true);
    });

    it('stores an empty blob', async () => {
      const digest = await put(Buffer.alloc(0));
      expect(await store.stat(digest)).toEqual({ size: 0 });
      expect((await readAll(await store.read(digest))).length).toBe(0);
    });

    it('reports the size of a stored blob and null for an absent one', async () => {
      const digest = await put(randomBytes(1234));
      expect(await store.stat(digest)).toEqual({ size: 1234 });
      expect(await store.stat(NEVER_STORED)).toBeNull();
    });

    it('keeps one copy when the same digest is stored again', async () => {
      const bytes = randomBytes(5000);
      const digest = await put(bytes);
      expect(await put(bytes)).toBe(digest);
      expect(await store.stat(digest)).toEqual({ size: 5000 });
      expect((await readAll(await store.read(digest))).equals(bytes)).toBe(true);
    });

    it('accepts concurrent stores of the same digest', async () => {
      const bytes = randomBytes(300_000);
      const copies = await Promise.all([1, 2, 3, 4, 5].map(() => stageBytes(scratch, bytes)));
      await Promise.all(copies.map((copy) => store.putFile(copy.path, copy.digest, copy.size)));
      const read = await readAll(await store.read(sha256(bytes)));
      expect(read.equals(bytes)).toBe(true);
    });

    it.each([
      ['first byte', 0, 0],
      ['middle', 100, 199],
      ['last byte', 999, 999],
      ['whole blob', 0, 999],
    ])('reads the inclusive range: %s', async (_label, start, end) => {
      const bytes = Buffer.from(Array.from({ length: 1000 }, (_, index) => index % 251));
      const digest = await put(bytes);
      const read = await readAll(await store.read(digest, { start, end }));
      expect(read.equals(bytes.subarray(start, end + 1))).toBe(true);
    });

    it('throws BlobNotFoundError when reading an absent blob', async () => {
      const failure = store.read(NEVER_STORED);
      await expect(failure).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(failure).rejects.toMatchObject({ digest: NEVER_STORED });
    });

    it('deletes a blob, and deleting an absent blob is not an error', async () => {
      const digest = await put(randomBytes(2048));
      await store.delete(digest);
      expect(await store.stat(digest)).toBeNull();
      await expect(store.read(digest)).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(store.delete(digest)).resolves.toBeUndefined();
      await expect(store.delete(NEVER_STORED)).resolves.toBeUndefined();
    });

    it('lists every blob with its size and modification time, and nothing once cleared', async () => {
      const before = Date.now() - 60_000;
      const sizes = [0, 10, 2000];
      const digests = await Promise.all(sizes.map((size) => put(randomBytes(size))));
      const listed = [];
      for await (const blob of store.list()) listed.push(blob);
      expect(listed.map(({ digest, size }) => ({ digest, size })).sort(byDigest)).toEqual(
        digests.map((digest, index) => ({ digest, size: sizes[index] })).sort(byDigest),
      );
      for (const blob of listed) expect(blob.modifiedAt.getTime()).toBeGreaterThan(before);
      await store.clear();
      for await (const blob of store.list()) expect.unreachable(`listed ${blob.digest} after clear`);
    });

    it('clears every blob and stays usable afterwards', async () => {
      const digests = await Promise.all([10, 20, 30].map((size) => put(randomBytes(size))));
      await store.clear();
      for (const digest of digests) expect(await store.stat(digest)).toBeNull();
      const bytes = randomBytes(64);
      const digest = await put(bytes);
      expect((await readAll(await store.read(digest))).equals(bytes)).toBe(true);
    });

    it('streams a 20 MiB blob in and out intact', async () => {
      const staged = await stageRandomFile(scratch, 20);
      await store.putFile(staged.path, staged.digest, staged.size);
      expect(await store.stat(staged.digest)).toEqual({ size: staged.size });
      expect(await streamDigest(await store.read(staged.digest))).toEqual({
        digest: staged.digest,
        size: staged.size,
      });
      const tailStart = staged.size - staged.lastChunk.length;
      const tail = await readAll(await store.read(staged.digest, { start: tailStart, end: staged.size - 1 }));
      expect(tail.equals(staged.lastChunk)).toBe(true);
    });

    it('rejects a malformed digest as a programming error', async () => {
      const staged = await stageBytes(scratch, randomBytes(10));
      await expect(store.putFile(staged.path, staged.digest.toUpperCase(), staged.size)).rejects.toThrow(
        /digest/,
      );
      await expect(store.read('../../etc/passwd')).rejects.toThrow(/digest/);
    });

    it('answers ping when reachable', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
