import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { SourcesConfig } from '../config.js';
import { BadRequestError, PayloadTooLargeError } from '../domain/errors.js';
import { classifyFile } from '../packages/classify.js';
import { datasetLinks, githubLinks, primaryGithubRepo } from './card-links.js';
import { DEFAULT_CACHE_OPTIONS, ResponseCache } from './http-cache.js';
import { hubClient } from './hub-client.js';
import { classifyHubRefusals, hubError } from './hub-errors.js';
import { hubReferences, hubRepoIdProblem } from './hub-ids.js';
import { cardFacts, parseModelCard } from './model-card.js';
import { type ModelConfigFacts, readModelConfig } from './model-config.js';
import type { CommitSummary, FetchedSource, HuggingFaceMetadata, ListedFile, SourceFile } from './source.js';
import { canonicalSourceUrl } from './source-urls.js';
import { DEFAULT_UPSTREAM_POLICY, type UpstreamPolicy, upstreamFetch } from './upstream-fetch.js';
import { versionFromTags } from './version-tags.js';

export interface HuggingFaceSourceOptions {
  /** The transport under the retry, cache and error layers (default: global fetch). */
  fetch?: typeof fetch;
  /** Share one cache between sources; by default each source has its own. */
  cache?: ResponseCache;
  policy?: Partial<Omit<UpstreamPolicy, 'upstream'>>;
  /** Largest repo accepted (sum of file sizes); bigger ones are refused before any download. */
  maxTotalBytes?: number;
  maxFiles?: number;
  /** README bytes read as the card; the rest is cut off (and `truncated` set). */
  maxCardBytes?: number;
  /** Most recent commits read for the contributor summary. */
  maxCommits?: number;
}

export interface HuggingFaceSource {
  fetchModel(repoId: string): Promise<FetchedSource>;
  fetchDataset(repoId: string): Promise<FetchedSource>;
}

const DEFAULTS = {
  maxTotalBytes: 20 * 1024 ** 3,
  maxFiles: 10_000,
  maxCardBytes: 1024 * 1024,
  maxCommits: 100,
};
/** config.json and adapter_config.json are a few KB; anything past this is not a config. */
const MAX_CONFIG_BYTES = 1024 * 1024;

type RepoKind = 'hf-model' | 'hf-dataset';
type Refs = { tags: { name: string }[] };

export function createHuggingFaceSource(
  config: SourcesConfig,
  opts: HuggingFaceSourceOptions = {},
): HuggingFaceSource {
  const limits = { ...DEFAULTS, ...opts };
  const policy: UpstreamPolicy = { ...DEFAULT_UPSTREAM_POLICY, ...opts.policy, upstream: 'Hugging Face' };
  const cache = opts.cache ?? new ResponseCache(DEFAULT_CACHE_OPTIONS);
  const hubFetch = cache.wrap(classifyHubRefusals(upstreamFetch(policy, opts.fetch)));
  const hubUrl = config.hfEndpoint;
  const accessToken = config.hfToken ?? undefined;
  const client = { hubUrl, accessToken, fetch: hubFetch };
  const authHeaders: Record<string, string> = accessToken ? { Authorization: `Bearer ${accessToken}` } : {};

  async function fetchRepo(kind: RepoKind, requestedId: string): Promise<FetchedSource> {
    const type = kind === 'hf-model' ? 'model' : 'dataset';
    const what = `${type} "${requestedId}"`;
    // Ids also come from card text; one that could bend the request URL is never sent.
    const problem = hubRepoIdProblem(requestedId);
    if (problem) throw new BadRequestError(`${what} is ${problem}.`);
    try {
      const info = await readInfo(kind, requestedId);
      // The hub redirects renamed and legacy ids (bert-base-uncased) to the canonical one.
      const repoId = info.name;
      const repo = { type, name: repoId } as const;
      const sha = info.sha ?? null;
      const revision = sha ?? 'main';

      const [listed, tags, commits] = await Promise.all([
        listRepoFiles(repo, revision, what),
        readTags(type, repoId),
        summarizeCommits(repo, revision),
      ]);
      const has = (path: string) => listed.some((file) => file.path === path);
      const [readme, configText, adapterText] = await Promise.all([
        has('README.md') ? readText(repo, revision, 'README.md', limits.maxCardBytes) : null,
        has('config.json') ? readText(repo, revision, 'config.json', MAX_CONFIG_BYTES) : null,
        has('adapter_config.json') ? readText(repo, revision, 'adapter_config.json', MAX_CONFIG_BYTES) : null,
      ]);

      const card = parseModelCard(readme?.text ?? '');
      const facts = cardFacts(card.metadata);
      const modelConfig = configText ? configFacts(configText) : null;
      const adapter = adapterText ? configFacts(adapterText) : null;
      const links = githubLinks(card.metadata, card.body);
      const ref = { kind, repoId };

      const metadata: HuggingFaceMetadata = {
        kind,
        repoId,
        sha,
        author: info.author ?? repoId.split('/')[0] ?? null,
        private: info.private,
        gated: info.gated,
        downloads: info.downloads,
        likes: info.likes,
        lastModified: isoOrNull(info.updatedAt),
        createdAt: isoOrNull(info.createdAt),
        tags: info.tags ?? [],
        pipelineTag: info.pipelineTag ?? facts.pipelineTag,
        libraryName: info.libraryName ?? facts.libraryName,
        card: {
          text: readme?.text ?? null,
          truncated: readme?.truncated ?? false,
          metadata: card.metadata,
          error: card.error,
          facts,
        },
        config: modelConfig,
        adapter,
        safetensorsParameters: info.safetensorsTotal ?? null,
        files: listed,
        totalBytes: sum(listed.map((file) => file.size)),
        weightsBytes: sum(listed.filter((file) => file.aspect === 'weights').map((file) => file.size)),
        gitTags: tags,
        version: versionFromTags(tags),
        commits,
        ...hubReferences(
          [
            ...facts.baseModels,
            ...Object.values(modelConfig?.baseModelFields ?? {}),
            ...Object.values(adapter?.baseModelFields ?? {}),
          ],
          [...facts.datasets, ...datasetLinks(card.body)],
        ),
        linkedGithub: primaryGithubRepo(links),
        githubLinks: links,
      };
      return {
        name: repoId.split('/').pop() ?? repoId,
        canonicalUrl: canonicalSourceUrl(ref),
        version: metadata.version,
        files: listed.map((file) => sourceFile(type, repoId, revision, file)),
        metadata,
      };
    } catch (error) {
      throw hubError(error, what);
    }
  }

  async function readInfo(kind: RepoKind, name: string) {
    const { datasetInfo, modelInfo } = await hubClient();
    if (kind === 'hf-model') {
      const info = await modelInfo({
        ...client,
        name,
        additionalFields: ['author', 'createdAt', 'library_name', 'safetensors', 'sha', 'tags'],
      });
      return {
        ...info,
        pipelineTag: info.task ?? null,
        libraryName: info.library_name ?? null,
        safetensorsTotal: info.safetensors?.total,
      };
    }
    const info = await datasetInfo({
      ...client,
      name,
      additionalFields: ['author', 'createdAt', 'sha', 'tags'],
    });
    return { ...info, pipelineTag: null, libraryName: null, safetensorsTotal: undefined };
  }

  async function listRepoFiles(repo: HubRepo, revision: string, what: string): Promise<ListedFile[]> {
    const files: ListedFile[] = [];
    let total = 0;
    const { listFiles } = await hubClient();
    for await (const entry of listFiles({ ...client, repo, revision, recursive: true })) {
      if (entry.type !== 'file') continue;
      const size = entry.lfs?.size ?? entry.size;
      files.push({
        path: entry.path,
        size,
        lfs: entry.lfs !== undefined || entry.xetHash !== undefined,
        aspect: classifyFile(entry.path),
      });
      total += size;
      if (files.length > limits.maxFiles) {
        throw new PayloadTooLargeError(`${what} has more than ${limits.maxFiles} files.`);
      }
      if (total > limits.maxTotalBytes) {
        throw new PayloadTooLargeError(
          `${what} holds more than ${megabytes(limits.maxTotalBytes)} MB, the most one package may hold.`,
        );
      }
    }
    return files;
  }

  /** Git tags; the client library has no call for `/refs`, so it is asked through the same transport. */
  async function readTags(type: HubRepo['type'], repoId: string): Promise<string[]> {
    const url = `${hubUrl}/api/${type}s/${repoId}/refs`;
    const response = await hubFetch(url, { headers: { accept: 'application/json', ...authHeaders } });
    if (!response.ok) {
      await response.body?.cancel();
      const { HubApiError } = await hubClient();
      throw new HubApiError(url, response.status, undefined, `refs answered ${response.status}`);
    }
    const refs = (await response.json()) as Refs;
    return (refs.tags ?? []).map((tag) => tag.name).filter((name) => typeof name === 'string');
  }

  async function summarizeCommits(repo: HubRepo, revision: string): Promise<CommitSummary> {
    const counts = new Map<string, number>();
    const dates: number[] = [];
    const { listCommits } = await hubClient();
    for await (const commit of listCommits({ ...client, repo, revision, batchSize: limits.maxCommits })) {
      dates.push(commit.date.getTime());
      for (const author of commit.authors)
        counts.set(author.username, (counts.get(author.username) ?? 0) + 1);
      if (dates.length >= limits.maxCommits) break; // before the client asks for another page
    }
    const valid = dates.filter((date) => !Number.isNaN(date));
    return {
      sampled: dates.length,
      truncated: dates.length >= limits.maxCommits,
      authors: [...counts]
        .map(([name, commits]) => ({ name, commits }))
        .sort((a, b) => b.commits - a.commits),
      latest: valid.length ? new Date(Math.max(...valid)).toISOString() : null,
      earliest: valid.length ? new Date(Math.min(...valid)).toISOString() : null,
    };
  }

  async function readText(repo: HubRepo, revision: string, path: string, maxBytes: number) {
    const { downloadFile } = await hubClient();
    const blob = await downloadFile({ ...client, repo, revision, path });
    if (!blob) return null;
    const truncated = blob.size > maxBytes;
    const text = await (truncated ? blob.slice(0, maxBytes) : blob).text();
    return { text, truncated };
  }

  /**
   * Files stream from the resolve URL (what `downloadFile` fetches too), through the same retry
   * and error layers; they are pinned to the commit the metadata was read at.
   */
  function sourceFile(type: HubRepo['type'], repoId: string, revision: string, file: ListedFile): SourceFile {
    const prefix = type === 'dataset' ? 'datasets/' : '';
    const url = `${hubUrl}/${prefix}${repoId}/resolve/${encodeURIComponent(revision)}/${file.path
      .split('/')
      .map(encodeURIComponent)
      .join('/')}`;
    return {
      path: file.path,
      size: file.size,
      open: async () => {
        const what = `file "${file.path}" of ${type} "${repoId}"`;
        try {
          const response = await hubFetch(url, { headers: authHeaders });
          if (!response.ok || !response.body) {
            await response.body?.cancel();
            const { HubApiError } = await hubClient();
            throw new HubApiError(url, response.status, undefined, `download answered ${response.status}`);
          }
          return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
        } catch (error) {
          throw hubError(error, what);
        }
      },
    };
  }

  return {
    fetchModel: (repoId) => fetchRepo('hf-model', repoId),
    fetchDataset: (repoId) => fetchRepo('hf-dataset', repoId),
  };
}

type HubRepo = { type: 'model' | 'dataset'; name: string };

function configFacts(read: { text: string; truncated: boolean }): ModelConfigFacts {
  const facts = readModelConfig(read.text);
  return read.truncated ? { ...facts, error: `Larger than ${MAX_CONFIG_BYTES} bytes.` } : facts;
}

function isoOrNull(value: Date | string | undefined): string | null {
  if (value === undefined) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function megabytes(bytes: number): number {
  return Math.round(bytes / 1e6);
}
