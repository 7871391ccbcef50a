import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../../registry.js';
import { commitOf, hubFilesOf } from '../../../services/hub-repos.js';
import { actorOf } from '../../access.js';
import { sendDownload } from '../../send-download.js';
import { allowSensitiveBytes } from '../../sensitive-bytes.js';
import {
  findRepo,
  ID_FORMS,
  REPO_KINDS,
  type RepoParams,
  RepoParams as RepoParamsSchema,
  versionOf,
} from './addresses.js';
import { entryNotFound } from './hub-errors.js';

/**
 * File downloads as the clients make them: `HEAD` for metadata (huggingface_hub reads
 * X-Repo-Commit, ETag and Content-Length and needs all three), `GET` with `Range: bytes=0-0` to
 * learn the size (@huggingface/hub), then the file, resumed with `Range` after a cut. Files are
 * served from the stored package by random access, never redirected, so each request is
 * authorised, counted against the token and audited exactly as `GET /download/{type}/{id}`.
 * `raw` (what @huggingface/hub's fileExists asks) answers the same as `resolve`.
 */
export function registerFileRoutes(app: FastifyInstance, registry: Registry): void {
  const { hubRepos, downloads, artifacts } = registry;
  for (const kind of REPO_KINDS) {
    for (const form of ID_FORMS) {
      for (const verb of ['resolve', 'raw']) {
        app.route({
          method: ['GET', 'HEAD'],
          url: `${kind.files}/${form.path}/${verb}/:revision/*`,
          exposeHeadRoute: false,
          config: { access: 'download', bearerToken: true },
          schema: {
            summary: `Hub ${kind.type} file download (${verb})`,
            description:
              'One file of the version, with ETag (the file oid), X-Repo-Commit, Content-Length, Accept-Ranges, ' +
              'Range/206 and If-None-Match; weights also carry X-Linked-Size and X-Linked-Etag. Needs the ' +
              'download permission; audited as a DOWNLOAD (not for HEAD, resumed chunks or the bytes=0-0 probe).',
            tags: ['Hugging Face Hub compatibility (extension)'],
            hide: form.hidden || verb === 'raw',
            params: RepoParamsSchema,
            response: {
              200: Type.Unknown({ description: 'The file.' }),
              206: Type.Unknown({ description: 'The requested byte range of the file.' }),
              307: Type.Unknown({ description: 'A legacy bare id: the canonical URL.' }),
            },
          },
          handler: async (request, reply) => {
            const repo = await findRepo(hubRepos, kind, request, reply);
            if (!repo) return reply;
            const params = request.params as RepoParams;
            const revision = params.revision ?? 'main';
            const record = versionOf(repo, revision);
            reply.header('x-repo-commit', commitOf(record));
            const path = params['*'] ?? '';
            const file = hubFilesOf(record).find((candidate) => candidate.path === path);
            if (!file) throw entryNotFound(repo.id, revision, path);
            if (file.aspect === 'weights') {
              // What the Hub sends for its large (LFS) files; the clients prefer these to ETag/Content-Length.
              reply.header('x-linked-size', file.size).header('x-linked-etag', `"${file.oid}"`);
            }
            await allowSensitiveBytes(request, registry.monitors, record, `file:${file.path}`);
            const download = await downloads.openFile(record, file.zipPath, `"${file.oid}"`);
            return sendDownload(request, reply, download, async () => {
              await artifacts.audit(record, actorOf(request), 'DOWNLOAD');
              // A hub client fetches configs and tokenizers too; a model download is its weights.
              if (file.aspect === 'weights') {
                await registry.popularity.record('download', [record.id], actorOf(request), request.ip);
              }
            });
          },
        });
      }
    }
  }
}
