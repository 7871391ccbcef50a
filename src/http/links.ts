import type { FastifyRequest } from 'fastify';
import type { ArtifactRecord } from '../domain/artifact.js';

/** Absolute URL of this server as the client sees it (PUBLIC_URL wins behind proxies). */
export function baseUrl(request: FastifyRequest, publicUrl: string | null): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}

export function downloadUrl(
  request: FastifyRequest,
  publicUrl: string | null,
  record: ArtifactRecord,
): string {
  return `${baseUrl(request, publicUrl)}/download/${record.type}/${encodeURIComponent(record.id)}`;
}

/** The contract's Artifact envelope. */
export function artifactEnvelope(request: FastifyRequest, publicUrl: string | null, record: ArtifactRecord) {
  return {
    metadata: { name: record.name, id: record.id, type: record.type },
    data: { url: record.sourceUrl, download_url: downloadUrl(request, publicUrl, record) },
  };
}
