import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/domain/errors.js';
import { ResponseCache } from '../../../src/sources/http-cache.js';
import { retryAfterSeconds, upstreamFetch } from '../../../src/sources/upstream-fetch.js';

/** A scripted transport: answers each call with the next response and records the URLs. */
function scripted(...answers: (() => Response)[]) {
  const calls: string[] = [];
  const fetchImpl = (async (input: Parameters<typeof fetch>[0]) => {
    calls.push(String(input));
    const next = answers.shift();
    if (!next) throw new Error('no more scripted answers');
    return next();
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const json =
  (body: unknown, init: ResponseInit = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      ...init,
      headers: { 'content-type': 'application/json', ...init.headers },
    });

const options = { ttlMs: 1000, maxEntries: 2, maxBodyBytes: 64, maxTotalBytes: 1000 };

describe('ResponseCache', () => {
  it('answers a repeated GET from memory and counts hits and misses', async () => {
    const { calls, fetchImpl } = scripted(json({ a: 1 }));
    const cache = new ResponseCache(options);
    const cached = cache.wrap(fetchImpl);
    expect(await (await cached('http://x/a')).json()).toEqual({ a: 1 });
    const again = await cached('http://x/a');
    expect(await again.json()).toEqual({ a: 1 });
    expect(again.headers.get('content-type')).toBe('application/json');
    expect(calls).toHaveLength(1);
    expect([cache.hits, cache.misses, cache.size]).toEqual([1, 1, 1]);
  });

  it('keys on the Range header and never caches errors, non-GETs or binary bodies', async () => {
    const { calls, fetchImpl } = scripted(
      json({ n: 1 }),
      json({ n: 2 }),
      json({ error: 'x' }, { status: 500 }),
      json({ error: 'x' }, { status: 500 }),
      () => new Response('bytes', { headers: { 'content-type': 'application/octet-stream' } }),
      () => new Response('bytes', { headers: { 'content-type': 'application/octet-stream' } }),
      json({ posted: true }),
    );
    const cached = new ResponseCache({ ...options, maxEntries: 10 }).wrap(fetchImpl);
    await cached('http://x/r', { headers: { range: 'bytes=0-0' } });
    await cached('http://x/r');
    await cached('http://x/r', { headers: { range: 'bytes=0-0' } });
    await cached('http://x/e');
    await cached('http://x/e');
    await cached('http://x/b');
    await cached('http://x/b');
    await cached('http://x/p', { method: 'POST' });
    expect(calls).toEqual([
      'http://x/r',
      'http://x/r',
      'http://x/e',
      'http://x/e',
      'http://x/b',
      'http://x/b',
      'http://x/p',
    ]);
  });

  it('hands back bodies larger than maxBodyBytes whole, without caching them', async () => {
    const big = 'y'.repeat(200);
    const chunked = () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (let i = 0; i < 4; i += 1)
              controller.enqueue(new TextEncoder().encode(big.slice(i * 50, i * 50 + 50)));
            controller.close();
          },
        }),
        { headers: { 'content-type': 'text/plain' } },
      );
    const { calls, fetchImpl } = scripted(chunked, chunked);
    const cache = new ResponseCache(options);
    const cached = cache.wrap(fetchImpl);
    expect(await (await cached('http://x/big')).text()).toBe(big);
    expect(await (await cached('http://x/big')).text()).toBe(big);
    expect(calls).toHaveLength(2);
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry beyond maxEntries, and expired entries', async () => {
    let now = 0;
    const { calls, fetchImpl } = scripted(json(1), json(2), json(3), json(1), json(2));
    const cache = new ResponseCache({ ...options, now: () => now });
    const cached = cache.wrap(fetchImpl);
    await cached('http://x/1');
    await cached('http://x/2');
    await cached('http://x/1'); // hit: 1 becomes the most recent
    await cached('http://x/3'); // evicts 2
    await cached('http://x/1'); // still cached
    await cached('http://x/2'); // fetched again
    now = 5000;
    await cached('http://x/1'); // expired
    expect(calls).toEqual(['http://x/1', 'http://x/2', 'http://x/3', 'http://x/2', 'http://x/1']);
  });

  it('bounds the bytes held in all entries together', async () => {
    const { calls, fetchImpl } = scripted(json('a'.repeat(40)), json('b'.repeat(40)), json('a'.repeat(40)));
    const cached = new ResponseCache({ ...options, maxEntries: 10, maxTotalBytes: 60 }).wrap(fetchImpl);
    await cached('http://x/a');
    await cached('http://x/b'); // pushes a out: 2 x 42 bytes > 60
    await cached('http://x/a');
    expect(calls).toEqual(['http://x/a', 'http://x/b', 'http://x/a']);
  });
});

describe('upstreamFetch', () => {
  const policy = { upstream: 'Test', timeoutMs: 1000, retries: 2, retryDelayMs: 1, maxRetryAfterSeconds: 30 };

  it('retries 429 and 5xx answers, then returns the success', async () => {
    const { calls, fetchImpl } = scripted(
      json({}, { status: 429, headers: { 'retry-after': '2' } }),
      json({}, { status: 502 }),
      json({ ok: true }),
    );
    const response = await upstreamFetch(policy, fetchImpl)('http://x/');
    expect(await response.json()).toEqual({ ok: true });
    expect(calls).toHaveLength(3);
  });

  it('returns the last failing answer (not 429) for the client to report', async () => {
    const { fetchImpl } = scripted(
      json({}, { status: 500 }),
      json({}, { status: 500 }),
      json({}, { status: 503 }),
    );
    expect((await upstreamFetch(policy, fetchImpl)('http://x/')).status).toBe(503);
  });

  it('does not retry other client errors, nor non-idempotent requests', async () => {
    const { calls, fetchImpl } = scripted(json({}, { status: 404 }), json({}, { status: 503 }));
    const wrapped = upstreamFetch(policy, fetchImpl);
    expect((await wrapped('http://x/a')).status).toBe(404);
    expect((await wrapped('http://x/b', { method: 'POST' })).status).toBe(503);
    expect(calls).toHaveLength(2);
  });

  it('turns an exhausted 429 into a 503 UpstreamError that says when to retry', async () => {
    const limited = json({}, { status: 429, headers: { 'retry-after': '3' } });
    const { fetchImpl } = scripted(limited, limited, limited);
    const error = await upstreamFetch(policy, fetchImpl)('http://x/').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      statusCode: 503,
      message: 'Test rate limit reached; retry after 3 seconds.',
    });
  });

  it('says "later" when a 429 names no wait', async () => {
    const limited = json({}, { status: 429 });
    const { fetchImpl } = scripted(limited, limited, limited);
    await expect(upstreamFetch(policy, fetchImpl)('http://x/')).rejects.toThrow(
      'Test rate limit reached; retry later.',
    );
  });

  it('retries network failures and reports a 502 when they persist', async () => {
    const failing = () => {
      throw new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') });
    };
    const { calls, fetchImpl } = scripted(failing, failing, failing);
    await expect(upstreamFetch(policy, fetchImpl)('http://x/')).rejects.toMatchObject({
      statusCode: 502,
      message: 'Test could not be reached: fetch failed (ECONNREFUSED)',
    });
    expect(calls).toHaveLength(3);
  });

  it('does not retry when the caller aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { calls, fetchImpl } = scripted(() => {
      throw new DOMException('aborted', 'AbortError');
    });
    await expect(
      upstreamFetch(policy, fetchImpl)('http://x/', { signal: controller.signal }),
    ).rejects.toThrow('aborted');
    expect(calls).toHaveLength(1);
  });
});

describe('retryAfterSeconds', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterSeconds('120')).toBe(120);
    expect(retryAfterSeconds('1.2')).toBe(2);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds('soon')).toBeNull();
    expect(retryAfterSeconds(new Date(Date.now() + 10_500).toUTCString())).toBeGreaterThanOrEqual(9);
    expect(retryAfterSeconds(new Date(0).toUTCString())).toBe(0);
  });
});
