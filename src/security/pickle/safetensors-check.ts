import { type ByteReader, FormatError } from './byte-reader.js';

/** The safetensors library refuses headers over 100 MB (MAX_HEADER_SIZE); so do we. */
const MAX_HEADER_BYTES = 100_000_000;

const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

/**
 * Checks that a `.safetensors` file is what it claims: an 8-byte little-endian header length
 * that fits the file, a JSON object header, and tensors whose byte ranges lie inside the data
 * and tile it exactly (no gaps, no overlap), each as long as its dtype and shape say. There is
 * no pickle in a safetensors file, so nothing else can hide in it. Throws FormatError.
 */
export async function checkSafetensors(reader: ByteReader, fileSize: number): Promise<void> {
  if (fileSize < 8) throw new FormatError('safetensors file shorter than its 8-byte header length');
  await reader.require(8, 'safetensors header length');
  const declared = reader.take(8).readBigUInt64LE();
  if (declared > BigInt(Math.min(MAX_HEADER_BYTES, fileSize - 8))) {
    throw new FormatError(`safetensors header length ${declared} does not fit a ${fileSize}-byte file`);
  }
  const headerBytes = Number(declared);
  await reader.require(headerBytes, 'safetensors header');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(reader.take(headerBytes)));
  } catch (err) {
    throw new FormatError(`safetensors header is not UTF-8 JSON: ${(err as Error).message}`);
  }
  checkTensors(header, fileSize - 8 - headerBytes);
}

function checkTensors(header: unknown, dataBytes: number): void {
  if (!isObject(header)) throw new FormatError('safetensors header is not a JSON object');
  const ranges: Array<[number, number, string]> = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
        throw new FormatError('safetensors __metadata__ must map strings to strings');
      }
      continue;
    }
    if (!isObject(value)) throw new FormatError(`safetensors tensor ${name} is not an object`);
    const { dtype, shape, data_offsets: offsets } = value;
    if (typeof dtype !== 'string') throw new FormatError(`safetensors tensor ${name} has no dtype`);
    if (!Array.isArray(shape) || !shape.every(isCount))
      throw new FormatError(`safetensors tensor ${name} has a bad shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      throw new FormatError(`safetensors tensor ${name} has bad data_offsets`);
    }
    const [start, end] = offsets as [number, number];
    if (start > end) throw new FormatError(`safetensors tensor ${name} ends before it starts`);
    const width = DTYPE_BYTES[dtype];
    // Newer sub-byte and exotic dtypes have no fixed width here: their ranges are still checked.
    if (width !== undefined && (shape as number[]).reduce((n, d) => n * d, width) !== end - start) {
      throw new FormatError(
        `safetensors tensor ${name}: ${end - start} bytes for ${dtype} ${JSON.stringify(shape)}`,
      );
    }
    ranges.push([start, end, name]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let expected = 0;
  for (const [start, end, name] of ranges) {
    if (start !== expected)
      throw new FormatError(`safetensors tensor ${name} does not start where the previous one ends`);
    expected = end;
  }
  if (expected !== dataBytes) {
    throw new FormatError(`safetensors tensors cover ${expected} bytes but the file holds ${dataBytes}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
