import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ComponentUnavailableError } from '../../src/domain/errors.js';
import { createBlobStore } from '../../src/storage/blobs/index.js';
import { S3BlobStore } from '../../src/storage/blobs/s3-blob-store.js';
import { type RunningS3rver, startS3rver } from '../support/s3rver.js';
import { describeBlobStoreConformance, readAll, sha256, stageBytes } from './blob-store.conformance.js';

async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

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
