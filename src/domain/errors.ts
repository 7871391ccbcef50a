/**
 * Errors the services raise. Each carries the HTTP status the API answers with, so routes
 * stay thin and the mapping lives in one place (the app's error handler).
 */
export class RegistryError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code = 'REGISTRY_ERROR',
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends RegistryError {
  constructor(message: string, code = 'BAD_REQUEST') {
    super(400, message, code);
  }
}

export class AuthenticationError extends RegistryError {
  constructor(message = 'Authentication failed due to invalid or missing AuthenticationToken.') {
    super(403, message, 'AUTHENTICATION_FAILED');
  }
}

export class InvalidCredentialsError extends RegistryError {
  constructor() {
    super(401, 'The user or password is invalid.', 'INVALID_CREDENTIALS');
  }
}

export class PermissionError extends RegistryError {
  constructor(message: string, statusCode = 403) {
    super(statusCode, message, 'PERMISSION_DENIED');
  }
}

/** A sensitive model's monitor program refused (or failed to allow) this download. */
export class MonitorRefusedError extends RegistryError {
  constructor(message: string) {
    super(403, message, 'MONITOR_REFUSED');
  }
}

export class NotFoundError extends RegistryError {
  constructor(message: string) {
    super(404, message, 'NOT_FOUND');
  }
}

export class ConflictError extends RegistryError {
  constructor(message: string) {
    super(409, message, 'CONFLICT');
  }
}

/** A write met a registry reset: it started before the reset finished, so nothing of it is kept. */
export class ResetConflictError extends ConflictError {
  constructor(message = 'The registry was reset while this request ran; nothing was stored.') {
    super(message);
  }
}

/** The change would leave the registry without an administrator. */
export class LastAdminError extends RegistryError {
  constructor() {
    super(409, 'The registry must keep at least one administrator.', 'LAST_ADMIN');
  }
}

/** Too many attempts: try again after `retryAfterSeconds` (answered with Retry-After). */
export class TooManyRequestsError extends RegistryError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, message, 'TOO_MANY_REQUESTS');
  }
}

export class PayloadTooLargeError extends RegistryError {
  constructor(message: string) {
    super(413, message, 'PAYLOAD_TOO_LARGE');
  }
}

export class RangeNotSatisfiableError extends RegistryError {
  constructor(readonly size: number) {
    super(416, `Requested range not satisfiable (size ${size} bytes).`, 'RANGE_NOT_SATISFIABLE');
  }
}

/** The ingest gate refused the artifact (contract: 424). */
export class DisqualifiedError extends RegistryError {
  constructor(
    message: string,
    readonly details: unknown = undefined,
  ) {
    super(424, message, 'DISQUALIFIED');
  }
}

/**
 * A package holds weights that could run code when loaded (a pickle naming a global outside the
 * allowlist, or a file that cannot be read as what its name says). Uploads answer 422, ingest
 * answers 424 like the ingest gate.
 */
export class UnsafeWeightsError extends RegistryError {
  constructor(message: string, statusCode: 422 | 424) {
    super(statusCode, message, 'UNSAFE_WEIGHTS');
  }
}

/** An upstream source (Hugging Face, GitHub, a zip URL) failed or answered badly. */
export class UpstreamError extends RegistryError {
  constructor(
    message: string,
    statusCode = 502,
    /** Seconds until the upstream will answer again (a spent rate limit), sent as `Retry-After`. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(statusCode, message, 'UPSTREAM_ERROR');
  }
}

/** A storage component (database, object store) cannot be reached. */
export class ComponentUnavailableError extends RegistryError {
  constructor(
    readonly component: string,
    message: string,
  ) {
    super(503, `${component} unavailable: ${message}`, 'COMPONENT_UNAVAILABLE');
  }
}
