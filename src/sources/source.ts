import type { Readable } from 'node:stream';
import type { Aspect } from '../domain/artifact.js';
import type { GitHubRepoRef } from './card-links.js';
import type { IgnoredReference } from './hub-ids.js';
import type { CardFacts } from './model-card.js';
import type { ModelConfigFacts } from './model-config.js';

/** One file of a fetched source; its bytes are fetched only when `open()` is called. */
export interface SourceFile {
  path: string;
  size: number;
  open(): Promise<Readable>;
}

/** A source ready to be written as a package, with the evidence rating and lineage read later. */
export interface FetchedSource {
  name: string;
  canonicalUrl: string;
  version: string | null;
  files: SourceFile[];
  /**
   * All the files as one zip archive under a single top folder, when the source offers one
   * (GitHub's zipball): packing then costs one request instead of one per file.
   */
  archive?: () => Promise<Readable>;
  metadata: SourceMetadata;
}

/**
 * Everything below is plain JSON (ISO date strings, no class instances) so it can be stored as
 * the artifact's `sourceMetadata` as is. Shapes are type aliases, not interfaces, so they stay
 * assignable to `Record<string, unknown>`.
 */
export type SourceMetadata = HuggingFaceMetadata | GitHubMetadata;

export type ListedFile = {
  path: string;
  size: number;
  /** Stored through Git LFS (or Xet): `size` is the real file size, not the pointer's. */
  lfs: boolean;
  aspect: Aspect;
};

export type HuggingFaceMetadata = {
  kind: 'hf-model' | 'hf-dataset';
  repoId: string;
  /** The commit the evidence and the files were read at. */
  sha: string | null;
  author: string | null;
  private: boolean;
  gated: false | 'auto' | 'manual';
  downloads: number;
  likes: number;
  lastModified: string | null;
  createdAt: string | null;
  tags: string[];
  pipelineTag: string | null;
  libraryName: string | null;
  card: {
    /** README.md text, cut at `maxCardBytes`; null when the repo has no README. */
    text: string | null;
    truncated: boolean;
    /** Parsed front matter; null when it is malformed (see `error`). */
    metadata: Record<string, unknown> | null;
    error: string | null;
    facts: CardFacts;
  };
  /** config.json facts; null when the repo has none (datasets, some adapters). */
  config: ModelConfigFacts | null;
  /** adapter_config.json facts (PEFT / LoRA adapters); null when absent. */
  adapter: ModelConfigFacts | null;
  /** Parameter count the hub computed from safetensors headers, when it did. */
  safetensorsParameters: number | null;
  files: ListedFile[];
  totalBytes: number;
  weightsBytes: number;
  /** All git tag names, and the highest `vX.Y.Z` / `X.Y.Z` among them. */
  gitTags: string[];
  version: string | null;
  commits: CommitSummary;
  /** Base models named by the card (`base_model`) and by config files, deduplicated. */
  baseModels: string[];
  /** Datasets named by the card (`datasets`) and linked from its body. */
  datasets: string[];
  /** Names given for base models or datasets that are not hub repo ids, never requested. */
  ignoredReferences?: IgnoredReference[];
  linkedGithub: GitHubRepoRef | null;
  githubLinks: GitHubRepoRef[];
};

/** Who committed and when, over the most recent commits; `truncated` once the bound is reached. */
export type CommitSummary = {
  sampled: number;
  truncated: boolean;
  authors: { name: string; commits: number }[];
  latest: string | null;
  earliest: string | null;
};

export type GitHubMetadata = {
  kind: 'github';
  fullName: string;
  description: string | null;
  htmlUrl: string;
  defaultBranch: string;
  /** Commit of the default branch the tree and files were read at. */
  sha: string;
  /** SPDX id GitHub detected; null when there is no license file or GitHub could not tell (NOASSERTION). */
  license: string | null;
  stars: number;
  forks: number;
  openIssues: number;
  archived: boolean;
  createdAt: string | null;
  pushedAt: string | null;
  contributors: { login: string; contributions: number }[];
  contributorsTruncated: boolean;
  recentCommits: { sha: string; author: string | null; date: string | null }[];
  tree: TreeSummary;
  pullRequests: PullRequestSample;
  /** Lines added and deleted over the repository's history (GitHub's weekly code frequency). */
  codeFrequency: { additions: number; deletions: number } | null;
  /**
   * Why an optional signal is not known (GitHub still computing it, refusing it for a long
   * history, an empty repository, an error); its field then holds the empty value.
   */
  unknown?: Partial<Record<GitHubSignal, string>>;
};

/** Evidence GitHub may fail to give without the repository being unreadable. */
export type GitHubSignal = 'codeFrequency' | 'contributors' | 'pullRequests';

export type TreeSummary = {
  fileCount: number;
  totalBytes: number;
  topLevel: string[];
  hasTests: boolean;
  ciWorkflows: string[];
  lintConfigs: string[];
  typeConfigs: string[];
  packagingFiles: string[];
  files: ListedFile[];
};

/**
 * The most recently updated merged pull requests (bounded; see github.ts), with enough detail to
 * compute reviewedness: which added lines, in which kinds of file, came through reviewed PRs.
 */
export type PullRequestSample = {
  sampled: number;
  /** More merged pull requests exist than were read. */
  truncated: boolean;
  /** Merged pull requests in the listed page, of which `sampled` were read. */
  listed?: number;
  /** Why fewer were read than listed (the bound without a token, or the request budget left). */
  cut?: string | null;
  items: PullRequestEvidence[];
};

export type PullRequestEvidence = {
  number: number;
  author: string | null;
  mergedAt: string;
  reviews: number;
  approvals: number;
  /** Reviewers other than the author. */
  reviewers: string[];
  files: { path: string; additions: number; deletions: number; aspect: Aspect }[];
  filesTruncated: boolean;
};
