import type { FastifyError, FastifyInstance } from 'fastify';
import {
  AuthenticationError,
  MonitorRefusedError,
  NotFoundError,
  PermissionError,
  RegistryError,
} from '../../../domain/errors.js';

/**
 * The `X-Error-Code` values Hub clients turn into their own exceptions (huggingface_hub's
 * hf_raise_for_status: RepositoryNotFoundError, RevisionNotFoundError, EntryNotFoundError,
 * GatedRepoError), so a refusal reads the same as on the Hub.
 */
export type HubErrorCode = 'RepoNotFound' | 'RevisionNotFound' | 'EntryNotFound' | 'GatedRepo';

export class HubError extends RegistryError {
  constructor(statusCode: number, code: HubErrorCode, message: string) {
    super(statusCode, message, code);
  }
}

export const repoNotFound = (id: string) =>
  new HubError(404, 'RepoNotFound', `Repository ${id} is not in this registry.`);
export const revisionNotFound = (id: string, revision: string) =>
  new HubError(
    404,
    'RevisionNotFound',
    `Invalid rev id: ${revision} (repository ${id} has no such version).`,
  );
export const entryNotFound = (id: string, revision: string, path: string) =>
  new HubError(404, 'EntryNotFound', `${path} does not exist in ${id} at revision ${revision}.`);

/**
 * Errors on the Hub routes answer with the Hub's headers as well as the registry's JSON body: no
 * or a bad token is 401 `RepoNotFound` (what the Hub says to anonymous callers of a private repo),
 * a missing permission or a sensitive model's monitor refusing is 403 `GatedRepo`, an unknown file
 * 404 `EntryNotFound`. Anything else
 * goes to the registry's own error handler.
 */
export function registerHubErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | RegistryError, request, reply) => {
    const hub = asHubError(error, request.headers.authorization !== undefined);
    if (!hub) throw error;
    return reply
      .status(hub.statusCode)
      .header('x-error-code', hub.code)
      .header('x-error-message', headerSafe(hub.message))
      .send({ error: hub.code, message: hub.message });
  });
}

function asHubError(error: FastifyError | RegistryError, sentToken: boolean): HubError | null {
  if (error instanceof HubError) return error;
  if (error instanceof AuthenticationError) {
    const message = sentToken
      ? `Invalid credentials in Authorization header: ${error.message}`
      : 'Authentication required: send Authorization: Bearer <registry token> (HF_TOKEN).';
    return new HubError(401, 'RepoNotFound', message);
  }
  if (error instanceof PermissionError || error instanceof MonitorRefusedError)
    return new HubError(403, 'GatedRepo', error.message);
  if (error instanceof NotFoundError) return new HubError(404, 'EntryNotFound', error.message);
  return null;
}

/** Header values are Latin-1 without control characters; messages may quote user input. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 1000);
}
