import { type Static, Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ArtifactRecord } from '../../../domain/artifact.js';
import {
  type HubRepo,
  type HubRepoService,
  type HubRepoType,
  versionAt,
} from '../../../services/hub-repos.js';
import { repoNotFound, revisionNotFound } from './hub-errors.js';

/** Where a repo type's API and files live on the Hub. */
export interface RepoKind {
  type: HubRepoType;
  /** `/api/models`, `/api/datasets` */
  api: string;
  /** '' for models (`/{repo_id}/resolve/...`), `/datasets` for datasets. */
  files: string;
  plural: string;
}

export const REPO_KINDS: RepoKind[] = [
  { type: 'model', api: '/api/models', files: '', plural: 'models' },
  { type: 'dataset', api: '/api/datasets', files: '/datasets', plural: 'datasets' },
];

/**
 * Hub repo ids are `namespace/name` or a legacy bare `name`; each route is mounted for both. The
 * bare form is hidden from the OpenAPI document, which describes the namespaced one.
 */
export const ID_FORMS = [
  { path: ':namespace/:repo_name', hidden: false },
  { path: ':repo_name', hidden: true },
] as const;

export const RepoParams = Type.Object({
  namespace: Type.Optional(Type.String({ description: 'Owner of the repo (omitted for a legacy bare id).' })),
  repo_name: Type.String(),
  revision: Type.Optional(
    Type.String({
      description: '`main` (the newest version), a version tag (`1.2.0`, `v1.2.0`) or a commit.',
    }),
  ),
  '*': Type.Optional(Type.String({ description: 'Path of a file or folder in the repo.' })),
});
export type RepoParams = Static<typeof RepoParams>;

export function repoIdOf(params: RepoParams): string {
  return params.namespace === undefined ? params.repo_name : `${params.namespace}/${params.repo_name}`;
}

/**
 * The repo the request names. A legacy bare id of an artifact ingested under a full Hub id is
 * answered as the Hub does, with a relative 307 to the canonical URL (every client follows it);
 * null then, as the reply is sent.
 */
export async function findRepo(
  repos: HubRepoService,
  kind: RepoKind,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<HubRepo | null> {
  const id = repoIdOf(request.params as RepoParams);
  const found = await repos.find(kind.type, id);
  if (found.kind === 'found') return found.repo;
  if (found.kind === 'missing') throw repoNotFound(id);
  const prefix = request.url.startsWith(kind.api) ? `${kind.api}/` : `${kind.files}/`;
  const location = prefix + found.canonicalId + request.url.slice(prefix.length + id.length);
  await reply
    .status(307)
    .header('location', location)
    .send({
      error: 'MOVED',
      message: `${id} is ${found.canonicalId} in this registry.`,
    });
  return null;
}

export function versionOf(repo: HubRepo, revision: string | undefined): ArtifactRecord {
  const wanted = revision ?? 'main';
  const record = versionAt(repo, wanted);
  if (!record) throw revisionNotFound(repo.id, wanted);
  return record;
}
