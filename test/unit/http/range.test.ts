import { describe, expect, it } from 'vitest';
import { isNotModified, rangeStillApplies } from '../../../src/http/conditional.js';
import { parseRange } from '../../../src/http/range.js';

describe('parseRange', () => {
  it.each([
    ['bytes=0-9', { kind: 'partial', range: { start: 0, end: 9 } }],
    ['bytes=90-', { kind: 'partial', range: { start: 90, end: 99 } }],
    ['bytes=95-500', { kind: 'partial', range: { start: 95, end: 99 } }],
    ['bytes=-10', { kind: 'partial', range: { start: 90, end: 99 } }],
    ['bytes=-500', { kind: 'partial', range: { start: 0, end: 99 } }],
    ['bytes=0-5, 3-10', { kind: 'partial', range: { start: 0, end: 10 } }],
    ['bytes=0-5,6-10', { kind: 'partial', range: { start: 0, end: 10 } }],
    ['bytes=0-5,50-60', { kind: 'full' }],
    ['bytes=abc', { kind: 'full' }],
    ['items=0-5', { kind: 'full' }],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
  ])('reads %s on a 100-byte file', (header, expected) => {
    expect(parseRange(header, 100)).toEqual(expected);
  });

  it('sends the whole file when there is no Range header, and nothing of an empty file is satisfiable', () => {
    expect(parseRange(undefined, 100)).toEqual({ kind: 'full' });
    expect(parseRange('bytes=-5', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('conditional requests', () => {
  const etag = '"sha256-abc"';

  it.each([
    ['*', true],
    ['"sha256-abc"', true],
    ['"other", "sha256-abc"', true],
    ['W/"sha256-abc"', true],
    ['"other"', false],
    ['"sha256-abcd"', false],
    [undefined, false],
  ])('If-None-Match %s means not modified: %s', (header, expected) => {
    expect(isNotModified(header, etag)).toBe(expected);
  });

  it.each([
    [undefined, true],
    ['"sha256-abc"', true],
    [' "sha256-abc" ', true],
    ['W/"sha256-abc"', false],
    ['"other"', false],
    ['Wed, 21 Oct 2015 07:28:00 GMT', false],
  ])('If-Range %s lets the range apply: %s', (header, expected) => {
    expect(rangeStillApplies(header, etag)).toBe(expected);
  });
});
