/**
 * What a `modelguard` exit code means, so scripts can tell "try again" from "fix the command".
 * Documented in the README; `score` keeps its own (0 all rated, 1 some failed, 2 cannot run).
 */
export const EXIT = {
  ok: 0,
  /** The registry failed (5xx), could not be reached, or a transfer broke off. */
  failure: 1,
  /** The command or its input is wrong: usage, 400, 413, 416, 424 (refused by the ingest gate). */
  usage: 2,
  /** Not signed in, wrong password, token expired or used up, permission missing (401, 403). */
  auth: 3,
  /** No such artifact, file or route (404). */
  notFound: 4,
  /** A conflict with the registry's state (409): changed meanwhile, already exists. */
  conflict: 5,
  /** The question was answered "no" (license-check: not compatible). */
  negative: 6,
  /** fsck found a problem in the registry's storage (a package missing or corrupt, an orphan left). */
  inconsistent: 7,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The exit code for a registry answer with this HTTP status. */
export function exitCodeForStatus(status: number): number {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status >= 400 && status < 500) return EXIT.usage;
  return EXIT.failure;
}
