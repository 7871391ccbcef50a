import type { FastifyInstance } from 'fastify';

export interface UploadOptions {
  type?: 'model' | 'dataset' | 'code';
  version?: string;
}

/** POST a zip to the upload extension and return the raw response. */
export function uploadZip(
  app: FastifyInstance,
  token: string,
  name: string,
  zip: Buffer,
  options: UploadOptions = {},
) {
  const query = new URLSearchParams({ name, ...(options.version ? { version: options.version } : {}) });
  return app.inject({
    method: 'POST',
    url: `/artifact/${options.type ?? 'model'}/upload?${query}`,
    headers: { 'x-authorization': token, 'content-type': 'application/zip' },
    payload: zip,
  });
}

/** Upload and return the new artifact's id, failing loudly when the upload is refused. */
export async function uploadOk(
  app: FastifyInstance,
  token: string,
  name: string,
  zip: Buffer,
  options: UploadOptions = {},
): Promise<string> {
  const response = await uploadZip(app, token, name, zip, options);
  if (response.statusCode !== 201) throw new Error(`upload failed: ${response.statusCode} ${response.body}`);
  return response.json().metadata.id as string;
}

export function listAll(app: FastifyInstance, token: string, offset?: string) {
  return app.inject({
    method: 'POST',
    url: `/artifacts${offset ? `?offset=${encodeURIComponent(offset)}` : ''}`,
    headers: { 'x-authorization': token },
    payload: [{ name: '*' }],
  });
}

/** POST /artifact/{type} with a source url and return the raw response. */
export function createFromUrl(app: FastifyInstance, token: string, type: string, url: string) {
  return app.inject({
    method: 'POST',
    url: `/artifact/${type}`,
    headers: { 'x-authorization': token },
    payload: { url },
  });
}

/** Create from a url and return the new artifact's id, failing loudly when refused. */
export async function ingestOk(
  app: FastifyInstance,
  token: string,
  type: string,
  url: string,
): Promise<string> {
  const response = await createFromUrl(app, token, type, url);
  if (response.statusCode !== 201) throw new Error(`ingest ${url}: ${response.statusCode} ${response.body}`);
  return response.json().metadata.id as string;
}
