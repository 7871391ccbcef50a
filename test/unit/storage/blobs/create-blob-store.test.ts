import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../../src/config.js';
import { FsBlobStore } from '../../../../src/storage/blobs/fs-blob-store.js';
import { createBlobStore } from '../../../../src/storage/blobs/index.js';
import { S3BlobStore } from '../../../../src/storage/blobs/s3-blob-store.js';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mg-data-'));
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dataDir, { recursive: true, force: true });
});

it('keeps blobs under DATA_DIR/blobs when no bucket is configured', async () => {
  const store = await createBlobStore(loadConfig({ DATA_DIR: dataDir }));
  expect(store).toBeInstanceOf(FsBlobStore);
  await store.ping();
  expect((await stat(join(dataDir, 'blobs'))).isDirectory()).toBe(true);
});

it('builds an S3 store on the default credential chain when S3_BUCKET is set', async () => {
  // The chain's first source; presigning then needs no request at all.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'from-env');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret-from-env');
  const store = await createBlobStore(
    loadConfig({ DATA_DIR: dataDir, S3_BUCKET: 'models', S3_PREFIX: 'team-a/', S3_REGION: 'eu-west-1' }),
  );
  expect(store).toBeInstanceOf(S3BlobStore);
  expect(store.kind).toBe('s3');
  const link = new URL((await store.presignDownload?.('a'.repeat(64), 'm.zip')) ?? '');
  expect(link.pathname).toBe(`/team-a/sha256/${'a'.repeat(64)}`);
  expect(link.hostname).toBe('models.s3.eu-west-1.amazonaws.com');
  expect(link.searchParams.get('X-Amz-Credential')).toMatch(/^from-env\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
});
