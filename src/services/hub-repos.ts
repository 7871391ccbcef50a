import { createHash } from 'node:crypto';
import semver from 'semver';
import type { ArtifactRecord, Aspect } from '../domain/artifact.js';
import { packageRoot } from '../packages/zip-entries.js';
import type { MetadataStore } from '../storage/metadata/metadata-store.js';

/** The artifact types a Hugging Face Hub client can ask for (`/api/models`, `/api/datasets`). */
export type HubRepoType = 'model' | 'dataset';

/** A repo as a Hub client sees it: every registry version sharing one repo id, newest first. */
export interface HubRepo {
  type: HubRepoType;
  id: string;
  versions: ArtifactRecord[];
}

export type HubRepoLookup =
  | { kind: 'found'; repo: HubRepo }
  /** A legacy id without owner (`bert-base-uncased`) for an artifact ingested under a full id. */
  | { kind: 'moved'; canonicalId: string }
  | { kind: 'missing' };

/** One file of a version, named as in the Hub repo (the package's top folder removed). */
export interface HubFile {
  path: string;
  /** The entry's name inside the stored zip. */
  zipPath: string;
  size: number;
  aspect: Aspect;
  /** A git-object-like id (40 hex), unique to this file in this package: the ETag and tree `oid`. */
  oid: string;
}

/**
 * Hub repo ids as the clients validate them (huggingface_hub's validate_repo_id): an optional
 * `namespace/` and a name of letters, digits, `-`, `_`, `.`, at most 96 characters, no `--` or `..`.
 */
const HUB_PART = /^[\w.-]+$/;
const MAX_REPO_ID_LENGTH = 96;

export function isHubRepoId(id: string): boolean {
  const parts = id.split('/');
  return (
    id.length <= MAX_REPO_ID_LENGTH &&
    parts.length <= 2 &&
    parts.every((part) => HUB_PART.test(part) && !/^[.-]|[.-]$/.test(part)) &&
    !id.includes('--') &&
    !id.includes('..')
  );
}

/**
 * The repo id an artifact answers to: the Hub id it was ingested from, else its registry name
 * when that is a valid repo id (uploads named `acme/sentiment` or `sentiment`). Null: the
 * artifact is not reachable through the Hub API (a name with spaces, say).
 */
export function hubRepoIdOf(record: ArtifactRecord): string | null {
  const upstream = upstreamHubId(record);
  if (upstream) return upstream;
  if (isFromUpstream(record)) return null;
  return isHubRepoId(record.name) ? record.name : null;
}

/**
 * The commit a Hub client pins: the Hub commit the package was fetched at, else the first 40
 * hex digits of the package's SHA-256 (a new package is a new commit, identical bytes the same).
 */
export function commitOf(record: ArtifactRecord): string {
  const sha = record.sourceMetadata.sha;
  if (upstreamHubId(record) && typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha)) return sha;
  return record.packageDigest.slice(0, 40);
}

/** Revision names a version answers to besides its commit: its version as `1.2.3` and `v1.2.3`. */
export function tagsOf(record: ArtifactRecord): string[] {
  const text = record.version?.text;
  if (!text) return [];
  const bare = text.replace(/^v/, '');
  return [bare, `v${bare}`];
}

/** The version a revision names: `main`/`HEAD` the newest, a version tag, or a commit. */
export function versionAt(repo: HubRepo, revision: string): ArtifactRecord | null {
  if (revision === 'main' || revision === 'HEAD') return repo.versions[0] ?? null;
  return (
    repo.versions.find((record) => commitOf(record) === revision) ??
    repo.versions.find((record) => tagsOf(record).includes(revision)) ??
    null
  );
}

/** The version's files in registry order (macOS resource forks left out). */
export function hubFilesOf(record: ArtifactRecord): HubFile[] {
  const files = record.facts.files.filter((file) => !file.path.startsWith('__MACOSX/'));
  const root = packageRoot(files.map((file) => file.path));
  return files.map((file) => ({
    path: file.path.slice(root.length),
    zipPath: file.path,
    size: file.size,
    aspect: file.aspect,
    oid: createHash('sha1').update(`${record.packageDigest}\0${file.path}`).digest('hex'),
  }));
}

/** Newest first: the highest version, then (same or no version) the most recently written. */
function newestFirst(a: ArtifactRecord, b: ArtifactRecord): number {
  if (a.version && b.version) {
    const order = semver.rcompare(a.version.text.replace(/^v/, ''), b.version.text.replace(/^v/, ''));
    if (order !== 0) return order;
  } else if (a.version || b.version) {
    return a.version ? -1 : 1;
  }
  return b.updatedAt.getTime() - a.updatedAt.getTime();
}

function upstreamHubId(record: ArtifactRecord): string | null {
  const meta = record.sourceMetadata;
  const fromHub = meta.kind === 'hf-model' || meta.kind === 'hf-dataset';
  return fromHub && typeof meta.repoId === 'string' ? meta.repoId : null;
}

/** Ingested from somewhere with ids of its own (the Hub, GitHub): its registry name is not its id. */
function isFromUpstream(record: ArtifactRecord): boolean {
  return upstreamHubId(record) !== null || record.sourceMetadata.kind === 'github';
}

/**
 * Finds the registry artifacts behind a Hub repo id. Artifacts are named after the last segment
 * of their upstream id, or carry the id as their name, so two bounded name lookups find every
 * candidate and their ids decide.
 */
export class HubRepoService {
  constructor(
    private readonly store: MetadataStore,
    private readonly maxVersions: number,
  ) {}

  async find(type: HubRepoType, id: string): Promise<HubRepoLookup> {
    if (!isHubRepoId(id)) return { kind: 'missing' };
    const lastSegment = id.slice(id.lastIndexOf('/') + 1);
    const names = id === lastSegment ? [id] : [id, lastSegment];
    const summaries = (await Promise.all(names.map((name) => this.store.findByName(name, this.maxVersions))))
      .flat()
      .filter((summary) => summary.type === type);
    const records = (
      await Promise.all(summaries.map((summary) => this.store.getArtifact(summary.id)))
    ).filter((record) => record !== null);

    const versions = records.filter((record) => sameRepoId(record, id)).sort(newestFirst);
    const first = versions[0];
    if (first) return { kind: 'found', repo: { type, id: hubRepoIdOf(first) ?? id, versions } };

    // The Hub redirects a legacy id to the canonical one; the first-ingested such artifact wins.
    if (id === lastSegment) {
      const owned = records.find((record) => upstreamHubId(record)?.endsWith(`/${id}`));
      const canonicalId = owned && upstreamHubId(owned);
      if (canonicalId) return { kind: 'moved', canonicalId };
    }
    return { kind: 'missing' };
  }
}

/** Hub ids match case-insensitively (the Hub redirects other casings); registry names exactly. */
function sameRepoId(record: ArtifactRecord, id: string): boolean {
  const upstream = upstreamHubId(record);
  if (upstream) return upstream.toLowerCase() === id.toLowerCase();
  return hubRepoIdOf(record) === id;
}

/** A tree entry: a file, or a folder implied by the paths of the files under it. */
export type HubTreeEntry = { type: 'file'; file: HubFile } | { type: 'directory'; path: string; oid: string };

/**
 * The entries under folder `under` ('' for the top): its direct children, or with `recursive`
 * every file and folder beneath it. Folders come first, then files, each in path order. Null
 * when `under` is not a folder of this version.
 */
export function hubTree(
  record: ArtifactRecord,
  files: HubFile[],
  under: string,
  recursive: boolean,
): HubTreeEntry[] | null {
  const prefix = under === '' ? '' : `${under.replace(/\/+$/, '')}/`;
  const inside = files.filter((file) => file.path.startsWith(prefix));
  if (prefix !== '' && inside.length === 0) return null;
  const folders = new Set<string>();
  const direct: HubFile[] = [];
  for (const file of inside) {
    const segments = file.path.slice(prefix.length).split('/');
    const depth = recursive ? segments.length - 1 : Math.min(1, segments.length - 1);
    for (let count = 1; count <= depth; count += 1) folders.add(prefix + segments.slice(0, count).join('/'));
    if (recursive || segments.length === 1) direct.push(file);
  }
  const byPath = (a: { path: string }, b: { path: string }) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  return [
    ...[...folders]
      .map((path) => ({ type: 'directory' as const, path, oid: folderOid(record, path) }))
      .sort(byPath),
    ...direct.sort(byPath).map((file) => ({ type: 'file' as const, file })),
  ];
}

/** The entry at exactly `path`: a file, a folder, or null. */
export function hubEntryAt(record: ArtifactRecord, files: HubFile[], path: string): HubTreeEntry | null {
  const clean = path.replace(/^\/+|\/+$/g, '');
  const file = files.find((candidate) => candidate.path === clean);
  if (file) return { type: 'file', file };
  if (clean !== '' && files.some((candidate) => candidate.path.startsWith(`${clean}/`))) {
    return { type: 'directory', path: clean, oid: folderOid(record, clean) };
  }
  return null;
}

function folderOid(record: ArtifactRecord, path: string): string {
  return createHash('sha1').update(`${record.packageDigest}\0${path}/`).digest('hex');
}
