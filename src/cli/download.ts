import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, EXIT } from './exit-codes.js';
import { note, type Output } from './output.js';
import { createProgress } from './progress.js';
import { causeOf, NetworkError, type RegistryClient } from './registry-client.js';

export interface DownloadJob {
  client: RegistryClient;
  path: string;
  query: Record<string, string | undefined>;
  output: string;
  /** How many times a broken connection is resumed within this run. */
  retries: number;
  out: Output;
}

export interface DownloadResult {
  output: string;
  bytes: number;
  /** Where this run started: >0 when it resumed an earlier run's partial file. */
  resumedFrom: number;
  reconnects: number;
  verified: boolean;
}

/** Kept beside `<output>.part`: which representation the partial bytes belong to. */
interface PartialState {
  url: string;
  etag: string;
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

/**
 * Downloads to `<output>.part` and renames it when complete. A broken connection is resumed with
 * `Range` + `If-Range` (the ETag), here up to `retries` times and by any later run of the same
 * command; if the package changed meanwhile the registry answers 200 and it starts over. When
 * the registry sends `Repr-Digest` (full packages), the result's SHA-256 is checked.
 */
export async function downloadWithResume(job: DownloadJob): Promise<DownloadResult> {
  const url = job.client.url(job.path, job.query);
  const part = `${job.output}.part`;
  const statePath = `${job.output}.part.json`;
  const previous = await readState(statePath);
  let offset = previous?.url === url ? await sizeOf(part) : 0;
  let etag = offset > 0 ? (previous?.etag ?? null) : null;
  const resumedFrom = offset;
  if (resumedFrom > 0) note(job.out, `Resuming ${job.output} from byte ${resumedFrom}.`);
  let reconnects = 0;
  let digest: string | null = null;

  for (;;) {
    try {
      const resuming = offset > 0 && etag !== null;
      const response = await job.client.request(job.path, {
        query: job.query,
        headers: resuming ? { range: `bytes=${offset}-`, 'if-range': etag as string } : {},
        accept: [416],
      });
      const total = totalOf(response);
      if (response.status === 416) {
        await response.body?.cancel();
        if (total === offset) break; // the partial file is already complete
        offset = 0;
        etag = null;
        continue;
      }
      if (response.status !== 206) offset = 0;
      etag = response.headers.get('etag');
      digest = sha256Of(response.headers.get('repr-digest'));
      if (etag) await writeFile(statePath, JSON.stringify({ url, etag } satisfies PartialState));
      const progress = createProgress(job.out, 'download', total, offset);
      let written = offset;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          written += chunk.length;
          progress.update(written);
          done(null, chunk);
        },
      });
      try {
        await pipeline(
          Readable.fromWeb(response.body as WebReadableStream),
          counter,
          createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' }),
        );
      } catch (error) {
        throw new NetworkError(`the connection broke off at byte ${written}: ${causeOf(error)}`);
      }
      if (total !== null && written !== total) {
        throw new NetworkError(`the connection closed at byte ${written} of ${total}`);
      }
      progress.finish(`Downloaded ${job.output}`);
      break;
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      offset = await sizeOf(part);
      if (reconnects >= job.retries) {
        throw new CliError(
          `${error.message}. ${offset} bytes are in ${part}: run the same command again to resume.`,
          EXIT.failure,
        );
      }
      reconnects += 1;
      note(
        job.out,
        `${error.message}; resuming from byte ${offset} (retry ${reconnects} of ${job.retries}).`,
      );
      await sleep(BACKOFF_MS[Math.min(reconnects - 1, BACKOFF_MS.length - 1)]);
    }
  }

  if (digest !== null && (await fileSha256(part)) !== digest) {
    await rm(part, { force: true });
    await rm(statePath, { force: true });
    throw new CliError(
      `${job.output} does not match the registry's SHA-256; the partial file was removed`,
      EXIT.failure,
    );
  }
  await rename(part, job.output);
  await rm(statePath, { force: true });
  return {
    output: job.output,
    bytes: await sizeOf(job.output),
    resumedFrom,
    reconnects,
    verified: digest !== null,
  };
}

/** The representation's full size from Content-Range (`bytes a-b/N`, or `bytes *` and `/N` on a 416) or Content-Length. */
function totalOf(response: Response): number | null {
  const range = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
  if (range) return Number(range[1]);
  const length = response.headers.get('content-length');
  return length === null ? null : Number(length);
}

/** `sha-256=:<base64>:` as hex, or null. */
function sha256Of(header: string | null): string | null {
  const match = /sha-256=:([A-Za-z0-9+/=]+):/.exec(header ?? '');
  return match ? Buffer.from(match[1] as string, 'base64').toString('hex') : null;
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (info) => info.size,
    () => 0,
  );
}

async function readState(path: string): Promise<PartialState | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as PartialState;
  } catch {
    return null;
  }
}
