import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

const CHUNK = 1024 * 1024;

/**
 * `size` deterministic pseudo-random bytes for `seed`: the AES-128-CTR keystream (fast, and
 * incompressible like real weights), produced a chunk at a time so any size streams in constant
 * memory.
 */
export function pseudoRandomStream(seed, size) {
  const digest = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-128-ctr', digest.subarray(0, 16), digest.subarray(16));
  const zeros = Buffer.alloc(CHUNK);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return this.push(null);
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(cipher.update(zeros.subarray(0, n)));
    },
  });
}

const SAFETENSORS_HEADER_BYTES = 128;

/**
 * A well-formed safetensors file of exactly `size` bytes (the registry checks the header): one
 * U8 tensor of pseudo-random bytes behind a header padded to a fixed length.
 */
export function safetensorsStream(seed, size) {
  const dataBytes = size - 8 - SAFETENSORS_HEADER_BYTES;
  const json = JSON.stringify({ w: { dtype: 'U8', shape: [dataBytes], data_offsets: [0, dataBytes] } });
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(SAFETENSORS_HEADER_BYTES));
  const header = Buffer.concat([length, Buffer.from(json.padEnd(SAFETENSORS_HEADER_BYTES, ' '))]);
  return Readable.from(
    (async function* () {
      yield header;
      yield* pseudoRandomStream(seed, dataBytes);
    })(),
  );
}

/**
 * Writes a zip whose entries are all stored (uncompressed), as model weights usually are.
 * An entry is `{ name, content }` (string or Buffer) or `{ name, size, seed }` (pseudo-random;
 * a `.safetensors` name gets a valid header in front).
 */
export async function writeStoredZip(path, entries) {
  const zip = new yazl.ZipFile();
  const fixedTime = new Date('2024-01-01T00:00:00Z'); // identical inputs give identical bytes
  for (const entry of entries) {
    const options = { compress: false, mtime: fixedTime };
    if (entry.content !== undefined) {
      zip.addBuffer(Buffer.from(entry.content), entry.name, options);
    } else {
      const stream = entry.name.endsWith('.safetensors') ? safetensorsStream : pseudoRandomStream;
      zip.addReadStream(stream(entry.seed, entry.size), entry.name, {
        ...options,
        size: entry.size,
      });
    }
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
}

export async function sha256File(path) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
