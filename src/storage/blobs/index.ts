import { join } from 'node:path';
import type { Config } from '../../config.js';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

/** S3 when a bucket is configured (scale-out), otherwise files under the data directory (embedded). */
export function createBlobStore(config: Config): BlobStore {
  if (config.s3) return new S3BlobStore(config.s3);
  return new FsBlobStore(join(config.dataDir, 'blobs'));
}
