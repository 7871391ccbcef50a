import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayloadTooLargeError } from '../../../src/domain/errors.js';
import { receiveToFile } from '../../../src/packages/receive.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mg-receive-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function chunked(data: Buffer, size = 1000): Readable {
  return Readable.from(
    Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)),
  );
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('receiveToFile', () => {
  it('writes the body and returns its SHA-256 and size', async () => {
    const data = randomBytes(10_500);
    const dest = join(dir, 'ok');
    const result = await receiveToFile(chunked(data), dest, data.length);
    expect(result).toEqual({ digest: createHash('sha256').update(data).digest('hex'), size: data.length });
    expect((await readFile(dest)).equals(data)).toBe(true);
  });

  it('stops past the limit, destroys the body and removes the partial file', async () => {
    const body = chunked(randomBytes(10_500));
    const dest = join(dir, 'too-big');
    const err = await receiveToFile(body, dest, 4096).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as Error).message).toMatch(/limit of 4096 bytes/);
    expect(body.destroyed).toBe(true);
    expect(await exists(dest)).toBe(false);
  });

  it('removes the partial file when the body fails', async () => {
    const body = new PassThrough();
    body.write(randomBytes(2000));
    setImmediate(() => body.destroy(new Error('connection reset')));
    const dest = join(dir, 'broken');
    await expect(receiveToFile(body, dest, 1e9)).rejects.toThrow(/connection reset/);
    expect(await exists(dest)).toBe(false);
  });
});
