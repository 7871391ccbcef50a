import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SourcesConfig } from '../../../src/config.js';
import { NotFoundError, PayloadTooLargeError } from '../../../src/domain/errors.js';
import { createGitHubSource, type GitHubSourceOptions } from '../../../src/sources/github.js';
import { ResponseCache } from '../../../src/sources/http-cache.js';
import type { FetchedSource, GitHubMetadata } from '../../../src/sources/source.js';
import { type GitHubFixtureServer, startGitHubServer } from '../../fixtures/github-server.js';
import { digestOf } from './stream-digest.js';

let api: GitHubFixtureServer;

/** Rate-limit waits count 1 ms per second so retry tests stay fast. */
const FAST = { policy: { retryDelayMs: 1, retries: 2, timeoutMs: 10_000 } } satisfies GitHubSourceOptions;

function config(url = api.url): SourcesConfig {
  return { hfEndpoint: 'http://127.0.0.1:1', hfToken: null, githubApiUrl: url, githubToken: 'ghp_fixture' };
}

function source(opts: GitHubSourceOptions = {}) {
  return createGitHubSource(config(), { ...FAST, fetch: api.fetch, ...opts });
}

function gh(fetched: FetchedSource): GitHubMetadata {
  if (fetched.metadata.kind !== 'github') throw new Error('expected GitHub metadata');
  return fetched.metadata;
}

beforeAll(async () => {
  api = await startGitHubServer({ inProcess: true });
});
afterAll(() => api.close());
afterEach(() => api.clearFailures());

describe('GitHub source: evidence', () => {
  it('reads google-research/bert: license, popularity, contributors over several pages, commits', async () => {
    const fetched = await source().fetchRepo('google-research', 'bert');
    const meta = gh(fetched);
    expect(fetched).toMatchObject({
      name: 'bert',
      canonicalUrl: 'https://github.com/google-research/bert',
      version: null,
    });
    expect(meta).toMatchObject({
      kind: 'github',
      fullName: 'google-research/bert',
      description: 'TensorFlow code and pre-trained models for BERT',
      htmlUrl: 'https://github.com/google-research/bert',
      defaultBranch: 'master',
      license: 'Apache-2.0',
      stars: 38_000,
      forks: 9500,
      openIssues: 380,
      archived: false,
      contributorsTruncated: false,
    });
    expect(meta.contributors).toHaveLength(130);
    expect(meta.contributors[0]).toEqual({ login: 'jacobdevlin-google', contributions: 420 });
    expect(meta.recentCommits).toHaveLength(40);
    expect(meta.sha).toBe(meta.recentCommits[0]?.sha);
    expect(meta.recentCommits[0]).toMatchObject({ author: expect.any(String), date: meta.pushedAt });
    expect(api.requests.some((request) => request.url.includes('/contributors?per_page=100&page=2'))).toBe(
      true,
    );
  });

  it('summarises the tree: tests, CI, lint and type configs, packaging', async () => {
    const meta = gh(await source().fetchRepo('google-research', 'bert'));
    expect(meta.tree).toMatchObject({
      fileCount: 13,
      hasTests: true,
      ciWorkflows: ['.github/workflows/ci.yml'],
      lintConfigs: ['.flake8'],
      typeConfigs: ['mypy.ini'],
      packagingFiles: ['requirements.txt', 'setup.py'],
    });
    expect(meta.tree.topLevel).toEqual(expect.arrayContaining(['tests', 'data', '.github', 'modeling.py']));
    expect(meta.tree.files.find((file) => file.path === 'data/sample.tsv')?.aspect).toBe('datasets');
    const plain = gh(await source().fetchRepo('gnu-ml', 'gpl-toolkit'));
    expect(plain.tree).toMatchObject({
      hasTests: false,
      ciWorkflows: [],
      lintConfigs: [],
      typeConfigs: [],
      packagingFiles: [],
    });
  });

  it('samples merged pull requests with reviews by others and per-file additions', async () => {
    const meta = gh(await source().fetchRepo('google-research', 'bert'));
    // 46 merged of 53 (#115 and six older ones were closed without merging); a token reads 30.
    expect(meta.pullRequests).toMatchObject({
      sampled: 30,
      listed: 46,
      truncated: true,
      cut: 'at most 30 are read',
    });
    const byNumber = new Map(meta.pullRequests.items.map((pull) => [pull.number, pull]));
    expect(byNumber.get(111)).toMatchObject({
      author: 'kentonl',
      reviews: 2,
      approvals: 1,
      reviewers: ['jacobdevlin-google', 'slavpetrov'],
      files: [
        { path: 'run_squad.py', additions: 300, deletions: 10, aspect: 'code' },
        { path: 'README.md', additions: 20, deletions: 2, aspect: 'docs' },
      ],
      filesTruncated: false,
    });
    expect(byNumber.get(113)).toMatchObject({ reviews: 0, approvals: 0, reviewers: [] }); // only the author commented
    expect(byNumber.get(114)?.files.map((file) => file.aspect)).toEqual(['weights', 'code']);
    expect(meta.codeFrequency).toEqual({ additions: 12_248, deletions: 4593 });
    expect(meta.unknown).toEqual({});
  });

  it('fetches every fixture repository that fits', async () => {
    const ghSource = source();
    for (const repo of api.repos.filter((candidate) => !candidate.truncatedTree)) {
      const fetched = await ghSource.fetchRepo(repo.owner, repo.name);
      expect(gh(fetched).fullName).toBe(`${repo.owner}/${repo.name}`);
      expect(fetched.files.map((file) => [file.path, file.size]).sort()).toEqual(
        repo.files.map((file) => [file.path, file.content.length]).sort(),
      );
    }
  });

  it('streams file contents from the blob API only when opened', async () => {
    const fetched = await source().fetchRepo('openai', 'whisper');
    const expected = api.repos
      .find((repo) => repo.name === 'whisper')
      ?.files.find((file) => file.path === 'whisper/model.py');
    const before = api.requests.length;
    const file = fetched.files.find((candidate) => candidate.path === 'whisper/model.py');
    expect(api.requests.length).toBe(before);
    expect(await digestOf(await (file?.open() ?? Promise.reject()))).toEqual({
      sha256: createHash('sha256')
        .update(expected?.content ?? '')
        .digest('hex'),
      size: expected?.content.length,
    });
  });
});

describe('GitHub source: optional statistics are never fatal', () => {
  it('a repository past 10,000 commits (422 statistics, 403 contributors) is read with both unknown', async () => {
    const meta = gh(await source().fetchRepo('big-lab', 'giant-trainer'));
    expect(meta.codeFrequency).toBeNull();
    expect(meta.contributors).toEqual([]);
    expect(meta.unknown).toEqual({
      codeFrequency: expect.stringMatching(/422.*more than 10000 commits/),
      contributors: expect.stringMatching(/403.*too large to list contributors/),
    });
  });

  it('statistics still being computed (202) are unknown, and known on a later fetch', async () => {
    api.setStatistics('openai/whisper', 'computing');
    const first = gh(await source().fetchRepo('openai', 'whisper'));
    expect(first.codeFrequency).toBeNull();
    expect(first.unknown?.codeFrequency).toMatch(/202, still computing/);
    const later = gh(await source().fetchRepo('openai', 'whisper'));
    expect(later.codeFrequency).not.toBeNull();
    expect(later.unknown).toEqual({});
  });

  it('an empty history (204) is unknown', async () => {
    api.setStatistics('gnu-ml/gpl-toolkit', 'empty');
    try {
      const meta = gh(await source().fetchRepo('gnu-ml', 'gpl-toolkit'));
      expect(meta.unknown).toEqual({
        codeFrequency: expect.stringMatching(/204/),
        contributors: expect.stringMatching(/204/),
      });
    } finally {
      api.setStatistics('gnu-ml/gpl-toolkit', 'ready');
    }
  });

  it.each([404, 422, 500])('%i on every optional endpoint still reads the repository', async (status) => {
    api.refuse(/\/(stats\/code_frequency|contributors|pulls)/, status);
    const meta = gh(await source().fetchRepo('google-research', 'bert'));
    expect(meta.fullName).toBe('google-research/bert');
    expect(meta.tree.fileCount).toBe(13);
    expect(Object.keys(meta.unknown ?? {}).sort()).toEqual(['codeFrequency', 'contributors', 'pullRequests']);
    expect(meta.unknown?.pullRequests).toContain(`GitHub answered ${status}`);
    expect(meta.pullRequests.items).toEqual([]);
  });

  it('a spent rate limit on an optional endpoint is not hidden as unknown', async () => {
    api.refuse(/\/stats\/code_frequency/, 429);
    await expect(source({ policy: { retries: 0 } }).fetchRepo('openai', 'whisper')).rejects.toMatchObject({
      statusCode: 503,
    });
  });
});

describe('GitHub source: licenses', () => {
  it.each([
    ['google-research', 'bert', 'Apache-2.0'],
    ['openai', 'whisper', 'MIT'],
    ['OpenAI', 'Whisper', 'MIT'],
    ['gnu-ml', 'gpl-toolkit', 'GPL-3.0'],
    ['lonely-dev', 'scratch', null],
    ['odd-corp', 'custom-license', null],
  ])('%s/%s is %s', async (owner, repo, spdx) => {
    expect(await source().getLicense(owner, repo)).toBe(spdx);
  });

  it('answers 404 for an unknown repository', async () => {
    await expect(source().getLicense('nobody', 'nothing')).rejects.toThrow(NotFoundError);
    await expect(source().fetchRepo('nobody', 'nothing')).rejects.toMatchObject({
      statusCode: 404,
      message: 'GitHub repository nobody/nothing does not exist (or is private).',
    });
  });
});

describe('GitHub source: limits and failures', () => {
  it('refuses a repository whose tree is too big to list, and one over the size limit', async () => {
    await expect(source().fetchRepo('huge-org', 'monorepo')).rejects.toThrow(PayloadTooLargeError);
    await expect(source({ maxTotalBytes: 100 }).fetchRepo('google-research', 'bert')).rejects.toMatchObject({
      statusCode: 413,
    });
    await expect(source({ maxFiles: 3 }).fetchRepo('google-research', 'bert')).rejects.toThrow(
      /more than 3 files/,
    );
  });

  it('waits out a spent primary rate limit (403, remaining 0) and succeeds', async () => {
    api.failNext(2, 403, 1);
    expect(await source().getLicense('openai', 'whisper')).toBe('MIT');
  });

  it('waits out a secondary rate limit (429 with Retry-After) and succeeds', async () => {
    api.failNext(3, 429, 1);
    expect(gh(await source().fetchRepo('openai', 'whisper')).license).toBe('MIT');
  });

  it('retries server errors', async () => {
    api.failNext(1, 502, null);
    expect(await source().getLicense('gnu-ml', 'gpl-toolkit')).toBe('GPL-3.0');
  });

  it('answers 503 with the wait when the rate limit outlasts the retries', async () => {
    api.failNext(100, 429, 9);
    await expect(source().getLicense('openai', 'whisper')).rejects.toMatchObject({
      statusCode: 503,
      message: 'GitHub rate limit reached; retry after 9 seconds.',
    });
    api.clearFailures();
    api.failNext(100, 403, 120);
    await expect(source().getLicense('openai', 'whisper')).rejects.toMatchObject({
      statusCode: 503,
      message: expect.stringMatching(/^GitHub rate limit reached; retry after 1[12]\d seconds\.$/),
    });
  });

  it('answers 502 for server errors that outlast the retries and for an unreachable API', async () => {
    api.failNext(100, 500, null);
    await expect(source().getLicense('openai', 'whisper')).rejects.toMatchObject({
      statusCode: 502,
      message: expect.stringMatching(/^GitHub answered 500 for GitHub repository openai\/whisper/),
    });
    const unreachable = createGitHubSource(config('http://127.0.0.1:1'), {
      fetch: api.fetch,
      policy: { retries: 0 },
    });
    await expect(unreachable.getLicense('a', 'b')).rejects.toMatchObject({ statusCode: 502 });
  });

  it('answers repeated metadata questions from the cache', async () => {
    const cache = new ResponseCache({
      ttlMs: 60_000,
      maxEntries: 100,
      maxBodyBytes: 1 << 20,
      maxTotalBytes: 1 << 24,
    });
    const ghSource = source({ cache });
    await ghSource.fetchRepo('openai', 'whisper');
    const before = api.requests.length;
    expect(await ghSource.getLicense('openai', 'whisper')).toBe('MIT');
    await ghSource.fetchRepo('openai', 'whisper');
    expect(api.requests.length).toBe(before);
    expect(cache.hits).toBeGreaterThan(0);
  });
});
