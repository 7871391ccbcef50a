import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { bufferRangeSource } from '../../../../src/packages/range-source.js';
import {
  describeRefusal,
  scanPackageWeights,
  WEIGHTS_SCAN_POLICY,
} from '../../../../src/security/pickle/package-scan.js';
import {
  scanPickleFile,
  scanSafetensorsFile,
  weightKind,
} from '../../../../src/security/pickle/weight-file.js';
import { TempFiles } from '../../../../src/services/temp-files.js';
import { makeZip, safetensorsBytes, type ZipEntrySpec } from '../../../support/zips.js';
import { memorySpool } from './file-access.js';

const CORPUS = join(import.meta.dirname, '../../../fixtures/pickles');
const corpus = (name: string) => readFileSync(join(CORPUS, name));

/** A protocol 0 pickle naming `count` distinct disallowed globals. */
function manyGlobals(count: number): Buffer {
  const parts = Array.from({ length: count }, (_, i) => `cos\nfunction_${i}\n0`);
  return Buffer.from(`${parts.join('')}N.`, 'latin1');
}

let scratchDir: string;
let scratch: TempFiles;

beforeEach(async () => {
  scratchDir = await mkdtemp(join(tmpdir(), 'modelguard-scan-'));
  scratch = new TempFiles(scratchDir);
  await scratch.init();
});

afterEach(async () => {
  await rm(scratchDir, { recursive: true, force: true });
});

/** A package zip of `entries`, with a folder entry `weights.bin/` first when `folder` is set. */
function packageZip(entries: ZipEntrySpec[], folder = false): Promise<Buffer> {
  const zip = new ZipFile();
  if (folder) zip.addEmptyDirectory('weights.bin/');
  for (const entry of entries) {
    const data = typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content;
    zip.addBuffer(data, entry.path, { compress: !entry.store });
  }
  zip.end();
  return buffer(zip.outputStream);
}

async function scan(entries: ZipEntrySpec[], folder = false) {
  return scanPackageWeights(bufferRangeSource(await packageZip(entries, folder)), scratch);
}

describe('scanPackageWeights', () => {
  it('scans every weights file of a package and nothing else', async () => {
    const result = await scan(
      [
        { path: 'README.md', content: '# model' },
        { path: 'model.safetensors', content: safetensorsBytes(4096), store: true },
        { path: 'pytorch_model.bin', content: corpus('benign-torch-legacy.bin') },
        { path: 'checkpoints/last.pt', content: corpus('benign-torch-zip.pt'), store: true },
      ],
      true,
    );
    expect(result).toMatchObject({ policy: WEIGHTS_SCAN_POLICY, verdict: 'clean', filesScanned: 3 });
    expect(result.files.map((file) => [file.path, file.format, file.verdict])).toEqual([
      ['model.safetensors', 'safetensors', 'clean'],
      ['pytorch_model.bin', 'torch-legacy', 'clean'],
      ['checkpoints/last.pt', 'torch-zip', 'clean'],
    ]);
  });

  it('refuses the package when one file is refused, and says which and why', async () => {
    const result = await scan([
      { path: 'model.safetensors', content: safetensorsBytes(4096), store: true },
      { path: 'extra.pkl', content: corpus('evil-os-system-p2.bin') },
    ]);
    expect(result.verdict).toBe('refused');
    expect(describeRefusal(result)).toMatch(/^extra\.pkl: global (os|posix)\.system is not allowed$/);
  });

  it('inflates a compressed zip checkpoint to a scratch file to scan its members, then removes it', async () => {
    const result = await scan([{ path: 'model.pth', content: corpus('evil-torch-zip-data.pt') }]);
    const [file] = result.files;
    expect(file?.format).toBe('torch-zip');
    expect(file?.verdict).toBe('refused');
    expect(file?.findings[0]).toMatch(/^[^:]+\/data\.pkl: global /);
    const left = await readdir(scratchDir, { recursive: true });
    expect(left.filter((name) => name.endsWith('.zip'))).toEqual([]);
  });

  it('shows the first five findings of a file and counts the rest', async () => {
    const result = await scan([{ path: 'optimizer.pkl', content: manyGlobals(8) }]);
    expect(describeRefusal(result)).toBe(
      'optimizer.pkl: global os.function_0 is not allowed; global os.function_1 is not allowed; ' +
        'global os.function_2 is not allowed; global os.function_3 is not allowed; ' +
        'global os.function_4 is not allowed (and 3 more)',
    );
  });
});

describe('zip checkpoints', () => {
  /** `inner` wrapped in `levels` zips, each as the only member `level-N.zip` (data.pkl innermost). */
  async function nested(inner: Buffer, levels: number): Promise<Buffer> {
    let bytes = await makeZip([{ path: 'archive/data.pkl', content: inner, store: true }]);
    for (let level = 1; level < levels; level++) {
      bytes = await makeZip([{ path: `level-${level}.zip`, content: bytes, store: true }]);
    }
    return bytes;
  }

  const access = (path: string, bytes: Buffer) => ({
    path,
    size: bytes.length,
    open: async () => Readable.from([bytes]),
    withRandomAccess: <T>(work: (source: ReturnType<typeof bufferRangeSource>) => Promise<T>) =>
      work(bufferRangeSource(bytes)),
  });

  it('scans zips nested in a checkpoint, naming the path to the finding', async () => {
    const result = await scanPickleFile(access('model.pt', await nested(manyGlobals(1), 3)), memorySpool);
    expect(result.findings).toEqual([
      'level-2.zip: level-1.zip: archive/data.pkl: global os.function_0 is not allowed',
    ]);
  });

  it('refuses zips nested deeper than three levels without opening them', async () => {
    const result = await scanPickleFile(access('model.pt', await nested(manyGlobals(1), 4)), memorySpool);
    expect(result.findings).toEqual([
      'level-3.zip: level-2.zip: level-1.zip: zip containers nested deeper than 3',
    ]);
  });

  it('refuses a file that starts like a zip but is not one', async () => {
    const fake = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(64, 7)]);
    const result = await scanPickleFile(access('model.pt', fake), memorySpool);
    expect(result.verdict).toBe('refused');
    expect(result.findings[0]).toMatch(/^not a readable zip: /);
  });
});

describe('read failures', () => {
  const failing = (path: string) => ({
    path,
    size: 1000,
    open: async () =>
      new Readable({
        read() {
          this.destroy(new Error('EIO: i/o error, read'));
        },
      }),
    withRandomAccess: () => Promise.reject(new Error('not used')),
  });

  it('are errors, not verdicts on the file', async () => {
    await expect(scanSafetensorsFile(failing('model.safetensors'))).rejects.toThrow('EIO');
    await expect(scanPickleFile(failing('model.bin'), memorySpool)).rejects.toThrow('EIO');
  });
});

describe('weightKind', () => {
  it.each([
    ['model.safetensors', 'safetensors'],
    ['weights/Model.SAFETENSORS', 'safetensors'],
    ['pytorch_model.bin', 'pickle'],
    ['ckpt/last.CKPT', 'pickle'],
    ['model.joblib', 'pickle'],
    ['README', null],
    ['dir.d/README', null],
    ['notes.txt', null],
  ])('%s is %s', (path, kind) => {
    expect(weightKind(path)).toBe(kind);
  });
});
