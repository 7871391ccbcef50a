import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  NoSuchUpload,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

interface StoredObject {
  body: Buffer;
  lastModified: Date;
}

/** The largest page ListObjectsV2 answers, whatever MaxKeys asks for. */
const MAX_LIST_KEYS = 1000;

/**
 * One S3 bucket kept in memory, behind a real S3Client whose `send` answers the commands the
 * blob store uses the way S3 does (NoSuchKey and 404s for absent keys, sorted and paginated
 * listings with continuation tokens, quiet batch deletes, multipart uploads). Presigning still
 * goes through the real client's signer, which never touches the network.
 */
export class InMemoryS3 extends S3Client {
  /** Objects by key. */
  readonly objects = new Map<string, StoredObject>();
  /** Names of the commands sent, in order (e.g. 'PutObjectCommand'). */
  readonly sent: string[] = [];
  /** Keys a DeleteObjects answers with AccessDenied for (a bucket policy protecting them). */
  readonly undeletable = new Set<string>();
  /** While set, every command fails with this error, as when S3 cannot be reached. */
  outage: Error | null = null;
  private readonly uploads = new Map<string, { key: string; parts: Map<number, Buffer> }>();

  constructor(readonly bucket = 'models') {
    super({ region: 'us-east-1', credentials: { accessKeyId: 'test-key', secretAccessKey: 'test-secret' } });
    this.send = ((command: object) => this.answer(command)) as unknown as S3Client['send'];
  }

  /** Stores an object directly, as another writer of the bucket would. */
  putObject(key: string, body: Buffer | string, lastModified = new Date()): void {
    this.objects.set(key, { body: Buffer.from(body), lastModified });
  }

  private async answer(command: object): Promise<unknown> {
    this.sent.push(command.constructor.name);
    if (this.outage) throw this.outage;
    const input = (command as { input: Record<string, unknown> }).input;
    if (input.Bucket !== this.bucket) {
      throw new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: status(404) });
    }
    const key = input.Key as string;
    if (command instanceof HeadBucketCommand) return { $metadata: status(200) };
    if (command instanceof HeadObjectCommand) {
      const found = this.objects.get(key);
      // HEAD answers carry no body, so the SDK can only say "NotFound".
      if (!found) throw new NotFound({ message: 'UnknownError', $metadata: status(404) });
      return { ContentLength: found.body.length, LastModified: found.lastModified, $metadata: status(200) };
    }
    if (command instanceof GetObjectCommand) return this.get(key, input.Range as string | undefined);
    if (command instanceof PutObjectCommand) {
      this.putObject(key, await bytesOf(input.Body));
      return { ETag: `"${randomUUID()}"`, $metadata: status(200) };
    }
    if (command instanceof DeleteObjectCommand) {
      this.objects.delete(key);
      return { $metadata: status(204) };
    }
    if (command instanceof DeleteObjectsCommand) return this.deleteMany(command.input);
    if (command instanceof ListObjectsV2Command) return this.list(command.input);
    return this.multipart(command, key, input);
  }

  private get(key: string, range: string | undefined): unknown {
    const found = this.objects.get(key);
    if (!found) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: status(404) });
    const match = range ? /^bytes=(\d+)-(\d+)$/.exec(range) : null;
    const body = match ? found.body.subarray(Number(match[1]), Number(match[2]) + 1) : found.body;
    return { Body: Readable.from([body]), ContentLength: body.length, $metadata: status(match ? 206 : 200) };
  }

  private deleteMany(input: DeleteObjectsCommand['input']): unknown {
    const errors = [];
    for (const { Key } of input.Delete?.Objects ?? []) {
      if (Key && this.undeletable.has(Key))
        errors.push({ Key, Code: 'AccessDenied', Message: 'Access Denied' });
      else if (Key) this.objects.delete(Key);
    }
    // Quiet mode reports only the failures.
    return { Errors: errors.length > 0 ? errors : undefined, $metadata: status(200) };
  }

  private list(input: ListObjectsV2Command['input']): unknown {
    const prefix = input.Prefix ?? '';
    const after = input.ContinuationToken ? Buffer.from(input.ContinuationToken, 'base64').toString() : '';
    const keys = [...this.objects.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
    const page = keys.slice(0, Math.min(input.MaxKeys ?? MAX_LIST_KEYS, MAX_LIST_KEYS));
    const truncated = page.length < keys.length;
    return {
      Contents: page.length > 0 ? page.map((key) => this.listed(key)) : undefined,
      KeyCount: page.length,
      IsTruncated: truncated,
      NextContinuationToken: truncated ? Buffer.from(page.at(-1) ?? '').toString('base64') : undefined,
      $metadata: status(200),
    };
  }

  private listed(key: string) {
    const object = this.objects.get(key) as StoredObject;
    return { Key: key, Size: object.body.length, LastModified: object.lastModified };
  }

  private async multipart(command: object, key: string, input: Record<string, unknown>): Promise<unknown> {
    if (command instanceof CreateMultipartUploadCommand) {
      const UploadId = randomUUID();
      this.uploads.set(UploadId, { key, parts: new Map() });
      return { UploadId, Bucket: this.bucket, Key: key, $metadata: status(200) };
    }
    const upload = this.uploads.get(input.UploadId as string);
    if (!upload)
      throw new NoSuchUpload({ message: 'The specified upload does not exist.', $metadata: status(404) });
    if (command instanceof UploadPartCommand) {
      upload.parts.set(input.PartNumber as number, await bytesOf(input.Body));
      return { ETag: `"part-${input.PartNumber}"`, $metadata: status(200) };
    }
    this.uploads.delete(input.UploadId as string);
    if (command instanceof CompleteMultipartUploadCommand) {
      const numbers = (command.input.MultipartUpload?.Parts ?? []).map((part) => part.PartNumber ?? 0);
      this.putObject(
        key,
        Buffer.concat(numbers.map((number) => upload.parts.get(number) ?? Buffer.alloc(0))),
      );
      return {
        Bucket: this.bucket,
        Key: key,
        ETag: `"${randomUUID()}-${numbers.length}"`,
        $metadata: status(200),
      };
    }
    if (command instanceof AbortMultipartUploadCommand) return { $metadata: status(204) };
    throw new Error(`InMemoryS3 does not answer ${command.constructor.name}`);
  }
}

/** An error as the SDK raises it for an HTTP answer with this status (e.g. 503 SlowDown). */
export function s3ServiceError(name: string, httpStatusCode: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'server', message: name, $metadata: status(httpStatusCode) });
}

/** An error as Node raises it when no connection can be made (ECONNREFUSED, ETIMEDOUT ...). */
export function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9000`), { code });
}

function status(httpStatusCode: number) {
  return { httpStatusCode };
}

async function bytesOf(body: unknown): Promise<Buffer> {
  if (typeof body === 'string' || body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
