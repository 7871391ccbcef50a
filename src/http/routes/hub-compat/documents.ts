import type { ArtifactRecord } from '../../../domain/artifact.js';
import {
  commitOf,
  type HubFile,
  type HubRepo,
  type HubTreeEntry,
  hubFilesOf,
  tagsOf,
} from '../../../services/hub-repos.js';
import { parseModelCard } from '../../../sources/model-card.js';

/**
 * The JSON bodies of the Hub API as huggingface_hub (ModelInfo, DatasetInfo, RepoFile,
 * RepoFolder, GitRefs) and @huggingface/hub (modelInfo, listFiles, pathsInfo) parse them. Fields
 * the registry cannot know truthfully (downloads and likes on the Hub) are left out; the clients
 * treat them as optional.
 */

export interface InfoOptions {
  /** `expand` keys: the Hub then answers only these (and the ids). */
  expand: string[];
  /** `blobs=true`: siblings carry their size and blob id. */
  blobs: boolean;
}

export function repoInfo(
  repo: HubRepo,
  record: ArtifactRecord,
  options: InfoOptions,
): Record<string, unknown> {
  const files = hubFilesOf(record);
  const meta = record.sourceMetadata;
  const slash = repo.id.indexOf('/');
  const full: Record<string, unknown> = {
    // @huggingface/hub reports `_id` as the repo's id: here, the registry's artifact id.
    _id: record.id,
    id: repo.id,
    ...(repo.type === 'model' ? { modelId: repo.id } : {}),
    author: slash === -1 ? null : repo.id.slice(0, slash),
    sha: commitOf(record),
    // Everything in the registry needs a token, which is what `private` means to the clients.
    private: true,
    gated: false,
    disabled: false,
    lastModified: record.updatedAt.toISOString(),
    createdAt: record.createdAt.toISOString(),
    tags: stringArray(meta.tags),
    cardData: cardData(record) ?? undefined,
    siblings: files.map((file) => ({
      rfilename: file.path,
      ...(options.blobs ? { size: file.size, blobId: file.oid } : {}),
    })),
    usedStorage: files.reduce((sum, file) => sum + file.size, 0),
    ...(repo.type === 'model'
      ? {
          pipeline_tag: typeof meta.pipelineTag === 'string' ? meta.pipelineTag : undefined,
          library_name: typeof meta.libraryName === 'string' ? meta.libraryName : undefined,
        }
      : {}),
    modelguard: { artifact_id: record.id, name: record.name, version: record.version?.text ?? null },
  };
  if (options.expand.length === 0) return full;
  return Object.fromEntries(
    Object.entries(full).filter(([key]) => key === '_id' || key === 'id' || options.expand.includes(key)),
  );
}

/** `list_repo_refs`: `main` is the newest version, each version is a tag on its own commit. */
export function repoRefs(repo: HubRepo) {
  const newest = repo.versions[0];
  return {
    branches: newest ? [{ name: 'main', ref: 'refs/heads/main', targetCommit: commitOf(newest) }] : [],
    converts: [],
    tags: repo.versions.flatMap((record) => {
      const name = tagsOf(record)[0];
      return name ? [{ name, ref: `refs/tags/${name}`, targetCommit: commitOf(record) }] : [];
    }),
  };
}

/** A tree or paths-info entry; with `expand`, the commit that last touched it (its version's). */
export function treeEntry(
  record: ArtifactRecord,
  entry: HubTreeEntry,
  expand: boolean,
): Record<string, unknown> {
  const lastCommit = expand ? { lastCommit: commitInfo(record) } : {};
  if (entry.type === 'directory')
    return { type: 'directory', oid: entry.oid, size: 0, path: entry.path, ...lastCommit };
  return fileEntry(entry.file, lastCommit);
}

function fileEntry(file: HubFile, extra: Record<string, unknown>) {
  return { type: 'file', oid: file.oid, size: file.size, path: file.path, ...extra };
}

function commitInfo(record: ArtifactRecord) {
  const version = record.version?.text;
  return {
    id: commitOf(record),
    title: version ? `${record.name} ${version}` : record.name,
    date: record.updatedAt.toISOString(),
  };
}

function cardData(record: ArtifactRecord): Record<string, unknown> | null {
  const card = record.sourceMetadata.card as { metadata?: unknown } | undefined;
  if (card && typeof card.metadata === 'object') return card.metadata as Record<string, unknown> | null;
  return record.facts.readme === null ? null : parseModelCard(record.facts.readme).metadata;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
}
