import { stringList } from './model-card.js';

export type GitHubRepoRef = { owner: string; repo: string };

/** Front-matter keys cards use to point at their code. */
const CODE_KEYS = ['github', 'repository', 'code_repository', 'source_code', 'repo_url'];
/**
 * Owners whose repos are tooling nearly every card links to (`huggingface/transformers`), not the
 * model's own code; they are listed but never chosen as the linked repository.
 */
const TOOLING_OWNERS = new Set(['huggingface']);
/** Bounds so a hostile card cannot make link extraction expensive or the metadata large. */
const MAX_SCANNED_CHARS = 200_000;
const MAX_LINKS = 20;

const GITHUB_LINK =
  /https?:\/\/(?:www\.)?github\.com\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})/g;
const DATASET_LINK =
  /https?:\/\/(?:www\.)?(?:huggingface\.co|hf\.co)\/datasets\/([A-Za-z0-9][A-Za-z0-9._-]{0,95}(?:\/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?)/g;

/** GitHub repositories linked from the card, front matter first, in order of appearance. */
export function githubLinks(metadata: Record<string, unknown> | null, body: string): GitHubRepoRef[] {
  const sources = [
    ...CODE_KEYS.flatMap((key) => stringList(metadata?.[key])),
    body.slice(0, MAX_SCANNED_CHARS),
  ];
  const seen = new Map<string, GitHubRepoRef>();
  for (const text of sources) {
    for (const [, owner = '', rawRepo = ''] of text.matchAll(GITHUB_LINK)) {
      const repo = rawRepo.replace(/\.git$/i, '').replace(/\.+$/, '');
      const key = `${owner}/${repo}`.toLowerCase();
      if (repo && !seen.has(key)) seen.set(key, { owner, repo });
      if (seen.size >= MAX_LINKS) return [...seen.values()];
    }
  }
  return [...seen.values()];
}

/** The repository holding the model's own code: the first linked one that is not shared tooling. */
export function primaryGithubRepo(links: readonly GitHubRepoRef[]): GitHubRepoRef | null {
  return links.find((link) => !TOOLING_OWNERS.has(link.owner.toLowerCase())) ?? null;
}

/** Hugging Face dataset ids linked from the card body. */
export function datasetLinks(body: string): string[] {
  const ids = new Set<string>();
  for (const [, id = ''] of body.slice(0, MAX_SCANNED_CHARS).matchAll(DATASET_LINK)) {
    ids.add(id.replace(/\.+$/, ''));
    if (ids.size >= MAX_LINKS) break;
  }
  return [...ids];
}
