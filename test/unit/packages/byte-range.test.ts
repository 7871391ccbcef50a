import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bytesInRange } from '../../../src/packages/byte-range.js';
import { collect } from './zip-fixtures.js';

/** '0123456789' in chunks of 3, 3, 3 and 1 bytes. */
function chunked(): Readable {
  return Readable.from(['012', '345', '678', '9'].map((text) => Buffer.from(text)));
}

async function range(start: number, end: number): Promise<string> {
  return (await collect(Readable.from(bytesInRange(chunked(), start, end)))).toString();
}

describe('bytesInRange', () => {
  it.each([
    [0, 9, '0123456789'],
    [0, 0, '0'],
    [9, 9, '9'],
    [2, 3, '23'],
    [3, 5, '345'],
    [4, 7, '4567'],
    [1, 8, '12345678'],
  ])('serves bytes %i-%i across chunk boundaries', async (start, end, expected) => {
    expect(await range(start, end)).toBe(expected);
  });

  it('stops reading once the range is served, destroying the source', async () => {
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        for (let index = 0; index < 100; index++) {
          pulled += 1;
          yield Buffer.alloc(10, index);
        }
      })(),
    );
    const served = await collect(Readable.from(bytesInRange(source, 15, 24)));
    expect(served).toEqual(Buffer.concat([Buffer.alloc(5, 1), Buffer.alloc(5, 2)]));
    expect(pulled).toBeLessThan(10);
    expect(source.destroyed).toBe(true);
  });

  it('serves what there is when the stream ends before the range does', async () => {
    expect(await range(8, 20)).toBe('89');
  });
});
