import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetadataStore, UpstreamAnswer } from '../../../../src/storage/metadata/metadata-store.js';
import { at, memoryStore } from '../../support/metadata-records.js';

let store: MetadataStore;
beforeEach(async () => {
  store = await memoryStore();
});
afterEach(() => store.close());

/** An answer whose stored size (key + headers JSON + body, in UTF-8 bytes) is 100 + `extra`. */
function answer(key: string, minute: number, extra = 0): UpstreamAnswer {
  const headers: [string, string][] = [['etag', 'x']];
  const fixed = key.length + JSON.stringify(headers).length;
  return {
    key,
    etag: `"${key}"`,
    status: 200,
    headers,
    body: 'b'.repeat(100 + extra - fixed),
    usedAt: at(minute),
  };
}

const kept = async (...keys: string[]) => {
  const present: string[] = [];
  for (const key of keys) if (await store.getUpstreamAnswer(key)) present.push(key);
  return present;
};

describe('upstream answers', () => {
  it('keeps the most recently used answers that fit the byte bound, counting UTF-8 bytes', async () => {
    await store.putUpstreamAnswer(answer('a', 0), 1_000);
    await store.putUpstreamAnswer(answer('b', 1), 1_000);
    await store.putUpstreamAnswer(answer('c', 2), 1_000);
    expect(await kept('a', 'b', 'c')).toEqual(['a', 'b', 'c']);

    // Using "a" again makes it the newest; then a bound of 200 bytes keeps "a" and "c".
    await store.putUpstreamAnswer(answer('a', 3), 200);
    expect(await kept('a', 'b', 'c')).toEqual(['a', 'c']);

    // As many characters as a 100-byte answer, but 40 of them take two bytes: 140 bytes, so "a" no longer fits.
    const narrow = answer('d', 4);
    const wide = { ...narrow, body: `${'é'.repeat(40)}${narrow.body.slice(40)}` };
    await store.putUpstreamAnswer(wide, 200);
    expect(await kept('a', 'c', 'd')).toEqual(['d']);
  });

  it('answers a stored answer with its headers and status, and replaces it under the same key', async () => {
    const first: UpstreamAnswer = {
      key: 'GET https://api.github.com/repos/o/r',
      etag: 'W/"1"',
      status: 200,
      headers: [
        ['content-type', 'application/json'],
        ['x-ratelimit-remaining', '59'],
      ],
      body: '{"name":"r","description":"naïve ☃"}',
      usedAt: at(0),
    };
    await store.putUpstreamAnswer(first, 10_000);
    expect(await store.getUpstreamAnswer(first.key)).toEqual(first);
    const second = { ...first, etag: 'W/"2"', status: 304, headers: [], body: '', usedAt: at(5) };
    await store.putUpstreamAnswer(second, 10_000);
    expect(await store.getUpstreamAnswer(first.key)).toEqual(second);
    expect(await store.getUpstreamAnswer('GET other')).toBeNull();
  });
});

describe('ratings', () => {
  it('replaces a rating whole, keeping its scoring version and inputs', async () => {
    expect(await store.getRating('m')).toBeNull();
    const old = {
      body: { net_score: 0.5, extra: [1] },
      inputs: 'v1',
      scoringVersion: 's1',
      computedAt: at(0),
    };
    await store.putRating('m', old);
    expect(await store.getRating('m')).toEqual(old);
    const fresh = { body: { net_score: 0.7 }, inputs: 'v2', scoringVersion: 's2', computedAt: at(9) };
    await store.putRating('m', fresh);
    expect(await store.getRating('m')).toEqual(fresh);
  });
});
