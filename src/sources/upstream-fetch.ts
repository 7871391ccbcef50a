import { UpstreamError } from '../domain/errors.js';

/** How patiently one upstream is asked. */
export interface UpstreamPolicy {
  /** Name used in error messages ("Hugging Face"). */
  upstream: string;
  /** Time allowed until the response headers arrive, per attempt. */
  timeoutMs: number;
  /** Extra attempts after the first for 429, 5xx and network failures. */
  retries: number;
  /** Milliseconds one second of `Retry-After` stands for; also the first backoff step (tests shrink it). */
  retryDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the caller is told to come back later instead. */
  maxRetryAfterSeconds: number;
}

export const DEFAULT_UPSTREAM_POLICY: Omit<UpstreamPolicy, 'upstream'> = {
  timeoutMs: 30_000,
  retries: 3,
  retryDelayMs: 1000,
  maxRetryAfterSeconds: 30,
};

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/**
 * Wraps `fetch` with a per-attempt header timeout and bounded retries with exponential backoff
 * (honouring `Retry-After`) for idempotent requests. When retries run out on 429 it throws an
 * UpstreamError (503) that says when to retry; other failing responses are returned so the
 * client library can report them.
 */
export function upstreamFetch(policy: UpstreamPolicy, fetchImpl: typeof fetch = fetch): typeof fetch {
  const timed = timedFetch(fetchImpl, policy.timeoutMs);
  return async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const attempts = method === 'GET' || method === 'HEAD' ? policy.retries + 1 : 1;
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await timed(input, init);
      } catch (error) {
        if (init?.signal?.aborted) throw error;
        if (attempt < attempts) {
          await sleep(backoffMs(policy, attempt));
          continue;
        }
        throw new UpstreamError(`${policy.upstream} could not be reached: ${describe(error)}`);
      }
      if (!RETRYABLE_STATUS.has(response.status)) return response;

      const retryAfter =
        retryAfterSeconds(response.headers.get('retry-after')) ??
        rateLimitResetSeconds(response.headers.get('ratelimit'));
      const waitable = retryAfter === null || retryAfter <= policy.maxRetryAfterSeconds;
      if (attempt < attempts && waitable) {
        await response.body?.cancel();
        await sleep(retryAfter === null ? backoffMs(policy, attempt) : retryAfter * policy.retryDelayMs);
        continue;
      }
      if (response.status === 429) {
        await response.body?.cancel();
        throw rateLimitedError(policy.upstream, retryAfter);
      }
      return response;
    }
  };
}

export function rateLimitedError(upstream: string, retryAfter: number | null): UpstreamError {
  const when = retryAfter === null ? 'later' : `after ${retryAfter} seconds`;
  return new UpstreamError(`${upstream} rate limit reached; retry ${when}.`, 503, retryAfter);
}

/** `fetch` that gives up (rejects) when no response headers arrive within `timeoutMs`. */
export function timedFetch(fetchImpl: typeof fetch, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal;
    try {
      return await fetchImpl(input, { ...init, signal });
    } finally {
      clearTimeout(timer);
    }
  };
}

/** `Retry-After` as seconds: either delta-seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * Seconds until the window resets from an IETF `RateLimit` header (`"api";r=0;t=120`), which the
 * hub sends beside or instead of `Retry-After`.
 */
function rateLimitResetSeconds(header: string | null): number | null {
  const match = /(?:^|;)\s*t=(\d+)/.exec(header ?? '');
  return match?.[1] === undefined ? null : Number(match[1]);
}

function backoffMs(policy: UpstreamPolicy, attempt: number): number {
  return policy.retryDelayMs * 2 ** (attempt - 1);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
