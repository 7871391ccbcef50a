import { EventEmitter } from 'node:events';
import type { RequestOptions } from 'node:http';
import { Readable } from 'node:stream';

/** How the fake web answers one URL. */
export type FakeAnswer =
  | { status: number; headers?: Record<string, string>; body?: string }
  /** The connection fails with this error code (ECONNREFUSED, ENOTFOUND ...). */
  | { fail: string }
  /** Nothing comes back: the socket stays silent until the request's timeout fires. */
  | { silent: true }
  /** The headers come, then the body stalls until the timeout fires. */
  | { stallAfterHeaders: { status: number; headers?: Record<string, string> } };

export interface SentRequest {
  module: 'http' | 'https';
  url: string;
  options: RequestOptions;
  /** Whether the response (if any) was destroyed by the caller. */
  response?: Readable;
}

/**
 * Stand-in for `http.request` / `https.request` (installed with vi.mock): answers from a table of
 * URLs, emitting what a ClientRequest emits ('response', 'error', 'timeout'), never opening a socket.
 */
export class FakeWeb {
  readonly answers = new Map<string, FakeAnswer>();
  readonly sent: SentRequest[] = [];

  reset(): void {
    this.answers.clear();
    this.sent.length = 0;
  }

  request(module: 'http' | 'https', url: URL, options: RequestOptions): FakeClientRequest {
    const sent: SentRequest = { module, url: url.href, options };
    this.sent.push(sent);
    return new FakeClientRequest(this.answers.get(url.href) ?? { fail: 'ENOTFOUND' }, sent);
  }
}

class FakeClientRequest extends EventEmitter {
  private destroyed = false;

  constructor(
    private readonly answer: FakeAnswer,
    private readonly sent: SentRequest,
  ) {
    super();
  }

  end(): void {
    setImmediate(() => this.respond());
  }

  destroy(error?: Error): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (error) this.emit('error', error);
    this.emit('close');
  }

  private respond(): void {
    const { answer } = this;
    if ('fail' in answer) {
      this.destroy(Object.assign(new Error(`getaddrinfo ${answer.fail}`), { code: answer.fail }));
    } else if ('silent' in answer) {
      this.emit('timeout');
    } else if ('stallAfterHeaders' in answer) {
      const body = new Readable({ read() {} });
      this.emitResponse(body, answer.stallAfterHeaders.status, answer.stallAfterHeaders.headers);
      setImmediate(() => this.emit('timeout'));
    } else {
      this.emitResponse(Readable.from([Buffer.from(answer.body ?? '')]), answer.status, answer.headers);
    }
  }

  private emitResponse(body: Readable, status: number, headers: Record<string, string> = {}): void {
    this.sent.response = Object.assign(body, { statusCode: status, headers });
    this.emit('response', body);
  }
}

export const fakeWeb = new FakeWeb();
