import { BadRequestError } from '../domain/errors.js';

/** What a source URL points at, once recognised. */
export type SourceRef =
  | { kind: 'hf-model' | 'hf-dataset'; repoId: string }
  | { kind: 'github'; owner: string; repo: string }
  | { kind: 'url'; url: string };

const HF_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);
const GITHUB_HOSTS = new Set(['github.com', 'www.github.com']);

/** Page tails after a repo id on huggingface.co (`/tree/main`, `/blob/main/x`, ...). */
const HF_REPO_TAILS = new Set(['tree', 'blob', 'resolve', 'raw', 'commit', 'commits', 'discussions', 'edit']);

/** Top-level huggingface.co pages that are not legacy single-segment model ids. */
const HF_RESERVED = new Set([
  'api',
  'blog',
  'collections',
  'datasets',
  'docs',
  'join',
  'login',
  'models',
  'organizations',
  'papers',
  'pricing',
  'settings',
  'spaces',
  'tasks',
]);

/** Hub naming rules: letters, digits, `-`, `_`, `.`; no leading/trailing `-`/`.`; no `--`/`..`; at most 96. */
const HF_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?$/;
/** GitHub logins: letters, digits and single inner hyphens, at most 39. */
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/;

export function parseSourceUrl(raw: string): SourceRef {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new BadRequestError(`"${raw}" is not a valid URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BadRequestError(`Source URLs must use http or https, got "${url.protocol}".`);
  }
  const host = url.hostname.toLowerCase();
  const segments = url.pathname.split('/').filter(Boolean).map(decodeSegment);
  if (HF_HOSTS.has(host)) return parseHuggingFacePath(segments, raw);
  if (GITHUB_HOSTS.has(host)) return parseGitHubPath(segments, raw);
  return { kind: 'url', url: url.href };
}

/** The public page of a recognised source, used as the artifact's canonical source URL. */
export function canonicalSourceUrl(ref: SourceRef): string {
  switch (ref.kind) {
    case 'hf-model':
      return `https://huggingface.co/${ref.repoId}`;
    case 'hf-dataset':
      return `https://huggingface.co/datasets/${ref.repoId}`;
    case 'github':
      return `https://github.com/${ref.owner}/${ref.repo}`;
    case 'url':
      return ref.url;
  }
}

function parseHuggingFacePath(segments: string[], raw: string): SourceRef {
  const [first] = segments;
  if (first === 'datasets') {
    return { kind: 'hf-dataset', repoId: huggingFaceRepoId(segments.slice(1), raw) };
  }
  if (first === undefined || HF_RESERVED.has(first)) {
    throw new BadRequestError(`"${raw}" is not a Hugging Face model or dataset page.`);
  }
  return { kind: 'hf-model', repoId: huggingFaceRepoId(segments, raw) };
}

/** `ORG/NAME[/tail...]` or a legacy `NAME[/tail...]` without an organisation. */
function huggingFaceRepoId(segments: string[], raw: string): string {
  const [first, second] = segments;
  const id = second === undefined || HF_REPO_TAILS.has(second) ? [first] : [first, second];
  if (!id.every((part) => part !== undefined && HF_NAME.test(part) && !/--|\.\./.test(part))) {
    throw new BadRequestError(`"${raw}" does not name a valid Hugging Face repository.`);
  }
  return id.join('/');
}

function parseGitHubPath(segments: string[], raw: string): SourceRef {
  const [owner, repoSegment] = segments;
  const repo = repoSegment?.replace(/\.git$/i, '');
  if (
    owner === undefined ||
    repo === undefined ||
    !GITHUB_OWNER.test(owner) ||
    !GITHUB_REPO.test(repo) ||
    repo === '.' ||
    repo === '..'
  ) {
    throw new BadRequestError(`"${raw}" is not a GitHub repository URL (https://github.com/OWNER/REPO).`);
  }
  return { kind: 'github', owner, repo };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
