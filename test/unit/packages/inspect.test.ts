import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BadRequestError, PayloadTooLargeError } from '../../../src/domain/errors.js';
import { inspectPackage, type ZipLimits } from '../../../src/packages/inspect.js';
import { bufferRangeSource } from '../../../src/packages/range-source.js';
import { deflated, handmadeZip, makeZip, overlappingZip, patchAll } from './zip-fixtures.js';

const MIB = 1024 * 1024;
const LIMITS: ZipLimits = { maxEntries: 100, maxUncompressedBytes: 64 * MIB, maxCompressionRatio: 200 };

function inspect(zip: Buffer, limits: Partial<ZipLimits> = {}, readmeMaxChars = 10_000) {
  return inspectPackage(bufferRangeSource(zip), { ...LIMITS, ...limits }, readmeMaxChars);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('expected a rejection');
  return err;
}

describe('inspectPackage: facts', () => {
  it('lists files with sizes and aspects, skipping directories, keeping real paths', async () => {
    const weights = randomBytes(4096);
    const zip = await makeZip([
      { path: 'repo/' },
      { path: 'repo/README.md', data: '# Tiny model\n' },
      { path: 'repo/config.json', data: '{"model_type":"bert"}' },
      { path: 'repo/model.safetensors', data: weights, options: { compress: false } },
      { path: 'repo/src/' },
      { path: 'repo/src/train.py', data: 'print(1)\n' },
      { path: 'repo/data/train.csv', data: 'a,b\n1,2\n' },
    ]);
    const facts = await inspect(zip);
    expect(facts.files).toEqual([
      { path: 'repo/README.md', size: 13, compressedSize: expect.any(Number), aspect: 'docs' },
      { path: 'repo/config.json', size: 21, compressedSize: expect.any(Number), aspect: 'docs' },
      { path: 'repo/model.safetensors', size: 4096, compressedSize: 4096, aspect: 'weights' },
      { path: 'repo/src/train.py', size: 9, compressedSize: expect.any(Number), aspect: 'code' },
      { path: 'repo/data/train.csv', size: 8, compressedSize: expect.any(Number), aspect: 'datasets' },
    ]);
    expect(facts.readme).toBe('# Tiny model\n');
    expect(facts.configJson).toBe('{"model_type":"bert"}');
  });

  it('finds README.md at the root whatever its case, and ignores READMEs in subfolders', async () => {
    const zip = await makeZip([
      { path: 'docs/README.md', data: 'nested' },
      { path: 'ReadMe.MD', data: 'root card' },
      { path: 'README.txt', data: 'plain' },
    ]);
    expect((await inspect(zip)).readme).toBe('root card');
  });

  it('falls back to another root README.* when there is no README.md', async () => {
    const zip = await makeZip([
      { path: 'sub/README.md', data: 'nested' },
      { path: 'README.txt', data: 'txt card' },
      { path: 'README.rst', data: 'rst card' },
    ]);
    expect((await inspect(zip)).readme).toBe('rst card');
  });

  it('treats a single top-level folder as the root and ignores __MACOSX beside it', async () => {
    const zip = await makeZip([
      { path: 'my-model/README.md', data: 'card' },
      { path: 'my-model/config.json', data: '{}' },
      { path: '__MACOSX/my-model/._README.md', data: 'junk' },
    ]);
    const facts = await inspect(zip);
    expect(facts.readme).toBe('card');
    expect(facts.configJson).toBe('{}');
    expect(facts.files.map((f) => f.path)).toContain('my-model/README.md');
  });

  it('has no README or config when files sit under several top-level folders', async () => {
    const zip = await makeZip([
      { path: 'a/README.md', data: 'card' },
      { path: 'a/config.json', data: '{}' },
      { path: 'b/x.py', data: '' },
    ]);
    const facts = await inspect(zip);
    expect(facts.readme).toBeNull();
    expect(facts.configJson).toBeNull();
  });

  it('truncates the README to the character limit without splitting a surrogate pair', async () => {
    const long = await makeZip([{ path: 'README.md', data: 'é'.repeat(5000) }]);
    expect((await inspect(long, {}, 100)).readme).toBe('é'.repeat(100));
    const emoji = await makeZip([{ path: 'README.md', data: `a${'😀'.repeat(10)}` }]);
    expect((await inspect(emoji, {}, 4)).readme).toBe('a😀');
    expect((await inspect(emoji, {}, 0)).readme).toBe('');
  });

  it('treats a config.json over 1 MiB as absent', async () => {
    const zip = await makeZip([
      { path: 'README.md', data: 'x' },
      { path: 'config.json', data: `{"pad":"${' '.repeat(MIB)}"}`, options: { compress: false } },
    ]);
    expect((await inspect(zip)).configJson).toBeNull();
  });

  it('reads ZIP64 archives', async () => {
    const zip = await makeZip([{ path: 'README.md', data: 'card', options: { forceZip64Format: true } }], {
      forceZip64Format: true,
      comment: '',
    });
    expect((await inspect(zip)).readme).toBe('card');
  });

  it('lets small entries compress beyond the ratio limit', async () => {
    const zip = await makeZip([{ path: 'padding.json', data: Buffer.alloc(512 * 1024) }]);
    expect((await inspect(zip)).files).toHaveLength(1);
  });
});

describe('inspectPackage: rejections', () => {
  const fine = () =>
    makeZip([
      { path: 'README.md', data: 'card' },
      { path: 'm.bin', data: randomBytes(100) },
    ]);

  it.each([
    ['not a zip', Buffer.from('this is not a zip file at all')],
    ['an empty file', Buffer.alloc(0)],
  ])('rejects %s', async (_label, bytes) => {
    const err = await rejection(inspect(bytes));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/not a readable zip archive/);
  });

  it('rejects a truncated zip', async () => {
    const zip = await fine();
    const err = await rejection(inspect(zip.subarray(0, zip.length - 30)));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/not a readable zip archive/);
  });

  it('rejects a zip whose central directory is corrupt', async () => {
    const zip = await fine();
    const corrupt = Buffer.from(zip);
    corrupt.writeUInt32LE(0, corrupt.length - 22 + 16); // central directory offset -> a local header
    const err = await rejection(inspect(corrupt));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/corrupt/);
  });

  it('rejects an archive without files', async () => {
    for (const zip of [await makeZip([]), await makeZip([{ path: 'empty/' }])]) {
      const err = await rejection(inspect(zip));
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err.message).toMatch(/no files/);
    }
  });

  it('rejects more entries than allowed with 413', async () => {
    const zip = await makeZip([{ path: 'a', data: '1' }, { path: 'b/' }, { path: 'c', data: '3' }]);
    const err = await rejection(inspect(zip, { maxEntries: 2 }));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err.message).toMatch(/3 zip entries; the limit is 2/);
    const facts = await inspect(zip, { maxEntries: 3 });
    expect(facts.files.map((file) => file.path)).toEqual(['a', 'c']);
  });

  it('rejects a declared uncompressed total over the limit with 413', async () => {
    const zip = await makeZip([
      { path: 'a.bin', data: randomBytes(600) },
      { path: 'b.bin', data: randomBytes(600) },
    ]);
    const err = await rejection(inspect(zip, { maxUncompressedBytes: 1000 }));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    const facts = await inspect(zip, { maxUncompressedBytes: 1200 });
    expect(facts.files.map((file) => [file.path, file.size])).toEqual([
      ['a.bin', 600],
      ['b.bin', 600],
    ]);
  });

  it('rejects an entry that expands beyond the ratio limit as a zip bomb', async () => {
    const zip = await makeZip([{ path: 'bomb.bin', data: Buffer.alloc(4 * MIB) }]);
    const err = await rejection(inspect(zip));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/suspected zip bomb: bomb\.bin expands \d+:1; the limit is 200:1/);
    const facts = await inspect(zip, { maxCompressionRatio: 5000 });
    expect(facts.files.map((file) => [file.path, file.size])).toEqual([['bomb.bin', 4 * MIB]]);
  });

  it('rejects an archive whose small entries together expand beyond the ratio limit', async () => {
    const parts = Array.from({ length: 4 }, (_, i) => ({
      path: `part${i}.bin`,
      data: Buffer.alloc(512 * 1024),
    }));
    const err = await rejection(inspect(await makeZip(parts)));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/suspected zip bomb: the archive expands/);
  });

  it('rejects entries sharing the same data (overlapping-entry bomb)', async () => {
    const zip = handmadeZip([
      { name: 'a.txt', stored: Buffer.from('hello') },
      { name: 'b.txt', stored: Buffer.from('hello'), sharesLocalHeaderOf: 0 },
    ]);
    const err = await rejection(inspect(zip));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toBe('suspected zip bomb: the data of a.txt overlaps b.txt');
  });

  it('rejects entries whose data overlaps at different offsets (the "better zip bomb")', async () => {
    // 150 entries, each declaring the shared 1 MiB kernel plus the headers after it: ~157 MB from
    // a ~1 MB file, within the 200:1 ratio limit, so only the overlap gives it away.
    const zip = overlappingZip(150, randomBytes(MIB));
    expect(zip.length).toBeLessThan(1.02 * MIB);
    const err = await rejection(inspect(zip, { maxEntries: 1000, maxUncompressedBytes: 1024 * MIB }));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toBe('suspected zip bomb: the data of part0000.bin overlaps part0001.bin');
  });

  it('accepts entries laid out one after another, including directories and empty files', async () => {
    const zip = await makeZip([
      { path: 'dir/' },
      { path: 'dir/empty.txt', data: '' },
      { path: 'dir/a.bin', data: randomBytes(5000), options: { compress: false } },
      { path: 'README.md', data: 'x' },
    ]);
    await expect(inspect(zip)).resolves.toMatchObject({ readme: 'x' });
  });

  it.each([
    ['differ only in case', 'Model/README.md', 'model/readme.md'],
    ['are the NFC and NFD forms of one name', 'caf\u00e9.txt', 'cafe\u0301.txt'],
  ])('rejects names that %s, naming both', async (_label, first, second) => {
    const zip = await makeZip([
      { path: first, data: 'one' },
      { path: second, data: 'two' },
    ]);
    const err = await rejection(inspect(zip));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toBe(
      `file names collide on case-insensitive or Unicode-normalising file systems: ${JSON.stringify(first)} and ${JSON.stringify(second)}`,
    );
  });

  it.each([
    ['a parent-directory segment', 'xx/evil.sh', '../evil.sh', /path traversal/],
    ['an absolute path', 'Xetc/passwd', '/etc/passwd', /path traversal/],
    ['a drive letter', 'C_/win.ini', 'C:/win.ini', /path traversal/],
    ['a backslash', 'a_b.txt', 'a\\b.txt', /path traversal/],
    ['a NUL character', 'a_b.txt', 'a\0b.txt', /NUL character/],
  ])('rejects a name with %s', async (_label, planted, evil, message) => {
    const zip = patchAll(
      await makeZip([
        { path: 'README.md', data: 'x' },
        { path: planted, data: 'boom' },
      ]),
      planted,
      evil,
    );
    const err = await rejection(inspect(zip));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/unsafe entry name/);
    expect(err.message).toMatch(message);
  });

  it('rejects an empty name', async () => {
    const err = await rejection(inspect(handmadeZip([{ name: '', stored: Buffer.from('x') }])));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/unsafe entry name: empty file name/);
  });

  it('rejects symbolic links', async () => {
    const zip = await makeZip([{ path: 'link', data: '/etc/passwd', options: { mode: 0o120777 } }]);
    const err = await rejection(inspect(zip));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/symbolic links .*: link/);
  });

  it.each([
    ['traditional', 0x801],
    ['strong', 0x841],
  ])('rejects %s encryption', async (_label, flags) => {
    const zip = handmadeZip([
      { name: 'secret.bin', stored: deflated('secret'), method: 8, flags, uncompressedSize: 6 },
    ]);
    const err = await rejection(inspect(zip));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/encrypted entries are not accepted/);
  });

  it('rejects compression methods other than stored and deflate', async () => {
    const zip = handmadeZip([
      { name: 'x.bin', stored: Buffer.from('BZh9'), method: 12, uncompressedSize: 100 },
    ]);
    const err = await rejection(inspect(zip));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/unsupported compression method 12 for x\.bin/);
  });

  it('rejects duplicate paths', async () => {
    const zip = await makeZip([
      { path: 'README.md', data: 'one' },
      { path: 'README.md', data: 'two' },
    ]);
    const err = await rejection(inspect(zip));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/duplicate path in package: README\.md/);
  });

  it('rejects a README whose data is bigger than its header says', async () => {
    const zip = handmadeZip([
      { name: 'README.md', stored: deflated('x'.repeat(10_000)), method: 8, uncompressedSize: 10 },
    ]);
    const err = await rejection(inspect(zip));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/cannot read README\.md: too many bytes/);
  });
});
