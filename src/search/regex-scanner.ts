import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BadRequestError, PayloadTooLargeError } from '../domain/errors.js';
import type { PatternLimits } from './regex.js';

/** Messages to and from src/search/regex-worker.ts. */
export type ScanRequest =
  | { kind: 'compile'; pattern: string; limits: PatternLimits }
  /** Each candidate is the texts it is searched by (name, README); it matches when any does. */
  | { kind: 'scan'; candidates: string[][] };
export type ScanReply =
  | { kind: 'compiled' }
  | { kind: 'invalid'; message: string }
  | { kind: 'matched'; indices: number[] };

export interface RegexScannerOptions {
  limits: PatternLimits;
  /** Time budget of one search, from its start (waiting for a free worker included). */
  timeoutMs: number;
  /** Searches matching at once; more wait for a free worker within their own budget. */
  maxWorkers?: number;
}

/**
 * Regex searches run in worker threads, never on the event loop: a pattern that is slow on large
 * READMEs cannot delay other requests, and a search that reaches its deadline is stopped by
 * terminating its thread (matching cannot be interrupted any other way). Idle workers are kept
 * for the next search, so a search normally costs no thread start-up.
 */
export class RegexScanner {
  private readonly idle: Worker[] = [];
  private readonly waiting: Array<(worker: Worker) => void> = [];
  private readonly all = new Set<Worker>();
  private readonly maxWorkers: number;
  private closed = false;

  constructor(private readonly options: RegexScannerOptions) {
    this.maxWorkers = options.maxWorkers ?? availableParallelism();
  }

  /** Compiles `pattern` in a worker (400 for bad syntax or an oversized program) and starts the clock. */
  async start(pattern: string): Promise<RegexScan> {
    const scan = new RegexScan(this.options.timeoutMs, () => this.acquire());
    await scan.begin(pattern, this.options.limits, (worker, healthy) => this.release(worker, healthy));
    return scan;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((worker) => worker.terminate()));
    this.all.clear();
    this.idle.length = 0;
  }

  private acquire(): { worker: Promise<Worker>; cancel(): void } {
    const ready = this.idle.pop();
    if (ready) return { worker: Promise.resolve(ready), cancel: () => {} };
    if (this.all.size < this.maxWorkers) return { worker: Promise.resolve(this.spawn()), cancel: () => {} };
    let handOver: (worker: Worker) => void = () => {};
    const worker = new Promise<Worker>((resolve) => {
      handOver = resolve;
      this.waiting.push(resolve);
    });
    return {
      worker,
      cancel: () => {
        const at = this.waiting.indexOf(handOver);
        if (at !== -1) this.waiting.splice(at, 1);
      },
    };
  }

  /** A worker back from a search; one that was terminated (deadline, crash) is replaced. */
  private release(worker: Worker, healthy: boolean): void {
    if (!healthy) {
      this.all.delete(worker);
      void worker.terminate();
    }
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) {
      next(healthy ? worker : this.spawn());
      return;
    }
    if (healthy) {
      worker.unref();
      this.idle.push(worker);
    }
  }

  private spawn(): Worker {
    const worker = startWorker();
    // Idle workers must not keep the process alive; a busy one is referenced by its pending reply.
    worker.unref();
    this.all.add(worker);
    return worker;
  }
}

/** One search: a worker holding the compiled pattern, and the deadline it must finish by. */
export class RegexScan {
  private worker: Worker | null = null;
  private releaseWorker: ((worker: Worker, healthy: boolean) => void) | null = null;
  private readonly expired: Promise<never>;
  private readonly timer: NodeJS.Timeout;
  private onExpiry: () => void = () => {};
  private finished = false;
  /** A request is in flight: the worker is mid-compile or mid-match. */
  private busy = false;
  /** The worker crashed or exited; it must not go back to the pool. */
  private broken = false;

  constructor(
    timeoutMs: number,
    private readonly acquire: () => { worker: Promise<Worker>; cancel(): void },
  ) {
    let expire: (error: Error) => void = () => {};
    this.expired = new Promise<never>((_, reject) => {
      expire = reject;
    });
    // Rejections are observed through withinBudget; this keeps an unobserved expiry quiet.
    this.expired.catch(() => {});
    this.timer = setTimeout(() => {
      this.onExpiry();
      expire(
        new PayloadTooLargeError(
          `The regex search was stopped at its time budget of ${timeoutMs} ms (REGEX_SEARCH_TIMEOUT_MS); ` +
            'use a more specific pattern.',
        ),
      );
    }, timeoutMs);
  }

  async begin(
    pattern: string,
    limits: PatternLimits,
    release: (worker: Worker, healthy: boolean) => void,
  ): Promise<void> {
    const pending = this.acquire();
    this.onExpiry = pending.cancel;
    try {
      this.worker = await this.withinBudget(pending.worker);
    } catch (error) {
      // The deadline passed while waiting; a worker handed over later goes straight back.
      void pending.worker.then((late) => release(late, true));
      this.end();
      throw error;
    }
    this.releaseWorker = release;
    // At the deadline the worker may be mid-match: only terminating it stops the work.
    this.onExpiry = () => this.finish(false);
    try {
      const reply = await this.ask({ kind: 'compile', pattern, limits });
      if (reply.kind === 'invalid') throw new BadRequestError(reply.message);
    } catch (error) {
      this.end();
      throw error;
    }
  }

  /** Which candidates match (their indices), each candidate being the texts it is searched by. */
  async match(candidates: string[][]): Promise<number[]> {
    const reply = await this.ask({ kind: 'scan', candidates });
    if (reply.kind !== 'matched') throw new Error(`unexpected reply from the regex worker: ${reply.kind}`);
    return reply.indices;
  }

  /** `work` (e.g. reading the next rows), or the deadline error if that comes first. */
  withinBudget<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.expired]);
  }

  /** Hands the worker back (or replaces it when it was stopped mid-match). Safe to call twice. */
  end(): void {
    this.finish(true);
  }

  private finish(healthy: boolean): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    if (this.worker && this.releaseWorker) {
      this.releaseWorker(this.worker, healthy && !this.busy && !this.broken);
    }
  }

  private ask(request: ScanRequest): Promise<ScanReply> {
    const worker = this.worker;
    if (!worker || this.finished) return Promise.reject(new Error('the regex search has ended'));
    const reply = new Promise<ScanReply>((resolve, reject) => {
      const onMessage = (message: ScanReply) => {
        cleanUp();
        resolve(message);
      };
      const onError = (error: Error) => {
        cleanUp();
        this.broken = true;
        reject(error);
      };
      const onExit = (code: number) => {
        cleanUp();
        this.broken = true;
        reject(new Error(`the regex worker stopped (exit code ${code})`));
      };
      const cleanUp = () => {
        this.busy = false;
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        worker.unref();
      };
      this.busy = true;
      worker.ref();
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage(request);
    });
    return this.withinBudget(reply);
  }
}

/**
 * The compiled worker sits next to this module in dist/. Running from the TypeScript sources
 * (tests, tsx) there is no .js file, so the worker loads its .ts source through tsx instead.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./regex-worker.js', here));
  const source = new URL('./regex-worker.ts', here).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(source)}, ${JSON.stringify(here)}))`;
  return new Worker(bootstrap, { eval: true });
}
