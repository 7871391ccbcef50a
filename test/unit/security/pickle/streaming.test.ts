import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bufferRangeSource } from '../../../../src/packages/range-source.js';
import { scanPickleFile, scanSafetensorsFile } from '../../../../src/security/pickle/weight-file.js';
import { safetensorsHeader } from '../../../fixtures/repos/safetensors.js';
import { bufferAccess, memorySpool } from './file-access.js';

const CORPUS = join(import.meta.dirname, '../../../fixtures/pickles');
const GiB = 1024 ** 3;

/** A file of `head` then `size - head.length` zero bytes, produced lazily; counts what is read. */
function lazyFile(head: Buffer, size: number, tail = Buffer.alloc(0)) {
  const counter = { pulled: 0 };
  const chunk = Buffer.alloc(64 * 1024);
  function* bytes(): Generator<Buffer> {
    counter.pulled += head.length;
    yield head;
    let left = size - head.length - tail.length;
    while (left > 0) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
      counter.pulled += part.length;
      left -= part.length;
      yield part;
    }
    if (tail.length > 0) yield tail;
  }
  return {
    counter,
    access: {
      path: 'pytorch_model.bin',
      size,
      open: async () => Readable.from(bytes()),
      withRandomAccess: () => Promise.reject(new Error('not a zip')),
    },
  };
}

describe('scanning cost', () => {
  it('reads only the pickles of a 10 GiB legacy checkpoint, never its tensor bytes', async () => {
    const legacy = readFileSync(join(CORPUS, 'benign-torch-legacy.bin'));
    const { access, counter } = lazyFile(legacy, 10 * GiB);
    const scan = await scanPickleFile(access, memorySpool);
    expect(scan).toMatchObject({ verdict: 'clean', format: 'torch-legacy' });
    expect(counter.pulled).toBeLessThan(1024 * 1024);
  });

  it('streams past a 256 MiB bytes payload inside a pickle without keeping it', async () => {
    const size = 256 * 1024 * 1024;
    const head = Buffer.concat([Buffer.from([0x80, 5, 0x8e]), Buffer.alloc(8)]);
    head.writeBigUInt64LE(BigInt(size), 3);
    const { access, counter } = lazyFile(head, head.length + size + 1, Buffer.from('.'));
    const scan = await scanPickleFile(access, memorySpool);
    expect(scan.verdict).toBe('clean');
    expect(counter.pulled).toBe(head.length + size);
  });
});

describe('safetensors check', () => {
  const valid = () => {
    const { header, dataBytes } = safetensorsHeader([
      { name: 'a', dtype: 'F32', shape: [2, 2] },
      { name: 'b', dtype: 'F16', shape: [3] },
    ]);
    return Buffer.concat([header, Buffer.alloc(dataBytes)]);
  };
  const scan = (bytes: Buffer) =>
    scanSafetensorsFile({
      ...bufferAccess('model.safetensors', bytes),
      withRandomAccess: (w) => w(bufferRangeSource(bytes)),
    });
  const withHeader = (json: string, dataBytes: number) => {
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
    return Buffer.concat([length, Buffer.from(json), Buffer.alloc(dataBytes)]);
  };

  it('accepts a well-formed file without any pickle scan', async () => {
    expect(await scan(valid())).toMatchObject({ verdict: 'clean', format: 'safetensors', globals: [] });
  });

  it.each([
    ['shorter than the length field', Buffer.from([1, 2, 3])],
    ['a header length beyond the file', withHeader('{}', 0).fill(0xff, 0, 8)],
    ['a header that is not JSON', withHeader('{"a": ', 0)],
    ['a header that is not an object', withHeader('[1,2]', 0)],
    ['metadata that is not strings', withHeader('{"__metadata__":{"format":1}}', 0)],
    ['a tensor without a dtype', withHeader('{"a":{"shape":[1],"data_offsets":[0,4]}}', 4)],
    ['a shape that is not counts', withHeader('{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,4]}}', 4)],
    [
      'data_offsets that are not a pair',
      withHeader('{"a":{"dtype":"U8","shape":[4],"data_offsets":[0]}}', 4),
    ],
    ['a tensor that is not an object', withHeader('{"a":[1]}', 0)],
    ['offsets reversed', withHeader('{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}', 4)],
    [
      'a size that does not match dtype and shape',
      withHeader('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', 4),
    ],
    ['a gap between tensors', withHeader('{"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}', 4)],
    ['data after the last tensor', withHeader('{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}', 4)],
    ['a pickle renamed to .safetensors', readFileSync(join(CORPUS, 'evil-os-system-p2.bin'))],
  ])('refuses %s', async (_what, bytes) => {
    const result = await scan(bytes);
    expect(result.verdict).toBe('refused');
    expect(result.findings[0]).toMatch(/safetensors/);
  });
});
