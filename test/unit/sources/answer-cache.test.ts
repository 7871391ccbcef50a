import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conditionalFetch } from '../../../src/sources/answer-cache.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { memoryStore } from '../support/metadata-records.js';

const URL_A = 'https://api.github.com/repos/org/model';
const LIMITS = { maxBodyBytes: 1000, maxTotalBytes: 100_000 };

interface Seen {
  url: string;
  method: string;
  ifNoneMatch: string | null;
}

/**
 * GitHub as far as conditional requests go: each URL has a JSON body and an ETag; a request
 * carrying that ETag is answered 304 with fresh rate-limit headers and no body.
 */
interface Page {
  body: string;
  etag?: string;
  type?: string;
  status?: number;
}

function fakeGitHub(pages: Record<string, Page>) {
  const seen: Seen[] = [];
  let remaining = 5000;
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers = new Headers(init?.headers);
    seen.push({ url, method: init?.method ?? 'GET', ifNoneMatch: headers.get('if-none-match') });
    remaining -= 1;
    const page = pages[url];
    if (!page) return new Response('{"message":"Not Found"}', { status: 404 });
    const common = { 'x-ratelimit-remaining': String(remaining), date: `day ${seen.length}` };
    if (page.etag && headers.get('if-none-match') === page.etag) {
      return new Response(null, {
        status: 304,
        headers: { ...common, etag: page.etag, 'x-other': 'dropped' },
      });
    }
    return new Response(page.body, {
      status: page.status ?? 200,
      headers: {
        ...common,
        'content-type': page.type ?? 'application/json; charset=utf-8',
        ...(page.etag ? { etag: page.etag } : {}),
      },
    });
  };
  return { fetchImpl, seen };
}

describe('conditionalFetch', () => {
  let store: MetadataStore;

  beforeEach(async () => {
    store = await memoryStore();
  });

  afterEach(() => store.close());

  it('revalidates a kept answer and serves it again from a 304, with the fresh rate-limit headers', async () => {
    const github = fakeGitHub({ [URL_A]: { body: '{"stars":42}', etag: 'W/"v1"' } });
    const cached = conditionalFetch(github.fetchImpl, store, LIMITS);

    const first = await cached(URL_A);
    expect(await first.json()).toEqual({ stars: 42 });
    const second = await cached(URL_A);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ stars: 42 });
    expect(second.headers.get('x-ratelimit-remaining')).toBe('4998');
    expect(second.headers.get('date')).toBe('day 2');
    expect(second.headers.get('etag')).toBe('W/"v1"');
    expect(second.headers.get('x-other')).toBeNull();
    expect(github.seen.map(({ ifNoneMatch }) => ifNoneMatch)).toEqual([null, 'W/"v1"']);
  });

  it('shares kept answers through the store, across instances and restarts', async () => {
    const github = fakeGitHub({ [URL_A]: { body: '{"stars":42}', etag: '"v1"' } });
    await (await conditionalFetch(github.fetchImpl, store, LIMITS)(URL_A)).text();
    const another = conditionalFetch(github.fetchImpl, store, LIMITS);
    expect(await (await another(new URL(URL_A))).json()).toEqual({ stars: 42 });
    expect(await (await another(new Request(URL_A))).json()).toEqual({ stars: 42 });
    expect(github.seen.map(({ ifNoneMatch }) => ifNoneMatch)).toEqual([null, '"v1"', '"v1"']);
  });

  it('never serves an answer seen with one token to a request with another or none', async () => {
    const github = fakeGitHub({ [URL_A]: { body: '{"private":true}', etag: '"p1"' } });
    const cached = conditionalFetch(github.fetchImpl, store, LIMITS);
    await (await cached(URL_A, { headers: { authorization: 'Bearer alice' } })).text();
    await (await cached(URL_A)).text();
    await (await cached(URL_A, { headers: { authorization: 'Bearer bob' } })).text();
    await (await cached(URL_A, { headers: { authorization: 'Bearer alice' } })).text();
    expect(github.seen.map(({ ifNoneMatch }) => ifNoneMatch)).toEqual([null, null, null, '"p1"']);
  });

  it('keeps answers per Accept header', async () => {
    const github = fakeGitHub({ [URL_A]: { body: '{}', etag: '"a"' } });
    const cached = conditionalFetch(github.fetchImpl, store, LIMITS);
    await (await cached(URL_A, { headers: { accept: 'application/vnd.github+json' } })).text();
    await (await cached(URL_A, { headers: { accept: 'application/vnd.github.raw' } })).text();
    expect(github.seen.map(({ ifNoneMatch }) => ifNoneMatch)).toEqual([null, null]);
  });

  it.each<[string, Page]>([
    ['without an ETag', { body: '{}' }],
    ['that are not JSON', { body: 'plain', etag: '"t"', type: 'text/plain' }],
    ['that are not 200', { body: '{}', etag: '"t"', status: 203 }],
    ['larger than the limit', { body: JSON.stringify({ text: 'x'.repeat(2000) }), etag: '"big"' }],
  ])('does not keep answers %s, but passes them on intact', async (_label, page) => {
    const github = fakeGitHub({ [URL_A]: page });
    const cached = conditionalFetch(github.fetchImpl, store, LIMITS);
    for (let round = 0; round < 2; round++) {
      const response = await cached(URL_A);
      expect(response.status).toBe('status' in page ? page.status : 200);
      expect(await response.text()).toBe(page.body);
    }
    expect(github.seen.map(({ ifNoneMatch }) => ifNoneMatch)).toEqual([null, null]);
  });

  it('does not read a body whose declared length is over the limit', async () => {
    const declared = new Response('{"huge":true}', {
      headers: { etag: '"h"', 'content-type': 'application/json', 'content-length': '5000' },
    });
    const response = await conditionalFetch(async () => declared, store, LIMITS)(URL_A);
    expect(response).toBe(declared);
    expect(declared.bodyUsed).toBe(false);
  });

  it('sends anything but GET straight through, without conditions', async () => {
    const github = fakeGitHub({ [URL_A]: { body: '{}', etag: '"v"' } });
    const cached = conditionalFetch(github.fetchImpl, store, LIMITS);
    await (await cached(URL_A)).text();
    await (await cached(URL_A, { method: 'post', body: '{}' })).text();
    expect(github.seen.slice(1)).toEqual([{ url: URL_A, method: 'post', ifNoneMatch: null }]);
  });

  it('keeps the latest answer when the ETag changes', async () => {
    const pages = { [URL_A]: { body: '{"v":1}', etag: '"1"' } };
    const github = fakeGitHub(pages);
    const cached = conditionalFetch(github.fetchImpl, store, LIMITS);
    await (await cached(URL_A)).text();
    pages[URL_A] = { body: '{"v":2}', etag: '"2"' };
    expect(await (await cached(URL_A)).json()).toEqual({ v: 2 });
    expect(await (await cached(URL_A)).json()).toEqual({ v: 2 });
    expect(github.seen.map(({ ifNoneMatch }) => ifNoneMatch)).toEqual([null, '"1"', '"2"']);
  });

  it('uses the default limits when none are given', async () => {
    const github = fakeGitHub({ [URL_A]: { body: JSON.stringify({ text: 'x'.repeat(2000) }), etag: '"d"' } });
    const cached = conditionalFetch(github.fetchImpl, store);
    await (await cached(URL_A)).text();
    await (await cached(URL_A)).text();
    expect(github.seen.map(({ ifNoneMatch }) => ifNoneMatch)).toEqual([null, '"d"']);
  });
});
