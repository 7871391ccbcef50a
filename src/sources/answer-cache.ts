import { createHash } from 'node:crypto';
import type { MetadataStore } from '../storage/metadata/metadata-store.js';

export type AnswerStore = Pick<MetadataStore, 'getUpstreamAnswer' | 'putUpstreamAnswer'>;

export interface AnswerCacheOptions {
  /** Larger answers are not kept (GitHub's JSON pages are a few hundred KB at most). */
  maxBodyBytes: number;
  /** Bound on all kept answers together; the least recently used go first. */
  maxTotalBytes: number;
}

export const DEFAULT_ANSWER_CACHE: AnswerCacheOptions = {
  maxBodyBytes: 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
};

/** Headers that describe the moment of the answer, not its content: taken from the 304. */
const FRESH_HEADERS = /^(x-ratelimit-|date$|retry-after$)/;

/**
 * Wraps `fetch` with conditional requests against answers kept in the metadata store: a GET
 * answered before is sent with `If-None-Match`, and a `304 Not Modified` (which GitHub does not
 * count against its rate limit) is turned back into the kept answer. JSON answers with an ETag
 * are kept, so a restart or another instance revalidates instead of spending the budget again.
 * Keys include a digest of the Authorization header: answers seen with a token are never
 * served to a request without it.
 */
export function conditionalFetch(
  fetchImpl: typeof fetch,
  store: AnswerStore,
  options: AnswerCacheOptions = DEFAULT_ANSWER_CACHE,
): typeof fetch {
  return async (input, init) => {
    if ((init?.method ?? 'GET').toUpperCase() !== 'GET') return fetchImpl(input, init);
    const headers = new Headers(init?.headers);
    const key = answerKey(input, headers);
    const kept = await store.getUpstreamAnswer(key);
    if (kept) headers.set('if-none-match', kept.etag);
    const response = await fetchImpl(input, { ...init, headers });

    if (response.status === 304 && kept) {
      const merged = new Headers(kept.headers);
      for (const [name, value] of response.headers) if (FRESH_HEADERS.test(name)) merged.set(name, value);
      await store.putUpstreamAnswer({ ...kept, usedAt: new Date() }, options.maxTotalBytes);
      return new Response(kept.body, { status: kept.status, headers: merged });
    }
    const etag = response.headers.get('etag');
    const type = response.headers.get('content-type') ?? '';
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (response.status !== 200 || !etag || !/json/i.test(type) || declared > options.maxBodyBytes) {
      return response;
    }
    const body = await response.text();
    const answer = new Response(body, { status: response.status, headers: response.headers });
    if (Buffer.byteLength(body) > options.maxBodyBytes) return answer;
    await store.putUpstreamAnswer(
      { key, etag, status: response.status, headers: [...response.headers], body, usedAt: new Date() },
      options.maxTotalBytes,
    );
    return answer;
  };
}

function answerKey(input: Parameters<typeof fetch>[0], headers: Headers): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const who = createHash('sha256')
    .update(headers.get('authorization') ?? '')
    .digest('hex')
    .slice(0, 16);
  return `${url}\n${headers.get('accept') ?? ''}\n${who}`;
}
