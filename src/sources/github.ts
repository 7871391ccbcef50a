import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { SourcesConfig } from '../config.js';
import { NotFoundError, PayloadTooLargeError, RegistryError, UpstreamError } from '../domain/errors.js';
import { classifyFile } from '../packages/classify.js';
import { type AnswerStore, conditionalFetch } from './answer-cache.js';
import { GitHubBudget } from './github-budget.js';
import { DEFAULT_CACHE_OPTIONS, ResponseCache } from './http-cache.js';
import type {
  FetchedSource,
  GitHubMetadata,
  GitHubSignal,
  ListedFile,
  PullRequestEvidence,
  PullRequestSample,
  SourceFile,
} from './source.js';
import { canonicalSourceUrl } from './source-urls.js';
import { summarizeTree } from './tree-summary.js';
import {
  DEFAULT_UPSTREAM_POLICY,
  rateLimitedError,
  retryAfterSeconds,
  timedFetch,
  type UpstreamPolicy,
} from './upstream-fetch.js';

export interface GitHubSourceOptions {
  /** The transport under the timeout and cache layers (default: global fetch). */
  fetch?: typeof fetch;
  cache?: ResponseCache;
  /** Where answers are kept with their ETags, to be revalidated rather than read again (none by default). */
  answers?: AnswerStore;
  policy?: Partial<Omit<UpstreamPolicy, 'upstream'>>;
  /** Largest repository accepted (sum of blob sizes at the default branch). */
  maxTotalBytes?: number;
  maxFiles?: number;
}

export interface GitHubSource {
  fetchRepo(owner: string, repo: string): Promise<FetchedSource>;
  /** SPDX id of the repository's license; null when it has none GitHub recognises. */
  getLicense(owner: string, repo: string): Promise<string | null>;
}

/** Contributors are listed 100 to a page; pages read (the rest is marked truncated). */
const CONTRIBUTOR_PAGES = { withToken: 3, withoutToken: 1 };
/** Most recent commits of the default branch kept for activity. */
const MAX_COMMITS = 100;
/**
 * Merged pull requests (most recently updated first) read for reviewedness; each costs two
 * requests (reviews, files). Without a token GitHub allows 60 requests an hour, so the sample
 * stays small enough for a model and its repository to cost at most 20 requests.
 */
const PULL_SAMPLE = { withToken: 30, withoutToken: 6 };
/**
 * Requests a repository fetch makes besides its pull request sample and contributor pages:
 * commits, pull list, code frequency, tree, and the archive of a code package.
 */
const FIXED_REQUESTS = 5;
/** Files listed per pull request (one page); more are marked `filesTruncated`. */
const MAX_FILES_PER_PULL = 100;
const PER_PAGE = 100;

const DEFAULTS = { maxTotalBytes: 20 * 1024 ** 3, maxFiles: 20_000 };

/**
 * The Octokit client with its retry and throttling plugins, imported on the first GitHub call:
 * a registry that never reads GitHub does not hold it in memory (bench/README.md, idle memory).
 */
async function loadOctokit() {
  const [{ Octokit }, { retry }, { throttling }] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  return Octokit.plugin(retry, throttling);
}

type Known<T> = { value: T; unknown: null } | { value: null; unknown: string };

export function createGitHubSource(config: SourcesConfig, opts: GitHubSourceOptions = {}): GitHubSource {
  const limits = { ...DEFAULTS, ...opts };
  const policy: UpstreamPolicy = { ...DEFAULT_UPSTREAM_POLICY, ...opts.policy, upstream: 'GitHub' };
  const cache = opts.cache ?? new ResponseCache(DEFAULT_CACHE_OPTIONS);
  const budget = new GitHubBudget();
  const transport = budget.wrap(timedFetch(opts.fetch ?? fetch, policy.timeoutMs));
  const authenticated = Boolean(config.githubToken);
  const pullSample = authenticated ? PULL_SAMPLE.withToken : PULL_SAMPLE.withoutToken;
  const contributorPages = authenticated ? CONTRIBUTOR_PAGES.withToken : CONTRIBUTOR_PAGES.withoutToken;
  const wantRetry = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
    retryCount < policy.retries && retryAfter <= policy.maxRetryAfterSeconds;

  const createClient = async () =>
    new (await loadOctokit())({
      baseUrl: config.githubApiUrl,
      auth: config.githubToken ?? undefined,
      userAgent: 'ModelGuard',
      request: { fetch: cache.wrap(opts.answers ? conditionalFetch(transport, opts.answers) : transport) },
      retry: { retries: policy.retries, retryAfterBaseValue: policy.retryDelayMs },
      // Each failed attempt would be logged at error level; the caller gets one translated error instead.
      log: { debug: noop, info: noop, warn: console.warn, error: noop },
      throttle: {
        id: 'modelguard',
        retryAfterBaseValue: policy.retryDelayMs,
        onRateLimit: wantRetry,
        onSecondaryRateLimit: wantRetry,
      },
    });
  let client: ReturnType<typeof createClient> | undefined;
  const octokit = () => {
    client ??= createClient();
    return client;
  };

  async function getRepo(owner: string, repo: string) {
    return (await (await octokit()).rest.repos.get({ owner, repo })).data;
  }

  async function fetchRepo(owner: string, repo: string): Promise<FetchedSource> {
    const what = `GitHub repository ${owner}/${repo}`;
    try {
      const info = await getRepo(owner, repo);
      const api = await octokit();
      const [commits, contributors, pullRequests, codeFrequency] = await Promise.all([
        api.rest.repos.listCommits({ owner, repo, sha: info.default_branch, per_page: MAX_COMMITS }),
        known('its contributor list', () => listContributors(owner, repo)),
        known('its pull requests', () => samplePullRequests(owner, repo, affordablePulls())),
        readCodeFrequency(owner, repo),
      ]);
      const head = commits.data[0]?.sha;
      if (!head) throw new UpstreamError(`${what} has no commits to fetch.`);
      const blobs = await listBlobs(owner, repo, head, what);
      const unknown: Partial<Record<GitHubSignal, string>> = {};
      if (contributors.unknown) unknown.contributors = contributors.unknown;
      if (pullRequests.unknown) unknown.pullRequests = pullRequests.unknown;
      if (codeFrequency.unknown) unknown.codeFrequency = codeFrequency.unknown;

      const metadata: GitHubMetadata = {
        kind: 'github',
        fullName: info.full_name,
        description: info.description,
        htmlUrl: info.html_url,
        defaultBranch: info.default_branch,
        sha: head,
        license: spdxOf(info.license),
        stars: info.stargazers_count,
        forks: info.forks_count,
        openIssues: info.open_issues_count,
        archived: info.archived,
        createdAt: info.created_at,
        pushedAt: info.pushed_at,
        contributors: contributors.value?.items ?? [],
        contributorsTruncated: contributors.value?.truncated ?? false,
        recentCommits: commits.data.map((commit) => ({
          sha: commit.sha,
          author: commit.author?.login ?? commit.commit.author?.name ?? null,
          date: commit.commit.author?.date ?? null,
        })),
        tree: summarizeTree(blobs),
        pullRequests: pullRequests.value ?? { sampled: 0, truncated: false, items: [] },
        codeFrequency: codeFrequency.value,
        unknown,
      };
      return {
        name: info.name,
        canonicalUrl: canonicalSourceUrl({ kind: 'github', owner: info.owner.login, repo: info.name }),
        version: null,
        files: blobs.map((blob) => sourceFile(info.owner.login, info.name, blob)),
        archive: () => openArchive(info.owner.login, info.name, head),
        metadata,
      };
    } catch (error) {
      throw githubError(error, what);
    }
  }

  /**
   * How many pull requests the budget left can pay for after the rest of a fetch, when GitHub
   * has said what is left (each costs two requests).
   */
  function affordablePulls(): { size: number; cut: string | null } {
    const left = budget.left();
    const bound = {
      size: pullSample,
      cut: authenticated
        ? `at most ${pullSample} are read`
        : `at most ${pullSample} are read without a GITHUB_TOKEN (GitHub allows 60 requests an hour)`,
    };
    if (left === null) return bound;
    const affordable = Math.max(0, Math.floor((left - FIXED_REQUESTS - contributorPages) / 2));
    return affordable < pullSample
      ? { size: affordable, cut: `GitHub's request budget had ${left} requests left` }
      : bound;
  }

  /** An optional signal: any refusal but a spent rate limit makes it unknown, with the reason. */
  async function known<T>(what: string, read: () => Promise<T>): Promise<Known<T>> {
    try {
      return { value: await read(), unknown: null };
    } catch (error) {
      if (error instanceof RegistryError || isRateLimited(error)) throw error;
      return { value: null, unknown: `GitHub did not give ${what}: ${describeFailure(error)}.` };
    }
  }

  async function listContributors(owner: string, repo: string) {
    const items: { login: string; contributions: number }[] = [];
    const api = await octokit();
    const pages = api.paginate.iterator(api.rest.repos.listContributors, {
      owner,
      repo,
      per_page: PER_PAGE,
    });
    let read = 0;
    for await (const page of pages) {
      if ((page.status as number) === 204) throw new Unanswered('204, an empty repository has none');
      for (const contributor of page.data) {
        items.push({
          login: contributor.login ?? contributor.name ?? 'anonymous',
          contributions: contributor.contributions,
        });
      }
      read += 1;
      // Stop before the iterator asks for the next page.
      if (read >= contributorPages) return { items, truncated: /rel="next"/.test(page.headers.link ?? '') };
    }
    return { items, truncated: false };
  }

  async function samplePullRequests(
    owner: string,
    repo: string,
    allowed: { size: number; cut: string | null },
  ): Promise<PullRequestSample> {
    const api = await octokit();
    const closed = await api.rest.pulls.list({
      owner,
      repo,
      state: 'closed',
      sort: 'updated',
      direction: 'desc',
      per_page: PER_PAGE,
    });
    const merged = closed.data.filter((pull) => pull.merged_at !== null);
    const sample = merged.slice(0, allowed.size);
    const items = await Promise.all(
      sample.map(async (pull): Promise<PullRequestEvidence> => {
        const [reviews, files] = await Promise.all([
          api.rest.pulls.listReviews({ owner, repo, pull_number: pull.number, per_page: PER_PAGE }),
          api.rest.pulls.listFiles({
            owner,
            repo,
            pull_number: pull.number,
            per_page: MAX_FILES_PER_PULL,
          }),
        ]);
        const author = pull.user?.login ?? null;
        const byOthers = reviews.data.filter((review) => review.user?.login !== author);
        return {
          number: pull.number,
          author,
          mergedAt: pull.merged_at ?? '',
          reviews: byOthers.length,
          approvals: byOthers.filter((review) => review.state === 'APPROVED').length,
          reviewers: [
            ...new Set(byOthers.map((review) => review.user?.login).filter((login) => login !== undefined)),
          ],
          files: files.data.map((file) => ({
            path: file.filename,
            additions: file.additions,
            deletions: file.deletions,
            aspect: classifyFile(file.filename),
          })),
          filesTruncated: files.data.length >= MAX_FILES_PER_PULL,
        };
      }),
    );
    return {
      sampled: items.length,
      truncated: merged.length > items.length || closed.data.length >= PER_PAGE,
      listed: merged.length,
      cut: merged.length > items.length ? allowed.cut : null,
      items,
    };
  }

  /**
   * Lines added and deleted over the history. GitHub computes these statistics in the
   * background: 202 while it does, 204 for an empty repository, 422 past 10,000 commits.
   */
  async function readCodeFrequency(owner: string, repo: string) {
    return known('its code frequency statistics', async () => {
      const response = await (await octokit()).rest.repos.getCodeFrequencyStats({ owner, repo });
      if ((response.status as number) === 202) {
        throw new Unanswered('202, still computing them; a later rating will have them');
      }
      if ((response.status as number) === 204 || !Array.isArray(response.data)) {
        throw new Unanswered(`${response.status}, none for an empty repository`);
      }
      let additions = 0;
      let deletions = 0;
      for (const [, added = 0, deleted = 0] of response.data) {
        additions += added;
        deletions += Math.abs(deleted);
      }
      return { additions, deletions };
    });
  }

  type Blob = ListedFile & { sha: string };

  /** Regular files at `head`; symlinks and submodules are left out (they point outside the repo). */
  async function listBlobs(owner: string, repo: string, head: string, what: string): Promise<Blob[]> {
    const api = await octokit();
    const tree = (await api.rest.git.getTree({ owner, repo, tree_sha: head, recursive: '1' })).data;
    if (tree.truncated) {
      throw new PayloadTooLargeError(`${what} has more files than GitHub lists in one tree.`);
    }
    const blobs: Blob[] = tree.tree
      .filter((entry) => entry.type === 'blob' && entry.mode !== '120000' && entry.path && entry.sha)
      .map((entry) => ({
        path: entry.path as string,
        sha: entry.sha as string,
        size: entry.size ?? 0,
        lfs: false,
        aspect: classifyFile(entry.path as string),
      }));
    if (blobs.length > limits.maxFiles)
      throw new PayloadTooLargeError(`${what} has more than ${limits.maxFiles} files.`);
    const total = blobs.reduce((sum, blob) => sum + blob.size, 0);
    if (total > limits.maxTotalBytes) {
      throw new PayloadTooLargeError(
        `${what} holds more than ${Math.round(limits.maxTotalBytes / 1e6)} MB, the most one package may hold.`,
      );
    }
    return blobs;
  }

  /**
   * The repository at `sha` as one zip: a single API request, which GitHub answers with a
   * redirect to its download host (not an API request, not counted). Streamed, never cached.
   */
  async function openArchive(owner: string, repo: string, sha: string): Promise<Readable> {
    const what = `the archive of GitHub repository ${owner}/${repo}`;
    const path = [owner, repo].map(encodeURIComponent).join('/');
    try {
      const response = await transport(`${config.githubApiUrl}/repos/${path}/zipball/${sha}`, {
        headers: {
          accept: 'application/vnd.github+json',
          'user-agent': 'ModelGuard',
          ...(config.githubToken ? { authorization: `token ${config.githubToken}` } : {}),
        },
        redirect: 'follow',
      });
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        throw Object.assign(new Error(`${response.status} ${response.statusText}`), {
          status: response.status,
          response: { headers: Object.fromEntries(response.headers) },
        });
      }
      return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    } catch (error) {
      throw githubError(error, what);
    }
  }

  /** Single files come from the git blob API (packages use the archive); they bypass the cache. */
  function sourceFile(owner: string, repo: string, blob: Blob): SourceFile {
    return {
      path: blob.path,
      size: blob.size,
      open: async () => {
        try {
          const { data } = await (await octokit()).rest.git.getBlob({
            owner,
            repo,
            file_sha: blob.sha,
            request: { fetch: transport },
          });
          const bytes = Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8');
          return Readable.from([bytes]);
        } catch (error) {
          throw githubError(error, `file "${blob.path}" of ${owner}/${repo}`);
        }
      },
    };
  }

  return {
    fetchRepo,
    getLicense: async (owner, repo) => {
      try {
        return spdxOf((await getRepo(owner, repo)).license);
      } catch (error) {
        throw githubError(error, `GitHub repository ${owner}/${repo}`);
      }
    },
  };
}

function noop(): void {}

/** GitHub reports undetectable licenses as NOASSERTION; for us that is no usable license. */
function spdxOf(license: { spdx_id?: string | null } | null | undefined): string | null {
  const id = license?.spdx_id;
  return id && id !== 'NOASSERTION' ? id : null;
}

type OctokitFailure = {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | undefined> };
};

function isOctokitFailure(error: unknown): error is OctokitFailure {
  return error instanceof Error && typeof (error as Partial<OctokitFailure>).status === 'number';
}

/** An answer that is not an error status but carries no data (202, 204). */
class Unanswered extends Error {}

function isRateLimited(error: unknown): boolean {
  if (!isOctokitFailure(error)) return false;
  const remaining = error.response?.headers?.['x-ratelimit-remaining'];
  return (
    error.status === 429 || (error.status === 403 && (remaining === '0' || /rate limit/i.test(error.message)))
  );
}

function describeFailure(error: unknown): string {
  if (error instanceof Unanswered) return `GitHub answered ${error.message}`;
  if (isOctokitFailure(error)) return `GitHub answered ${error.status} (${firstLine(error.message)})`;
  return firstLine(error instanceof Error ? error.message : String(error));
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.slice(0, 200) ?? '';
}

function githubError(error: unknown, what: string): RegistryError {
  if (error instanceof RegistryError) return error;
  if (!isOctokitFailure(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new UpstreamError(`GitHub could not be reached for ${what}: ${message}`);
  }
  const headers = error.response?.headers ?? {};
  if (error.status === 404) return new NotFoundError(`${what} does not exist (or is private).`);
  if (isRateLimited(error)) {
    const reset = Number(headers['x-ratelimit-reset']);
    const untilReset = Number.isFinite(reset) ? Math.max(0, Math.ceil(reset - Date.now() / 1000)) : null;
    return rateLimitedError('GitHub', retryAfterSeconds(headers['retry-after'] ?? null) ?? untilReset);
  }
  return new UpstreamError(`GitHub answered ${error.status} for ${what}: ${firstLine(error.message)}`);
}
