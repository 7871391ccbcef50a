import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ComponentUnavailableError } from '../../src/domain/errors.js';
import { BlobNotFoundError } from '../../src/storage/blobs/blob-store.js';
import { COPY_CHUNK_BYTES } from '../../src/storage/blobs/file-range-copy.js';
import { FsBlobStore } from '../../src/storage/blobs/fs-blob-store.js';
import { createBlobStore } from '../../src/storage/blobs/index.js';
import { S3BlobStore } from '../../src/storage/blobs/s3-blob-store.js';
import { type RunningS3rver, startS3rver } from '../support/s3rver.js';
import { describeBlobStoreConformance, readAll, sha256, stageBytes } from './blob-store.conformance.js';

async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

describeBlobStoreConformance('filesystem', async () => {
  const root = await makeTempDir('mg-fs-blobs-');
  return {
    store: new FsBlobStore(join(root, 'blobs')),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

it('createBlobStore keeps blobs under DATA_DIR/blobs when no bucket is configured', async () => {
  const dataDir = await makeTempDir('mg-data-');
  try {
    const store = await createBlobStore(loadConfig({ DATA_DIR: dataDir }));
    expect(store).toBeInstanceOf(FsBlobStore);
    await store.ping();
    expect((await stat(join(dataDir, 'blobs'))).isDirectory()).toBe(true);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

/**
 * A destination that flushes each chunk only a few milliseconds later and copies it at that
 * moment: a buffer reused before its write callback would arrive here overwritten.
 */
function slowCollector(): { writable: Writable; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const writable = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      setTimeout(() => {
        chunks.push(Buffer.from(chunk));
        writable.emit('data-written');
        callback();
      }, 3);
    },
  });
  return { writable, chunks };
}

describe('FsBlobStore', () => {
  let root: string;
  let scratch: string;
  let store: FsBlobStore;

  beforeEach(async () => {
    root = await makeTempDir('mg-fs-blobs-');
    scratch = await makeTempDir('mg-fs-staging-');
    store = new FsBlobStore(join(root, 'blobs'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  it('lays blobs out as sha256/ab/cd/<digest>', async () => {
    const staged = await stageBytes(scratch, randomBytes(100));
    await store.putFile(staged.path, staged.digest, staged.size);
    const { digest } = staged;
    const expected = join(root, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2, 4), digest);
    expect((await stat(expected)).size).toBe(100);
  });

  it('refreshes the modification time when an existing digest is stored again', async () => {
    const bytes = randomBytes(100);
    const first = await stageBytes(scratch, bytes);
    await store.putFile(first.path, first.digest, first.size);
    const { digest } = first;
    const path = join(root, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2, 4), digest);
    const longAgo = new Date('2020-01-01T00:00:00Z');
    await utimes(path, longAgo, longAgo);
    const second = await stageBytes(scratch, bytes);
    await store.putFile(second.path, second.digest, second.size);
    expect((await stat(path)).mtimeMs).toBeGreaterThan(longAgo.getTime());
  });

  it('rejects a file whose size differs from the announced size', async () => {
    const staged = await stageBytes(scratch, randomBytes(100));
    await expect(store.putFile(staged.path, staged.digest, 99)).rejects.toThrow(/100 bytes/);
    expect(await store.stat(staged.digest)).toBeNull();
  });

  // /dev/shm is a tmpfs on Linux, so a file there cannot be renamed into the temp dir.
  it.runIf(process.platform === 'linux')('copies in a file from another filesystem', async () => {
    const otherDevice = await mkdtemp('/dev/shm/mg-staging-');
    try {
      expect((await stat(otherDevice)).dev).not.toBe((await stat(root)).dev);
      const bytes = randomBytes(70_000);
      const staged = await stageBytes(otherDevice, bytes);
      await store.putFile(staged.path, staged.digest, staged.size);
      expect((await readAll(await store.read(staged.digest))).equals(bytes)).toBe(true);
    } finally {
      await rm(otherDevice, { recursive: true, force: true });
    }
  });

  it('ping fails with ComponentUnavailableError when the root cannot be created', async () => {
    const staged = await stageBytes(scratch, randomBytes(1));
    const blocked = new FsBlobStore(join(staged.path, 'blobs'));
    await expect(blocked.ping()).rejects.toMatchObject({ statusCode: 503, component: 'blob storage' });
  });

  it('writeTo sends any range through reused buffers, each kept until the destination flushed it', async () => {
    const bytes = randomBytes(3 * COPY_CHUNK_BYTES + 12_345);
    const staged = await stageBytes(scratch, bytes);
    await store.putFile(staged.path, staged.digest, staged.size);
    for (const range of [
      { start: 0, end: bytes.length - 1 },
      { start: COPY_CHUNK_BYTES - 7, end: 2 * COPY_CHUNK_BYTES + 100 },
      { start: 5, end: 5 },
    ]) {
      const received = slowCollector();
      await store.writeTo(staged.digest, received.writable, range);
      await new Promise<void>((resolve) => received.writable.end(resolve));
      expect(Buffer.concat(received.chunks).equals(bytes.subarray(range.start, range.end + 1))).toBe(true);
    }
  });

  it('writeTo stops when the destination is destroyed, and rejects a range beyond the end', async () => {
    const bytes = randomBytes(4 * COPY_CHUNK_BYTES);
    const staged = await stageBytes(scratch, bytes);
    await store.putFile(staged.path, staged.digest, staged.size);
    const received = slowCollector();
    received.writable.once('data-written', () => received.writable.destroy());
    await store.writeTo(staged.digest, received.writable, { start: 0, end: bytes.length - 1 });
    expect(Buffer.concat(received.chunks).length).toBeLessThan(bytes.length);

    const beyond = slowCollector();
    await expect(
      store.writeTo(staged.digest, beyond.writable, { start: 0, end: bytes.length }),
    ).rejects.toThrow(/file ended before the end of the range/);
    await expect(store.writeTo('0'.repeat(64), beyond.writable, { start: 0, end: 0 })).rejects.toThrow(
      BlobNotFoundError,
    );
  });
});

describe('S3BlobStore against s3rver', () => {
  let s3: RunningS3rver;

  beforeAll(async () => {
    s3 = await startS3rver();
  });

  afterAll(async () => {
    await s3?.dispose();
  });

  /** Each store gets its own key prefix, so tests sharing the bucket cannot see each other's blobs. */
  function makeStore(): S3BlobStore {
    return new S3BlobStore({
      bucket: s3.bucket,
      prefix: `test-${randomBytes(4).toString('hex')}/`,
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
  }

  it('is what createBlobStore builds when S3_BUCKET is set, with keys from the default chain', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', s3.credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', s3.credentials.secretAccessKey);
    try {
      const config = loadConfig({
        S3_BUCKET: s3.bucket,
        S3_ENDPOINT: s3.endpoint,
        S3_FORCE_PATH_STYLE: 'true',
      });
      const store = await createBlobStore(config);
      expect(store).toBeInstanceOf(S3BlobStore);
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  describeBlobStoreConformance('s3', async () => {
    const store = makeStore();
    return { store, cleanup: () => store.clear() };
  });

  describe('S3-specific behaviour', () => {
    let store: S3BlobStore;
    let scratch: string;

    beforeEach(async () => {
      store = makeStore();
      scratch = await makeTempDir('mg-s3-staging-');
    });

    afterEach(async () => {
      await s3.start();
      await store.clear();
      await rm(scratch, { recursive: true, force: true });
    });

    it('skips the upload when an object of the same size already sits under the digest', async () => {
      const stored = await stageBytes(scratch, randomBytes(256));
      await store.putFile(stored.path, stored.digest, stored.size);
      // Different bytes claiming the same digest: only a skipped upload leaves the original intact.
      const impostor = await stageBytes(scratch, randomBytes(256));
      await store.putFile(impostor.path, stored.digest, impostor.size);
      expect(sha256(await readAll(await store.read(stored.digest)))).toBe(stored.digest);
    });

    it('clears only its own prefix', async () => {
      const neighbour = makeStore();
      const staged = await stageBytes(scratch, randomBytes(50));
      await neighbour.putFile(staged.path, staged.digest, staged.size);
      await store.clear();
      expect(await neighbour.stat(staged.digest)).toEqual({ size: 50 });
      await neighbour.clear();
    });

    it('presigns a download link that serves the blob as an attachment', async () => {
      const bytes = randomBytes(300);
      const staged = await stageBytes(scratch, bytes);
      await store.putFile(staged.path, staged.digest, staged.size);
      const url = await store.presignDownload(staged.digest, 'model "v1" é.zip');
      expect(new URL(url ?? '').searchParams.get('X-Amz-Expires')).toBe('300');
      const response = await fetch(url ?? '');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="model _v1_ _.zip"; filename*=UTF-8''model%20%22v1%22%20%C3%A9.zip`,
      );
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it('answers ComponentUnavailableError promptly while S3 is down, then recovers', async () => {
      const before = await stageBytes(scratch, randomBytes(4096));
      await store.putFile(before.path, before.digest, before.size);

      await s3.stop();
      const during = await stageBytes(scratch, randomBytes(4096));
      const operations = [
        () => store.read(before.digest),
        () => store.putFile(during.path, during.digest, during.size),
        () => store.ping(),
      ];
      for (const operation of operations) {
        const failure = operation();
        await expect(failure).rejects.toBeInstanceOf(ComponentUnavailableError);
        await expect(failure).rejects.toMatchObject({ statusCode: 503, component: 'object store' });
      }

      await s3.start();
      await store.ping();
      await store.putFile(during.path, during.digest, during.size);
      expect(await store.stat(during.digest)).toEqual({ size: 4096 });
      const intact = await readAll(await store.read(before.digest));
      expect(sha256(intact)).toBe(before.digest);
    });
  });
});
