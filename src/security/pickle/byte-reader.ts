/** The bytes are not the format they claim to be: truncated, oversized or malformed. */
export class FormatError extends Error {}

/**
 * Pull-based reading over a stream of chunks, with a synchronous fast path: callers ask for
 * `ensure(n)` (async only when the buffered bytes do not cover n) and then take bytes without
 * awaiting, so disassembling costs about one comparison per opcode rather than one promise.
 * Memory holds at most one chunk plus the largest single read asked for.
 */
export class ByteReader {
  private buffer: Buffer = Buffer.alloc(0);
  private position = 0;
  /** Bytes consumed before the current buffer. */
  private consumedBefore = 0;
  private ended = false;

  constructor(private readonly chunks: AsyncIterator<Buffer>) {}

  static of(stream: AsyncIterable<Buffer | Uint8Array>): ByteReader {
    const iterator = stream[Symbol.asyncIterator]();
    return new ByteReader({
      next: async () => {
        const step = await iterator.next();
        return step.done ? step : { done: false, value: Buffer.from(step.value) };
      },
      return: async () => {
        await iterator.return?.();
        return { done: true, value: undefined };
      },
    });
  }

  /** Absolute offset of the next byte. */
  get offset(): number {
    return this.consumedBefore + this.position;
  }

  get available(): number {
    return this.buffer.length - this.position;
  }

  /** Make at least `n` bytes available; false when the stream ends first. */
  async ensure(n: number): Promise<boolean> {
    while (this.available < n) {
      if (this.ended) return false;
      const step = await this.chunks.next();
      if (step.done) {
        this.ended = true;
        return false;
      }
      const rest = this.buffer.subarray(this.position);
      this.consumedBefore += this.position;
      this.buffer = rest.length === 0 ? step.value : Buffer.concat([rest, step.value]);
      this.position = 0;
    }
    return true;
  }

  async require(n: number, what: string): Promise<void> {
    if (!(await this.ensure(n))) throw new FormatError(`truncated ${what} at offset ${this.offset}`);
  }

  /** The next `n` bytes without consuming them (fewer at the end of the stream). */
  async peek(n: number): Promise<Buffer> {
    await this.ensure(n);
    return this.buffer.subarray(this.position, this.position + n);
  }

  /** One byte; the caller has ensured it is available. */
  byte(): number {
    const value = this.buffer[this.position];
    if (value === undefined) throw new FormatError(`truncated at offset ${this.offset}`);
    this.position += 1;
    return value;
  }

  /** `n` bytes (a view, valid until the next ensure); the caller has ensured them. */
  take(n: number): Buffer {
    const bytes = this.buffer.subarray(this.position, this.position + n);
    this.position += n;
    return bytes;
  }

  /** Read `n` bytes and keep them, or skip them when they are too many to be worth keeping. */
  async takeOrSkip(n: number, keepUpTo: number, what: string): Promise<Buffer | null> {
    if (n <= keepUpTo) {
      await this.require(n, what);
      return Buffer.from(this.take(n));
    }
    await this.skip(n, what);
    return null;
  }

  /** Discard `n` bytes without buffering them all (a tensor's raw bytes inside a pickle). */
  async skip(n: number, what: string): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.available === 0) await this.require(1, what);
      const step = Math.min(left, this.available);
      this.position += step;
      left -= step;
    }
  }

  /** Bytes up to and excluding the next newline, which is consumed; at most `max` bytes. */
  async line(max: number, what: string): Promise<Buffer> {
    for (let scanned = 0; ; ) {
      const newline = this.buffer.indexOf(0x0a, this.position + scanned);
      if (newline !== -1 && newline - this.position <= max) {
        const text = Buffer.from(this.buffer.subarray(this.position, newline));
        this.position = newline + 1;
        return text;
      }
      scanned = this.available;
      if (scanned > max) throw new FormatError(`${what} longer than ${max} bytes at offset ${this.offset}`);
      await this.require(scanned + 1, what);
    }
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    return !(await this.ensure(1));
  }

  /** Stop reading the underlying stream early. */
  async close(): Promise<void> {
    await this.chunks.return?.();
  }
}
