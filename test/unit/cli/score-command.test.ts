import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT, runScoreCommand } from '../../../src/cli/score-command.js';
import { json, modelguard, tempDir } from './support.js';

const HUB = 'http://hub.test';
const CARD = '---\nlicense: mit\n---\n# Tiny\nA small text classifier.\n';

/**
 * The Hugging Face Hub as the scorer's client sees it, for one model (org/tiny) and one dataset
 * (o/data), each with a README and one more file; every other repository is not found. GitHub
 * answers 404 to everything.
 */
function fakeHub() {
  const requests: string[] = [];
  const fetch = (async (input: string | URL | Request) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    requests.push(url.pathname);
    const path = url.pathname;
    const repo = ['org/tiny', 'o/data'].find((name) => path.includes(`/${name}/`));
    if (url.origin !== HUB || repo === undefined) return json({ error: 'Repository not found' }, 404);
    if (path.endsWith('/revision/HEAD')) {
      return json({
        _id: 'x1',
        id: repo,
        private: false,
        gated: false,
        downloads: 1200,
        likes: 30,
        lastModified: '2026-01-01T00:00:00Z',
        createdAt: '2025-01-01T00:00:00Z',
        author: 'org',
        sha: 'abc123',
        tags: ['license:mit'],
        pipeline_tag: 'text-classification',
        library_name: 'transformers',
      });
    }
    if (path.endsWith('/refs')) return json({ tags: [], branches: [] });
    if (path.includes('/tree/')) {
      return json([
        { type: 'file', path: 'README.md', size: CARD.length, oid: 'o1' },
        {
          type: 'file',
          path: 'model.safetensors',
          size: 1000,
          oid: 'o2',
          lfs: { oid: 'l', size: 1000, pointerSize: 10 },
        },
        { type: 'file', path: 'train.csv', size: 500, oid: 'o3' },
      ]);
    }
    if (path.includes('/commits/')) return json([]);
    if (path.endsWith('/resolve/abc123/README.md')) {
      return new Response(CARD, {
        headers: { etag: '"e1"', 'content-range': `bytes 0-${CARD.length - 1}/${CARD.length}` },
      });
    }
    return json({ error: 'Entry not found' }, 404);
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

const env = { HF_ENDPOINT: HUB, GITHUB_API_URL: 'http://github.test', LOG_LEVEL: 'silent' };

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.remove());

async function urlFile(...lines: string[]): Promise<string> {
  const path = join(dir.path, 'urls.txt');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('modelguard score', () => {
  it('rates each model of the file through the real clients and prints one NDJSON line each', async () => {
    const hub = fakeHub();
    const file = await urlFile('https://huggingface.co/org/tiny');
    const run = await modelguard(['score', file], { env, fetch: hub.fetch });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const rating = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(rating).toMatchObject({
      name: 'tiny',
      category: 'text-classification',
      license: 1,
      dataset_and_code_score: 0,
    });
    expect(rating.size_score).toEqual({ raspberry_pi: 1, jetson_nano: 1, desktop_pc: 1, aws_server: 1 });
    expect(hub.requests).toContain('/org/tiny/resolve/abc123/README.md');
  });

  it("takes the code and dataset given on the line as the model's own links", async () => {
    const hub = fakeHub();
    const file = await urlFile(
      'https://github.com/o/tool,https://huggingface.co/datasets/o/data,https://huggingface.co/org/tiny',
    );
    const run = await modelguard(['score', file], { env, fetch: hub.fetch });
    const rating = JSON.parse(run.stdout) as Record<string, number>;
    expect(rating.name).toBe('tiny');
    // A bare model line scores 0 here: no dataset, no code.
    expect(rating.dataset_and_code_score).toBeGreaterThan(0);
    // The given dataset and code were looked up (the code not found), unlike for a bare model line.
    expect(hub.requests).toContain('/api/datasets/o/data/revision/HEAD');
    expect(hub.requests.some((path) => path.includes('/repos/o/tool'))).toBe(true);
  });

  it('a malformed line or a model that cannot be rated prints {url, error}; the others still run; exit 1', async () => {
    const file = await urlFile(
      'not a url',
      'https://huggingface.co/org/missing',
      'https://huggingface.co/org/tiny',
    );
    const run = await modelguard(['score', file], { env, fetch: fakeHub().fetch });
    expect(run.code).toBe(1);
    const [malformed, missing, rated] = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(malformed).toMatchObject({ url: 'not a url', error: expect.any(String) });
    expect(missing).toEqual({
      url: 'https://huggingface.co/org/missing',
      error: 'model "org/missing" was not found on Hugging Face.',
    });
    expect(rated).toMatchObject({ name: 'tiny' });
  });

  it('cannot run (exit 2) without a readable file or with a broken configuration', async () => {
    const unreadable = await modelguard(['score', join(dir.path, 'none.txt')], { env });
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(/^cannot read .*none\.txt: ENOENT/);
    const file = await urlFile('https://huggingface.co/org/tiny');
    const misconfigured = await modelguard(['score', file], { env: { ...env, HF_ENDPOINT: 'not a url' } });
    expect(misconfigured.code).toBe(2);
    expect(misconfigured.stderr).toContain('HF_ENDPOINT');
    expect(misconfigured.stdout).toBe('');
  });

  it('npm run score: exactly one argument, else the usage line and exit 2', async () => {
    for (const args of [[], ['a.txt', 'b.txt']]) {
      const errors: string[] = [];
      const code = await runScoreCommand(args, {
        env,
        out: () => {},
        err: (message) => errors.push(message),
      });
      expect(code).toBe(EXIT.cannotRun);
      expect(errors).toEqual([
        'usage: score URLS.txt (one model URL, or code_url,dataset_url,model_url, per line)',
      ]);
    }
  });

  it('npm run score runs the file named on its command line (here none: usage, exit 2)', async () => {
    const argv = process.argv;
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    process.argv = ['node', 'score.js'];
    try {
      await import('../../../src/cli/score.js');
      expect(process.exitCode).toBe(EXIT.cannotRun);
      expect(stderr).toMatch(/^usage: score URLS\.txt/);
    } finally {
      process.argv = argv;
      process.exitCode = undefined;
      vi.restoreAllMocks();
    }
  });
});
