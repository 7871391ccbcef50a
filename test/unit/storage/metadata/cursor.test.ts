import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../../src/domain/errors.js';
import { seqAfter, toPage } from '../../../../src/storage/metadata/cursor.js';

describe('seqAfter', () => {
  it('starts before the first row without a cursor', () => {
    expect(seqAfter(undefined)).toBe(0);
  });

  it.each([
    ['0', 0],
    ['17', 17],
    ['007', 7],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('reads the decimal cursor %j', (cursor, seq) => {
    expect(seqAfter(cursor)).toBe(seq);
  });

  it.each([
    ['empty', ''],
    ['negative', '-1'],
    ['fraction', '1.5'],
    ['exponent', '1e3'],
    ['hex', '0x10'],
    ['padded', ' 5'],
    ['words', 'abc'],
    ['beyond a safe integer', '9007199254740993'],
    ['longer than 16 digits', '12345678901234567'],
  ])('refuses a cursor that is %s with 400 invalid offset', (_, cursor) => {
    expect(() => seqAfter(cursor)).toThrow(BadRequestError);
    expect(() => seqAfter(cursor)).toThrow('invalid offset');
  });
});

describe('toPage', () => {
  const rows = (...seqs: number[]) => seqs.map((seq) => ({ seq, label: `row${seq}` }));
  const label = (row: { label: string }) => row.label;

  it('answers the next cursor only when an extra row proves another page', () => {
    expect(toPage(rows(3, 5, 9), 2, label)).toEqual({ items: ['row3', 'row5'], next: '5' });
    expect(toPage(rows(3, 5), 2, label)).toEqual({ items: ['row3', 'row5'], next: null });
    expect(toPage(rows(3), 2, label)).toEqual({ items: ['row3'], next: null });
  });

  it('answers an empty last page for no rows', () => {
    expect(toPage(rows(), 5, label)).toEqual({ items: [], next: null });
  });

  it('never offers a cursor for a page of no items', () => {
    expect(toPage(rows(4), 0, label)).toEqual({ items: [], next: null });
  });
});
