import { Readable } from 'node:stream';
import { BadRequestError, NotFoundError } from '../../../src/domain/errors.js';
import { classifyFile } from '../../../src/packages/classify.js';
import type { GitHubSource } from '../../../src/sources/github.js';
import { hubRepoIdProblem } from '../../../src/sources/hub-ids.js';
import type { HuggingFaceSource } from '../../../src/sources/huggingface.js';
import type { FetchedSource, GitHubMetadata, HuggingFaceMetadata } from '../../../src/sources/source.js';
import { canonicalSourceUrl } from '../../../src/sources/source-urls.js';
import { makeZip } from '../../support/zips.js';
import { githubRepo, hfDataset, hfModel } from '../rating/evidence-builder.js';

/** A file's bytes, or a way to open it (a stream that stalls, fails ...). */
export type FakeFile = string | Buffer | (() => Readable);

export interface FakeHubRepo {
  files: Record<string, FakeFile>;
  metadata?: Partial<HuggingFaceMetadata>;
}

export interface FakeGitHubRepo {
  files: Record<string, string | Buffer>;
  metadata?: Partial<GitHubMetadata>;
}

function sizeOf(file: FakeFile): number {
  return typeof file === 'function' ? 0 : Buffer.byteLength(file);
}

function open(file: FakeFile): Promise<Readable> {
  return Promise.resolve(typeof file === 'function' ? file() : Readable.from([Buffer.from(file)]));
}

/**
 * The Hugging Face source in process: answers like the real client (`createHuggingFaceSource`)
 * for the repos it holds, 404 (NotFoundError) for the others, 400 for ids the hub refuses, or
 * `failure` (a rate limit, an outage) for every fetch while it is set.
 */
export class FakeHuggingFace implements HuggingFaceSource {
  readonly models = new Map<string, FakeHubRepo>();
  readonly datasets = new Map<string, FakeHubRepo>();
  failure: Error | null = null;
  /** Every repo id asked for, in order. */
  readonly requested: string[] = [];

  fetchModel(repoId: string): Promise<FetchedSource> {
    return this.fetch('model', repoId);
  }

  fetchDataset(repoId: string): Promise<FetchedSource> {
    return this.fetch('dataset', repoId);
  }

  private async fetch(type: 'model' | 'dataset', repoId: string): Promise<FetchedSource> {
    this.requested.push(repoId);
    const what = `${type} "${repoId}"`;
    const problem = hubRepoIdProblem(repoId);
    if (problem) throw new BadRequestError(`${what} is ${problem}.`);
    if (this.failure) throw this.failure;
    const repo = (type === 'model' ? this.models : this.datasets).get(repoId);
    if (!repo) throw new NotFoundError(`${what} does not exist on Hugging Face (or is private).`);
    const entries = Object.entries(repo.files);
    const listed = entries.map(([path, file]) => ({
      path,
      size: sizeOf(file),
      lfs: false,
      aspect: classifyFile(path),
    }));
    const build = type === 'model' ? hfModel : hfDataset;
    const metadata = build({ repoId, files: listed, ...repo.metadata });
    return {
      name: repoId.split('/').pop() ?? repoId,
      canonicalUrl: canonicalSourceUrl(
        type === 'model' ? { kind: 'hf-model', repoId } : { kind: 'hf-dataset', repoId },
      ),
      version: metadata.version,
      files: entries.map(([path, file]) => ({ path, size: sizeOf(file), open: () => open(file) })),
      metadata,
    };
  }
}

/**
 * The GitHub source in process: a repository's files come as one zipball under a top folder,
 * as GitHub serves them; unknown repositories are 404, `failure` fails every call.
 */
export class FakeGitHub implements GitHubSource {
  readonly repos = new Map<string, FakeGitHubRepo>();
  failure: Error | null = null;
  readonly requested: string[] = [];

  async fetchRepo(owner: string, repo: string): Promise<FetchedSource> {
    const fullName = `${owner}/${repo}`;
    this.requested.push(fullName);
    if (this.failure) throw this.failure;
    const found = this.repos.get(fullName);
    if (!found) throw new NotFoundError(`GitHub repository ${fullName} does not exist (or is private).`);
    const entries = Object.entries(found.files);
    const metadata = githubRepo(
      { fullName, htmlUrl: `https://github.com/${fullName}`, ...found.metadata },
      entries.map(([path]) => path),
    );
    return {
      name: repo,
      canonicalUrl: canonicalSourceUrl({ kind: 'github', owner, repo }),
      version: null,
      files: entries.map(([path, content]) => ({
        path,
        size: Buffer.byteLength(content),
        open: () => open(content),
      })),
      archive: async () =>
        Readable.from([
          await makeZip(
            entries.map(([path, content]) => ({ path: `${owner}-${repo}-abc123/${path}`, content })),
          ),
        ]),
      metadata,
    };
  }

  async getLicense(owner: string, repo: string): Promise<string | null> {
    const fetched = await this.fetchRepo(owner, repo);
    return fetched.metadata.kind === 'github' ? fetched.metadata.license : null;
  }
}
