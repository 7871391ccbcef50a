import { createHash } from 'node:crypto';
import yauzl from 'yauzl';
import { ZipFile } from 'yazl';

export interface ZipEntrySpec {
  path: string;
  content: string | Buffer;
  /** Store without compression (as weights usually are). */
  store?: boolean;
}

/** Build a zip in memory for tests. */
export function makeZip(entries: ZipEntrySpec[]): Promise<Buffer> {
  const zip = new ZipFile();
  const mtime = new Date('2025-01-01T00:00:00Z');
  for (const entry of entries) {
    const data = typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content;
    zip.addBuffer(data, entry.path, { mtime, compress: !entry.store });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** Deterministic pseudo-random bytes (incompressible, like real weights). */
export function pseudoRandomBytes(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash('sha256').update(String(seed)).digest();
  for (let offset = 0; offset < length; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/**
 * A well-formed safetensors file of exactly `length` bytes: one U8 tensor of pseudo-random
 * bytes behind a header padded to a fixed size (the registry checks safetensors headers).
 */
export function safetensorsBytes(length: number, seed = 1): Buffer {
  const headerBytes = 128;
  const dataBytes = length - 8 - headerBytes;
  const json = JSON.stringify({ w: { dtype: 'U8', shape: [dataBytes], data_offsets: [0, dataBytes] } });
  if (dataBytes < 0 || json.length > headerBytes) throw new Error(`no safetensors file fits ${length} bytes`);
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(headerBytes));
  return Buffer.concat([
    size,
    Buffer.from(json.padEnd(headerBytes, ' ')),
    pseudoRandomBytes(dataBytes, seed),
  ]);
}

/** A small model package shaped like a Hugging Face repo. */
export function modelZip(name: string, readme = `# ${name}\n\nA test model.`): Promise<Buffer> {
  return makeZip([
    { path: 'README.md', content: readme },
    { path: 'config.json', content: JSON.stringify({ model_type: 'bert', architectures: ['BertModel'] }) },
    { path: 'tokenizer.json', content: JSON.stringify({ version: '1.0' }) },
    { path: 'model.safetensors', content: safetensorsBytes(64 * 1024, name.length), store: true },
    { path: 'train.py', content: 'print("training")\n' },
    { path: 'data/train.csv', content: 'text,label\nhello,1\n' },
  ]);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The entries of a zip (name and CRC-32), as its central directory lists them. */
export function zipEntries(zip: Buffer): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err || !file) return reject(err);
      const entries = new Map<string, number>();
      file.on('entry', (entry: yauzl.Entry) => {
        entries.set(entry.fileName, entry.crc32);
        file.readEntry();
      });
      file.on('end', () => resolve(entries));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

/** The file names in a zip, sorted. */
export async function zipFileNames(zip: Buffer): Promise<string[]> {
  return [...(await zipEntries(zip)).keys()].sort();
}
