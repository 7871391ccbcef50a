import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { RegistryOverrides } from '../../src/registry.js';
import { S3BlobStore } from '../../src/storage/blobs/s3-blob-store.js';
import { createPostgresStore, type PostgresStoreOptions } from '../../src/storage/metadata/postgres.js';
import { dropSchema, TEST_DATABASE_URL, uniqueSchemaName } from './postgres.js';
import { type RunningS3rver, startS3rver } from './s3rver.js';

/** Which storage the feature suite runs on: `pg-s3` when MODELGUARD_TEST_STORAGE says so. */
export function testStorageKind(): 'embedded' | 'pg-s3' {
  return process.env.MODELGUARD_TEST_STORAGE === 'pg-s3' ? 'pg-s3' : 'embedded';
}

let shared: Promise<RunningS3rver> | null = null;

/** One s3rver per test file (worker), started on first use; apps tell themselves apart by prefix. */
export function sharedS3rver(): Promise<RunningS3rver> {
  shared ??= startS3rver();
  return shared;
}

export async function disposeSharedS3rver(): Promise<void> {
  const running = shared;
  shared = null;
  await (await running)?.dispose();
}

export function s3BlobStore(s3: RunningS3rver, prefix: string): S3BlobStore {
  return new S3BlobStore({
    bucket: s3.bucket,
    prefix,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: s3.credentials,
  });
}

/** A PostgreSQL schema and an S3 prefix of its own; `dispose` removes both. */
export interface PgS3Storage {
  schema: string;
  prefix: string;
  s3: RunningS3rver;
  /** Fresh adapters over the same schema and prefix; call again for a second app instance. */
  overrides(options?: PostgresStoreOptions): Required<Pick<RegistryOverrides, 'store' | 'blobs'>>;
  /** Objects stored under the prefix. */
  countBlobs(): Promise<number>;
  /** The environment a registry process (or `modelguard fsck`) reads to use this storage. */
  env(): Record<string, string>;
  dispose(): Promise<void>;
}

export async function createPgS3Storage(url = TEST_DATABASE_URL): Promise<PgS3Storage> {
  const schema = uniqueSchemaName('mg_app');
  const prefix = `${schema}-${randomBytes(2).toString('hex')}/`;
  const s3 = await sharedS3rver();
  return {
    schema,
    prefix,
    s3,
    overrides: (options = {}) => ({
      store: createPostgresStore(url, { schema, poolSize: 4, ...options }),
      blobs: s3BlobStore(s3, prefix),
    }),
    countBlobs: () => countObjects(s3, prefix),
    env: () => ({
      DATABASE_URL: url,
      DATABASE_SCHEMA: schema,
      S3_BUCKET: s3.bucket,
      S3_PREFIX: prefix,
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    }),
    async dispose() {
      // A test that stopped the server may have failed before starting it again.
      await s3.start();
      await s3BlobStore(s3, prefix).clear();
      await dropSchema(schema);
    },
  };
}

async function countObjects(s3: RunningS3rver, prefix: string): Promise<number> {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: s3.credentials,
  });
  try {
    let count = 0;
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      count += page.KeyCount ?? 0;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return count;
  } finally {
    client.destroy();
  }
}
