import { join } from 'node:path';
import type { Config } from '../../config.js';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs-blob-store.js';

/**
 * S3 when a bucket is configured (scale-out), otherwise files under the data directory
 * (embedded). The AWS SDK is imported only when a bucket is configured: it is the largest
 * dependency, and an embedded registry never needs it (bench/README.md, idle memory).
 */
export async function createBlobStore(config: Config): Promise<BlobStore> {
  if (config.s3) {
    const { S3BlobStore } = await import('./s3-blob-store.js');
    return new S3BlobStore(config.s3);
  }
  return new FsBlobStore(join(config.dataDir, 'blobs'));
}
