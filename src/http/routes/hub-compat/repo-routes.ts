import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../../registry.js';
import type { Permission } from '../../../security/permissions.js';
import { type HubRepo, hubEntryAt, hubFilesOf, hubTree } from '../../../services/hub-repos.js';
import { baseUrl } from '../../links.js';
import {
  findRepo,
  ID_FORMS,
  REPO_KINDS,
  type RepoParams,
  RepoParams as RepoParamsSchema,
  versionOf,
} from './addresses.js';
import { repoInfo, repoRefs, treeEntry } from './documents.js';
import { entryNotFound } from './hub-errors.js';

/** Reading what a repo holds is metadata: `search` allows it, and so does `download` (to list what one downloads). */
export const METADATA_ACCESS: readonly Permission[] = ['search', 'download'];

const TAGS = ['Hugging Face Hub compatibility (extension)'];
/** Entries per tree page, as on the Hub; the `Link` header names the next page. */
const TREE_PAGE = 1000;
const MAX_PATHS = 1000;

const truthy = (value: unknown) =>
  value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (item) => typeof item === 'string',
  );

const InfoQuery = Type.Object({
  expand: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  blobs: Type.Optional(Type.String()),
});
const TreeQuery = Type.Object({
  recursive: Type.Optional(Type.String()),
  expand: Type.Optional(Type.String()),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$' })),
});
const PathsInfoBody = Type.Object({
  paths: Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: MAX_PATHS })]),
  expand: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
});

type RepoHandler = (repo: HubRepo, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Repo info, refs, tree listings and paths-info for models and datasets. */
export function registerRepoRoutes(app: FastifyInstance, registry: Registry): void {
  const { hubRepos } = registry;
  for (const kind of REPO_KINDS) {
    for (const form of ID_FORMS) {
      const base = `${kind.api}/${form.path}`;
      /** A metadata route on one repo: answered once the repo is found (or redirected). */
      const repoRoute = (
        method: 'GET' | 'POST',
        urls: string[],
        doc: { summary: string; description: string; querystring?: TSchema; body?: TSchema },
        handle: RepoHandler,
      ) => {
        for (const url of urls) {
          app.route({
            method,
            url,
            config: { access: METADATA_ACCESS, bearerToken: true },
            schema: {
              ...doc,
              tags: TAGS,
              hide: form.hidden,
              params: RepoParamsSchema,
              response: { 200: Type.Unknown({ description: 'As the Hugging Face Hub answers.' }) },
            },
            handler: async (request, reply) => {
              const repo = await findRepo(hubRepos, kind, request, reply);
              return repo ? handle(repo, request, reply) : reply;
            },
          });
        }
      };

      repoRoute(
        'GET',
        [base, `${base}/revision/:revision`],
        {
          summary: `Hub ${kind.type} info`,
          description:
            `The ${kind.type} as a Hub repo (huggingface_hub repo_info / @huggingface/hub ${kind.type}Info): ` +
            "`sha` is the version's commit, `siblings` its files; `main` is the newest version.",
          querystring: InfoQuery,
        },
        async (repo, request) => {
          const params = request.params as RepoParams;
          const query = request.query as { expand?: string | string[]; blobs?: string };
          return repoInfo(repo, versionOf(repo, params.revision), {
            expand: list(query.expand),
            blobs: truthy(query.blobs),
          });
        },
      );

      repoRoute(
        'GET',
        [`${base}/refs`],
        { summary: 'Hub refs', description: 'Branch `main` (the newest version) and one tag per version.' },
        async (repo) => repoRefs(repo),
      );

      repoRoute(
        'GET',
        [`${base}/tree/:revision`, `${base}/tree/:revision/*`],
        {
          summary: 'Hub file listing',
          description:
            'Files and folders at a path (`recursive=true`: everything beneath it), 1000 per page; ' +
            'the `Link` header (rel="next") names the next page.',
          querystring: TreeQuery,
        },
        async (repo, request, reply) => {
          const params = request.params as RepoParams;
          const query = request.query as { recursive?: string; expand?: string; cursor?: string };
          const record = versionOf(repo, params.revision);
          const path = params['*'] ?? '';
          const entries = hubTree(record, hubFilesOf(record), path, truthy(query.recursive));
          if (!entries) throw entryNotFound(repo.id, params.revision ?? 'main', path);
          const offset = Number(query.cursor ?? '0');
          const page = entries.slice(offset, offset + TREE_PAGE);
          if (offset + TREE_PAGE < entries.length) {
            const next = new URL(request.url, baseUrl(request, registry.config.publicUrl));
            next.searchParams.set('cursor', String(offset + TREE_PAGE));
            reply.header('link', `<${next.href}>; rel="next"`);
          }
          const expand = truthy(query.expand);
          return page.map((entry) => treeEntry(record, entry, expand));
        },
      );

      repoRoute(
        'POST',
        [`${base}/paths-info/:revision`],
        {
          summary: 'Hub paths info',
          description:
            'The files and folders among `paths` (JSON or form body, as the clients send it); absent paths are left out.',
          body: PathsInfoBody,
        },
        async (repo, request) => {
          const params = request.params as RepoParams;
          const body = request.body as { paths: string | string[]; expand?: boolean | string };
          const record = versionOf(repo, params.revision);
          const files = hubFilesOf(record);
          const expand = truthy(body.expand);
          return list(body.paths).flatMap((path) => {
            const entry = hubEntryAt(record, files, path);
            return entry ? [treeEntry(record, entry, expand)] : [];
          });
        },
      );
    }
  }
}
