import type { FastifyRequest } from 'fastify';
import type { ArtifactRecord } from '../domain/artifact.js';
import type { MonitorService } from '../services/monitor-service.js';
import { actorOf } from './access.js';

/**
 * The check every byte-serving route makes before it opens the bytes: a sensitive model's monitor
 * program must allow this request (a HEAD sends no bytes and is not asked). A range starting past
 * byte 0 resumes a download, which a recent allowing verdict may cover.
 */
export function allowSensitiveBytes(
  request: FastifyRequest,
  monitors: MonitorService,
  record: ArtifactRecord,
  part: string,
): Promise<void> {
  if (request.method === 'HEAD') return Promise.resolve();
  const start = /^\s*bytes\s*=\s*(\d+)\s*-/i.exec(request.headers.range ?? '')?.[1];
  return monitors.authorize({
    record,
    downloader: actorOf(request),
    part,
    resuming: start !== undefined && Number(start) > 0,
  });
}
