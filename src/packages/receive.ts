import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PayloadTooLargeError } from '../domain/errors.js';

/** Passes bytes through while hashing and counting them; fails once they exceed the limit. */
class DigestMeter extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      callback(new PayloadTooLargeError(`package exceeds the size limit of ${this.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Streams `body` into a new file at `destPath`, returning the SHA-256 (hex) and size of what
 * was written. Memory stays constant whatever the size. On any failure, including going over
 * `maxBytes`, the body is destroyed and the partial file removed.
 */
export async function receiveToFile(
  body: Readable,
  destPath: string,
  maxBytes: number,
): Promise<{ digest: string; size: number }> {
  const meter = new DigestMeter(maxBytes);
  const file = createWriteStream(destPath);
  try {
    await pipeline(body, meter, file);
  } catch (err) {
    await removePartial(file, destPath);
    throw err;
  }
  return { digest: meter.digest(), size: meter.size };
}

/** Waits for the file to close first: a still-opening stream would recreate a removed file. */
async function removePartial(file: WriteStream, path: string): Promise<void> {
  if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
  await rm(path, { force: true });
}
