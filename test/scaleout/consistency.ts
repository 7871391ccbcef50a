import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { listAll } from '../support/requests.js';
import { sha256 } from '../support/zips.js';

export interface ListedArtifact {
  id: string;
  name: string;
  type: string;
}

/** Every artifact, following the `offset` header through all pages. */
export async function listEverything(app: FastifyInstance, token: string): Promise<ListedArtifact[]> {
  const all: ListedArtifact[] = [];
  let offset: string | undefined;
  do {
    const page = await listAll(app, token, offset);
    expect(page.statusCode, page.body).toBe(200);
    all.push(...(page.json() as ListedArtifact[]));
    offset = page.headers.offset as string | undefined;
  } while (offset);
  return all;
}

/**
 * The registry is consistent when every listed artifact downloads, its bytes match the digest
 * its ETag names, and (when given) the bytes expected for its name. Returns the digests seen.
 */
export async function expectEveryArtifactDownloads(
  app: FastifyInstance,
  token: string,
  expectedByName: ReadonlyMap<string, readonly Buffer[]> = new Map(),
): Promise<Set<string>> {
  const digests = new Set<string>();
  for (const artifact of await listEverything(app, token)) {
    const download = await app.inject({
      url: `/download/${artifact.type}/${artifact.id}`,
      headers: { 'x-authorization': token },
    });
    expect(download.statusCode, `${artifact.name} ${artifact.id}: ${download.body.slice(0, 200)}`).toBe(200);
    const digest = sha256(download.rawPayload);
    expect(download.headers.etag).toBe(`"sha256-${digest}"`);
    const expected = expectedByName.get(artifact.name);
    if (expected) expect(expected.map(sha256)).toContain(digest);
    digests.add(digest);
  }
  return digests;
}
