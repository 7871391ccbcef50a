import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ComponentUnavailableError } from '../../../../src/domain/errors.js';
import { BlobNotFoundError } from '../../../../src/storage/blobs/blob-store.js';
import { S3BlobStore } from '../../../../src/storage/blobs/s3-blob-store.js';
import {
  describeBlobStoreConformance,
  readAll,
  sha256,
  stageBytes,
} from '../../../storage/blob-store.conformance.js';
import { InMemoryS3, networkError, s3ServiceError } from '../../support/in-memory-s3.js';

const PREFIX = 'registry-a/';

function storeOn(s3: InMemoryS3, bucket = s3.bucket): S3BlobStore {
  return new S3BlobStore({
    bucket,
    prefix: PREFIX,
    region: 'us-east-1',
    endpoint: null,
    forcePathStyle: false,
    client: s3,
  });
}

/** A digest-shaped key that sorts by `index`: the listing order is then predictable. */
function digestNumber(index: number): string {
  return index.toString(16).padStart(64, '0');
}

// The shared adapter behaviour, against the in-memory bucket (the real S3 run is in test/storage).
describeBlobStoreConformance('s3 (in memory)', async () => {
  const store = storeOn(new InMemoryS3());
  return { store, cleanup: () => store.clear() };
});

describe('S3BlobStore', () => {
  let s3: InMemoryS3;
  let store: S3BlobStore;
  let scratch: string;

  beforeEach(async () => {
    s3 = new InMemoryS3();
    store = storeOn(s3);
    scratch = await mkdtemp(join(tmpdir(), 'mg-s3-unit-'));
  });

  afterEach(() => rm(scratch, { recursive: true, force: true }));

  async function put(bytes: Buffer): Promise<string> {
    const staged = await stageBytes(scratch, bytes);
    await store.putFile(staged.path, staged.digest, staged.size);
    return staged.digest;
  }

  it('keys each blob <prefix>sha256/<digest>', async () => {
    const digest = await put(randomBytes(10));
    expect([...s3.objects.keys()]).toEqual([`${PREFIX}sha256/${digest}`]);
  });

  it('uploads a small file in one PutObject and a large one in 8 MiB parts', async () => {
    await put(randomBytes(1000));
    expect(s3.sent.filter((name) => name !== 'HeadObjectCommand')).toEqual(['PutObjectCommand']);

    s3.sent.length = 0;
    const large = randomBytes(9 * 1024 * 1024);
    const digest = await put(large);
    expect(s3.sent.filter((name) => name === 'UploadPartCommand')).toHaveLength(2);
    expect(s3.objects.get(`${PREFIX}sha256/${digest}`)?.body.equals(large)).toBe(true);
  });

  it('does not upload again when an object of that size is already stored', async () => {
    const bytes = randomBytes(64);
    await put(bytes);
    s3.sent.length = 0;
    await put(bytes);
    expect(s3.sent).toEqual(['HeadObjectCommand']);
  });

  it('replaces an object of the wrong size stored under the digest', async () => {
    const bytes = randomBytes(64);
    const key = `${PREFIX}sha256/${sha256(bytes)}`;
    s3.putObject(key, 'truncated');
    await put(bytes);
    expect(s3.objects.get(key)?.body.equals(bytes)).toBe(true);
  });

  it('refuses a local file whose size differs from the announced one, before any request', async () => {
    const staged = await stageBytes(scratch, randomBytes(20));
    await expect(store.putFile(staged.path, staged.digest, 21)).rejects.toThrow(
      /has 20 bytes, caller announced 21/,
    );
    expect(s3.sent).toEqual([]);
  });

  it('asks S3 for just the requested range', async () => {
    const bytes = Buffer.from('0123456789');
    const digest = await put(bytes);
    expect((await readAll(await store.read(digest, { start: 3, end: 5 }))).toString()).toBe('345');
  });

  it('turns NoSuchKey into BlobNotFoundError and a HEAD 404 into null', async () => {
    const absent = digestNumber(1);
    await expect(store.read(absent)).rejects.toEqual(new BlobNotFoundError(absent));
    expect(await store.stat(absent)).toBeNull();
  });

  it('lists only digest-named objects under its prefix, following continuation tokens', async () => {
    const when = new Date('2026-01-02T03:04:05Z');
    for (let index = 0; index < 1005; index++)
      s3.putObject(`${PREFIX}sha256/${digestNumber(index)}`, 'x', when);
    s3.putObject(`${PREFIX}sha256/not-a-digest`, 'x');
    s3.putObject(`${PREFIX}sha256/${'A'.repeat(64)}`, 'x');
    s3.putObject(`other/sha256/${digestNumber(2000)}`, 'x');

    const listed = [];
    for await (const blob of store.list()) listed.push(blob);
    expect(listed).toHaveLength(1005);
    expect(listed[1004]).toEqual({ digest: digestNumber(1004), size: 1, modifiedAt: when });
    expect(s3.sent.filter((name) => name === 'ListObjectsV2Command')).toHaveLength(2);
  });

  it('clears its prefix page by page and leaves other prefixes alone', async () => {
    for (let index = 0; index < 1500; index++) s3.putObject(`${PREFIX}sha256/${digestNumber(index)}`, 'x');
    s3.putObject('other/sha256/kept', 'x');
    await store.clear();
    expect([...s3.objects.keys()]).toEqual(['other/sha256/kept']);
    expect(s3.sent.filter((name) => name === 'DeleteObjectsCommand')).toHaveLength(2);
  });

  it('reports the keys a batch delete could not remove', async () => {
    const digests = [digestNumber(1), digestNumber(2), digestNumber(3)];
    for (const digest of digests) s3.putObject(`${PREFIX}sha256/${digest}`, 'x');
    s3.undeletable.add(`${PREFIX}sha256/${digests[1]}`);
    await expect(store.clear()).rejects.toThrow(
      `could not delete 1 blobs, first ${PREFIX}sha256/${digests[1]}: Access Denied`,
    );
    expect([...s3.objects.keys()]).toEqual([`${PREFIX}sha256/${digests[1]}`]);
  });

  it('presigns a five-minute link that downloads as an attachment named like the artifact', async () => {
    const digest = digestNumber(7);
    const link = new URL((await store.presignDownload(digest, 'model "v1" é.zip')) ?? '');
    expect(link.hostname).toBe('models.s3.us-east-1.amazonaws.com');
    expect(link.pathname).toBe(`/${PREFIX}sha256/${digest}`);
    expect(link.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(link.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="model _v1_ _.zip"; filename*=UTF-8''model%20%22v1%22%20%C3%A9.zip`,
    );
    expect(link.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('percent-encodes the characters encodeURIComponent leaves in a file name', async () => {
    const link = new URL((await store.presignDownload(digestNumber(7), "it's (v2)*.zip")) ?? '');
    expect(link.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="it's (v2)*.zip"; filename*=UTF-8''it%27s%20%28v2%29%2A.zip`,
    );
  });

  it('refuses malformed digests before sending anything', async () => {
    await expect(store.stat('../secrets')).rejects.toThrow(/not a lowercase SHA-256 hex digest/);
    await expect(store.delete('F'.repeat(64))).rejects.toThrow(/not a lowercase SHA-256 hex digest/);
    expect(s3.sent).toEqual([]);
  });

  describe('when S3 fails', () => {
    it.each([
      [
        'connection refused',
        networkError('ECONNREFUSED'),
        'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9000',
      ],
      ['DNS failure', networkError('ENOTFOUND'), 'ENOTFOUND: connect ENOTFOUND 127.0.0.1:9000'],
      [
        'a timeout',
        Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }),
        'TimeoutError: socket hang up',
      ],
      [
        'no credentials',
        Object.assign(new Error('no keys'), { name: 'CredentialsProviderError' }),
        'CredentialsProviderError: no keys',
      ],
      ['a 503 SlowDown', s3ServiceError('SlowDown', 503), 'SlowDown: SlowDown'],
    ])('answers ComponentUnavailableError (503) on %s', async (_label, error, detail) => {
      s3.outage = error;
      for (const operation of [
        () => store.stat(digestNumber(1)),
        () => store.delete(digestNumber(1)),
        () => store.clear(),
      ]) {
        const failure = operation();
        await expect(failure).rejects.toBeInstanceOf(ComponentUnavailableError);
        await expect(failure).rejects.toMatchObject({
          statusCode: 503,
          message: `object store unavailable: ${detail}`,
        });
      }
    });

    it('answers 503 for a missing bucket, in reads too', async () => {
      const elsewhere = storeOn(s3, 'no-such-bucket');
      await expect(elsewhere.read(digestNumber(1))).rejects.toMatchObject({
        statusCode: 503,
        message: 'object store unavailable: NoSuchBucket: The specified bucket does not exist',
      });
      await expect(elsewhere.ping()).rejects.toMatchObject({
        statusCode: 503,
        message:
          'object store unavailable: bucket no-such-bucket: NoSuchBucket: The specified bucket does not exist',
      });
    });

    it('passes other refusals through unchanged', async () => {
      const denied = s3ServiceError('AccessDenied', 403);
      s3.outage = denied;
      await expect(store.read(digestNumber(1))).rejects.toBe(denied);
      await expect(store.stat(digestNumber(1))).rejects.toBe(denied);
    });

    it('ping describes an error that has neither code nor message by itself', async () => {
      s3.outage = Object.assign(Object.create(null), { toString: () => 'bare failure' });
      await expect(store.ping()).rejects.toMatchObject({
        message: 'object store unavailable: bucket models: bare failure',
      });
    });
  });
});
