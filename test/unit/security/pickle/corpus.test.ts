import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPickleFile } from '../../../../src/security/pickle/weight-file.js';
import { bufferAccess, memorySpool } from './file-access.js';

/**
 * The corpus in test/fixtures/pickles: real pickle byte streams written by CPython's pickle
 * (generate.py, run at development time) — PyTorch zip and legacy checkpoints, numpy arrays and
 * plain containers in every protocol, and one payload per technique, each checked there against
 * the real unpickler to resolve the offending global.
 */
const CORPUS = join(import.meta.dirname, '../../../fixtures/pickles');

interface CorpusEntry {
  file: string;
  verdict: 'clean' | 'refused';
  technique: string;
  offending: string[];
}

const manifest = JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as CorpusEntry[];

describe('pickle corpus', () => {
  it('has benign files and at least one payload per technique', () => {
    expect(manifest.filter((entry) => entry.verdict === 'clean').length).toBeGreaterThanOrEqual(15);
    expect(manifest.filter((entry) => entry.verdict === 'refused').length).toBeGreaterThanOrEqual(35);
  });

  it.each(manifest.filter((entry) => entry.verdict === 'clean'))(
    'accepts $file ($technique)',
    async (entry) => {
      const bytes = readFileSync(join(CORPUS, entry.file));
      const scan = await scanPickleFile(bufferAccess(entry.file, bytes), memorySpool);
      expect(scan.findings).toEqual([]);
      expect(scan.verdict).toBe('clean');
    },
  );

  it.each(manifest.filter((entry) => entry.verdict === 'refused'))(
    'refuses $file ($technique)',
    async (entry) => {
      const bytes = readFileSync(join(CORPUS, entry.file));
      const scan = await scanPickleFile(bufferAccess(entry.file, bytes), memorySpool);
      expect(scan.verdict).toBe('refused');
      const findings = scan.findings.join('\n');
      for (const offending of entry.offending) expect(findings).toContain(offending);
    },
  );

  it('reports the globals a PyTorch checkpoint names, and its format', async () => {
    const zip = await scanPickleFile(
      bufferAccess('m.pt', readFileSync(join(CORPUS, 'benign-torch-zip.pt'))),
      memorySpool,
    );
    expect(zip.format).toBe('torch-zip');
    expect(zip.globals).toEqual([
      'collections.OrderedDict',
      'torch.FloatStorage',
      'torch.HalfStorage',
      'torch._utils._rebuild_parameter',
      'torch._utils._rebuild_tensor_v2',
    ]);
    const legacy = await scanPickleFile(
      bufferAccess('m.bin', readFileSync(join(CORPUS, 'benign-torch-legacy.bin'))),
      memorySpool,
    );
    expect(legacy.format).toBe('torch-legacy');
  });

  it('names the member of a nested container that holds the payload', async () => {
    const scan = await scanPickleFile(
      bufferAccess('evil.pth', readFileSync(join(CORPUS, 'evil-nested-deflated.pth'))),
      memorySpool,
    );
    expect(scan.findings).toEqual([
      'archive/extra/inner.pt: archive/data.pkl: global posix.system is not allowed',
    ]);
  });

  it('gives the same answer whatever the chunking of the stream', async () => {
    for (const file of [
      'benign-state-dict-p4.pkl',
      'evil-stack-global-memo.pkl',
      'benign-containers-p0.pickle',
    ]) {
      const bytes = readFileSync(join(CORPUS, file));
      const answers = await Promise.all(
        [1, 2, 3, 64, 1 << 20].map((size) => scanPickleFile(bufferAccess(file, bytes, size), memorySpool)),
      );
      for (const answer of answers) expect(answer).toEqual(answers[0]);
    }
  });

  it('refuses every truncation of a benign pickle', async () => {
    const bytes = readFileSync(join(CORPUS, 'benign-state-dict-p4.pkl'));
    for (let length = 0; length < bytes.length; length += 1) {
      const scan = await scanPickleFile(
        bufferAccess('cut.pkl', bytes.subarray(0, length), 4096),
        memorySpool,
      );
      expect(scan.verdict, `cut at ${length}`).toBe('refused');
    }
  });
});
