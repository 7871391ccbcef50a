import { classifyFile } from '../../../src/packages/classify.js';
import type { RatingEvidence } from '../../../src/rating/evidence.js';
import { cardFacts, parseModelCard } from '../../../src/sources/model-card.js';
import type {
  GitHubMetadata,
  HuggingFaceMetadata,
  ListedFile,
  PullRequestEvidence,
} from '../../../src/sources/source.js';
import { summarizeTree } from '../../../src/sources/tree-summary.js';

/** Hand-built rating evidence: the smallest valid shapes, overridden per test. */
export const NOW = new Date('2025-06-01T00:00:00Z');

export function card(text: string | null): HuggingFaceMetadata['card'] {
  if (text === null)
    return { text: null, truncated: false, metadata: null, error: null, facts: cardFacts(null) };
  const parsed = parseModelCard(text);
  return {
    text,
    truncated: false,
    metadata: parsed.metadata,
    error: parsed.error,
    facts: cardFacts(parsed.metadata),
  };
}

export function file(path: string, size = 100): ListedFile {
  return { path, size, lfs: size > 10_000, aspect: classifyFile(path) };
}

export function hfModel(overrides: Partial<HuggingFaceMetadata> = {}): HuggingFaceMetadata {
  const files = overrides.files ?? [];
  return {
    kind: 'hf-model',
    repoId: 'acme/model',
    sha: null,
    author: 'acme',
    private: false,
    gated: false,
    downloads: 0,
    likes: 0,
    lastModified: null,
    createdAt: null,
    tags: [],
    pipelineTag: null,
    libraryName: null,
    card: card(null),
    config: null,
    adapter: null,
    safetensorsParameters: null,
    totalBytes: files.reduce((sum, item) => sum + item.size, 0),
    weightsBytes: files.filter((item) => item.aspect === 'weights').reduce((sum, item) => sum + item.size, 0),
    gitTags: [],
    version: null,
    commits: { sampled: 0, truncated: false, authors: [], latest: null, earliest: null },
    baseModels: [],
    datasets: [],
    linkedGithub: null,
    githubLinks: [],
    ...overrides,
    files,
  };
}

export function hfDataset(overrides: Partial<HuggingFaceMetadata> = {}): HuggingFaceMetadata {
  return hfModel({ kind: 'hf-dataset', repoId: 'acme/data', ...overrides });
}

export function pullRequest(
  number: number,
  files: Record<string, number>,
  reviewers: string[] = [],
  overrides: Partial<PullRequestEvidence> = {},
): PullRequestEvidence {
  return {
    number,
    author: 'author',
    mergedAt: '2024-01-01T00:00:00Z',
    reviews: reviewers.length,
    approvals: reviewers.length,
    reviewers,
    files: Object.entries(files).map(([path, additions]) => ({
      path,
      additions,
      deletions: 0,
      aspect: classifyFile(path),
    })),
    filesTruncated: false,
    ...overrides,
  };
}

export function githubRepo(
  overrides: Partial<GitHubMetadata> = {},
  treePaths: string[] = ['README.md', 'src/main.py'],
): GitHubMetadata {
  return {
    kind: 'github',
    fullName: 'acme/code',
    description: null,
    htmlUrl: 'https://github.com/acme/code',
    defaultBranch: 'main',
    sha: 'abc',
    license: 'MIT',
    stars: 0,
    forks: 0,
    openIssues: 0,
    archived: false,
    createdAt: null,
    pushedAt: null,
    contributors: [],
    contributorsTruncated: false,
    recentCommits: [],
    tree: summarizeTree(treePaths.map((path) => file(path))),
    pullRequests: { sampled: 0, truncated: false, items: [] },
    codeFrequency: null,
    ...overrides,
  };
}

export function evidence(overrides: Partial<RatingEvidence> = {}): RatingEvidence {
  return { model: hfModel(), github: null, datasets: [], parents: [], now: NOW, ...overrides };
}

/** A card with YAML front matter (given as lines) and a Markdown body. */
export function cardText(frontMatter: string[], body: string): string {
  return frontMatter.length > 0 ? `---\n${frontMatter.join('\n')}\n---\n${body}` : body;
}
