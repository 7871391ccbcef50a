import type { Readable } from 'node:stream';
import { UpstreamError } from '../domain/errors.js';
import type { SourceFile } from '../sources/source.js';

/**
 * One total deadline over an ingest (metadata, rating and download together), where each
 * request's own timeout only bounds silence: a source dripping a byte a second never goes
 * silent, yet must not hold an ingest for hours. When the deadline passes, every stream still
 * being read is destroyed (the package writers remove their partial files) and the ingest fails
 * with 504; nothing is stored.
 */
export class IngestDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  readonly error: UpstreamError;

  constructor(url: string, deadlineMs: number) {
    this.error = new UpstreamError(
      `Ingesting ${url} took longer than the ingest deadline of ${formatSeconds(deadlineMs)} (INGEST_DEADLINE_MS); nothing was stored.`,
      504,
    );
    this.timer = setTimeout(() => this.controller.abort(this.error), deadlineMs);
  }

  /** `work`, or the deadline error as soon as the deadline passes (whichever comes first). */
  async race<T>(work: Promise<T>): Promise<T> {
    const signal = this.controller.signal;
    if (signal.aborted) throw this.error;
    let onAbort = (): void => {};
    const expired = new Promise<never>((_, reject) => {
      onAbort = () => reject(this.error);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    // The work may fail after the deadline won the race; that failure is already answered.
    work.catch(() => {});
    try {
      return await Promise.race([work, expired]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** The stream, destroyed with the deadline error if it is still open when the deadline passes. */
  bound(stream: Readable): Readable {
    const signal = this.controller.signal;
    if (signal.aborted) {
      stream.destroy(this.error);
      return stream;
    }
    const onAbort = () => stream.destroy(this.error);
    signal.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => signal.removeEventListener('abort', onAbort));
    return stream;
  }

  /** The files, each opened as a bounded stream. */
  boundFiles(files: SourceFile[]): SourceFile[] {
    return files.map((file) => ({ ...file, open: async () => this.bound(await file.open()) }));
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
