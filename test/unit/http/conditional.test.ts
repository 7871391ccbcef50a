import { describe, expect, it } from 'vitest';
import { isNotModified, rangeStillApplies } from '../../../src/http/conditional.js';

const ETAG = '"abc123"';

describe('If-None-Match', () => {
  it('is a 304 for the same tag (weakly compared), one tag among several, or *', () => {
    expect(isNotModified('"abc123"', ETAG)).toBe(true);
    expect(isNotModified('W/"abc123"', ETAG)).toBe(true);
    expect(isNotModified('"other", "abc123"', ETAG)).toBe(true);
    expect(isNotModified('*', ETAG)).toBe(true);
  });

  it('is no 304 for another tag or without the header', () => {
    expect(isNotModified('"other"', ETAG)).toBe(false);
    expect(isNotModified(undefined, ETAG)).toBe(false);
  });
});

describe('If-Range', () => {
  it('keeps the range without the header or with the same strong tag', () => {
    expect(rangeStillApplies(undefined, ETAG)).toBe(true);
    expect(rangeStillApplies(' "abc123" ', ETAG)).toBe(true);
  });

  it('drops it for a weak tag, another tag, a date, or a repeated header', () => {
    expect(rangeStillApplies('W/"abc123"', ETAG)).toBe(false);
    expect(rangeStillApplies('"other"', ETAG)).toBe(false);
    expect(rangeStillApplies('Wed, 21 Oct 2015 07:28:00 GMT', ETAG)).toBe(false);
    expect(rangeStillApplies(['"abc123"', '"abc123"'], ETAG)).toBe(false);
  });
});
