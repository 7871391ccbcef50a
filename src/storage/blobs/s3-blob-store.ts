import { createReadStream } from 'node:fs';
import { stat as statLocal } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  type _Object,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Config } from '../../config.js';
import { ComponentUnavailableError } from '../../domain/errors.js';
import {
  BlobNotFoundError,
  type BlobStore,
  type ByteRange,
  isSha256Hex,
  type ListedBlob,
} from './blob-store.js';

export type S3BlobStoreOptions = Pick<
  S3Config,
  'bucket' | 'prefix' | 'region' | 'endpoint' | 'forcePathStyle'
> &
  Partial<Pick<S3Config, 'connectTimeoutMs' | 'requestTimeoutMs'>> & {
    /** Explicit keys (tests, s3rver); production leaves this unset and uses the default provider chain. */
    credentials?: { accessKeyId: string; secretAccessKey: string };
    /**
     * A client built elsewhere (unit tests: an S3 answered from memory); when set, the connection
     * options above are unused. Production leaves it unset.
     */
    client?: S3Client;
  };

const COMPONENT = 'object store';
const PART_SIZE = 8 * 1024 * 1024;
/** Parts uploaded in parallel; the uploader buffers up to PART_SIZE * UPLOAD_QUEUE_SIZE bytes. */
const UPLOAD_QUEUE_SIZE = 2;
const PRESIGNED_URL_SECONDS = 5 * 60;
/** Few attempts with short timeouts: an outage must surface as a prompt 503, not a hung request. */
const MAX_ATTEMPTS = 3;
const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
/** Socket inactivity limit, not a bound on the whole transfer, so large streams are unaffected. */
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DELETE_BATCH = 1000;

/** Blobs as objects keyed `<prefix>sha256/<digest>` in one bucket. */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly blobPrefix: string;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.blobPrefix = `${options.prefix}sha256/`;
    this.client =
      options.client ??
      new S3Client({
        region: options.region,
        endpoint: options.endpoint ?? undefined,
        forcePathStyle: options.forcePathStyle,
        credentials: options.credentials,
        maxAttempts: MAX_ATTEMPTS,
        // The SDK builds its NodeHttpHandler from these options.
        requestHandler: {
          connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
          requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        },
      });
  }

  async putFile(localPath: string, digest: string, size: number): Promise<void> {
    const key = this.keyOf(digest);
    const localSize = (await statLocal(localPath)).size;
    if (localSize !== size) {
      throw new Error(`putFile: ${localPath} has ${localSize} bytes, caller announced ${size}`);
    }
    // Keys are content addressed, so an object of the right size already holds these bytes.
    if ((await this.stat(digest))?.size === size) return;
    await this.call(async () => {
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: key, Body: createReadStream(localPath) },
        partSize: PART_SIZE,
        queueSize: UPLOAD_QUEUE_SIZE,
        leavePartsOnError: false,
      });
      await upload.done();
    });
  }

  async read(digest: string, range?: ByteRange): Promise<Readable> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.keyOf(digest),
      Range: range ? `bytes=${range.start}-${range.end}` : undefined,
    });
    try {
      const response = await this.call(() => this.client.send(command));
      return response.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw new BlobNotFoundError(digest);
      throw error;
    }
  }

  async stat(digest: string): Promise<{ size: number } | null> {
    const command = new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(digest) });
    try {
      const response = await this.call(() => this.client.send(command));
      return { size: response.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async delete(digest: string): Promise<void> {
    const command = new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(digest) });
    await this.call(() => this.client.send(command));
  }

  async clear(): Promise<void> {
    for await (const objects of this.pages()) {
      const keys = objects.flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length > 0) await this.deleteBatch(keys);
    }
  }

  async *list(): AsyncIterable<ListedBlob> {
    for await (const objects of this.pages()) {
      for (const object of objects) {
        const digest = object.Key?.slice(this.blobPrefix.length) ?? '';
        if (!isSha256Hex(digest)) continue;
        yield { digest, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
      }
    }
  }

  /** The objects under the blob prefix, one listing page (up to DELETE_BATCH keys) at a time. */
  private async *pages(): AsyncIterable<_Object[]> {
    let continuationToken: string | undefined;
    do {
      const token = continuationToken;
      const listing = await this.call(() =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.blobPrefix,
            MaxKeys: DELETE_BATCH,
            ContinuationToken: token,
          }),
        ),
      );
      yield listing.Contents ?? [];
      continuationToken = listing.IsTruncated ? listing.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  async ping(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      throw new ComponentUnavailableError(COMPONENT, `bucket ${this.bucket}: ${describe(error)}`);
    }
  }

  async presignDownload(digest: string, fileName: string): Promise<string | null> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.keyOf(digest),
      ResponseContentDisposition: attachmentDisposition(fileName),
    });
    return this.call(() => getSignedUrl(this.client, command, { expiresIn: PRESIGNED_URL_SECONDS }));
  }

  private async deleteBatch(keys: { Key: string }[]): Promise<void> {
    const response = await this.call(() =>
      this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }),
      ),
    );
    const failure = response.Errors?.[0];
    if (failure) {
      throw new Error(
        `could not delete ${response.Errors?.length} blobs, first ${failure.Key}: ${failure.Message}`,
      );
    }
  }

  /** Runs one SDK operation, turning an unreachable or failing service into a 503 for the API. */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isUnavailable(error)) throw new ComponentUnavailableError(COMPONENT, describe(error));
      throw error;
    }
  }

  private keyOf(digest: string): string {
    if (!isSha256Hex(digest)) throw new Error(`not a lowercase SHA-256 hex digest: "${digest}"`);
    return `${this.blobPrefix}${digest}`;
  }
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function isUnavailable(error: unknown): boolean {
  const sdkError = error as SdkError;
  const status = sdkError.$metadata?.httpStatusCode ?? 0;
  return (
    NETWORK_ERROR_CODES.has(sdkError.code ?? '') ||
    sdkError.name === 'TimeoutError' ||
    sdkError.name === 'NoSuchBucket' ||
    sdkError.name === 'CredentialsProviderError' ||
    status >= 500
  );
}

function isNotFound(error: unknown): boolean {
  const sdkError = error as SdkError;
  return (
    sdkError.name === 'NoSuchKey' ||
    sdkError.name === 'NotFound' ||
    sdkError.$metadata?.httpStatusCode === 404
  );
}

function describe(error: unknown): string {
  const sdkError = error as SdkError;
  return [sdkError.code ?? sdkError.name, sdkError.message].filter(Boolean).join(': ') || String(error);
}

/** RFC 6266: an ASCII fallback name plus the exact name percent-encoded as UTF-8. */
function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
