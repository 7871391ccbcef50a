import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BadRequestError,
  ComponentUnavailableError,
  ConflictError,
  DisqualifiedError,
  InvalidCredentialsError,
  LastAdminError,
  MonitorRefusedError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionError,
  RangeNotSatisfiableError,
  RegistryError,
  ResetConflictError,
  TooManyRequestsError,
  UnsafeWeightsError,
  UpstreamError,
} from '../../../src/domain/errors.js';

describe('RegistryError and its kinds', () => {
  it.each([
    [new BadRequestError('bad'), 400, 'BAD_REQUEST', 'bad', 'BadRequestError'],
    [new BadRequestError('bad', 'INVALID_NAME'), 400, 'INVALID_NAME', 'bad', 'BadRequestError'],
    [
      new AuthenticationError(),
      403,
      'AUTHENTICATION_FAILED',
      'Authentication failed due to invalid or missing AuthenticationToken.',
      'AuthenticationError',
    ],
    [new AuthenticationError('expired'), 403, 'AUTHENTICATION_FAILED', 'expired', 'AuthenticationError'],
    [
      new InvalidCredentialsError(),
      401,
      'INVALID_CREDENTIALS',
      'The user or password is invalid.',
      'InvalidCredentialsError',
    ],
    [new PermissionError('no'), 403, 'PERMISSION_DENIED', 'no', 'PermissionError'],
    [new PermissionError('admins only', 401), 401, 'PERMISSION_DENIED', 'admins only', 'PermissionError'],
    [new MonitorRefusedError('refused'), 403, 'MONITOR_REFUSED', 'refused', 'MonitorRefusedError'],
    [new NotFoundError('gone'), 404, 'NOT_FOUND', 'gone', 'NotFoundError'],
    [new ConflictError('taken'), 409, 'CONFLICT', 'taken', 'ConflictError'],
    [
      new ResetConflictError(),
      409,
      'CONFLICT',
      'The registry was reset while this request ran; nothing was stored.',
      'ResetConflictError',
    ],
    [new ResetConflictError('resetting'), 409, 'CONFLICT', 'resetting', 'ResetConflictError'],
    [
      new LastAdminError(),
      409,
      'LAST_ADMIN',
      'The registry must keep at least one administrator.',
      'LastAdminError',
    ],
    [new PayloadTooLargeError('big'), 413, 'PAYLOAD_TOO_LARGE', 'big', 'PayloadTooLargeError'],
    [
      new RangeNotSatisfiableError(42),
      416,
      'RANGE_NOT_SATISFIABLE',
      'Requested range not satisfiable (size 42 bytes).',
      'RangeNotSatisfiableError',
    ],
    [new UnsafeWeightsError('pickle', 422), 422, 'UNSAFE_WEIGHTS', 'pickle', 'UnsafeWeightsError'],
    [new UnsafeWeightsError('pickle', 424), 424, 'UNSAFE_WEIGHTS', 'pickle', 'UnsafeWeightsError'],
    [new DisqualifiedError('low score'), 424, 'DISQUALIFIED', 'low score', 'DisqualifiedError'],
    [new UpstreamError('hub down'), 502, 'UPSTREAM_ERROR', 'hub down', 'UpstreamError'],
    [new UpstreamError('slow', 504), 504, 'UPSTREAM_ERROR', 'slow', 'UpstreamError'],
    [
      new ComponentUnavailableError('database', 'SQLITE_BUSY'),
      503,
      'COMPONENT_UNAVAILABLE',
      'database unavailable: SQLITE_BUSY',
      'ComponentUnavailableError',
    ],
    [new RegistryError(418, 'teapot'), 418, 'REGISTRY_ERROR', 'teapot', 'RegistryError'],
  ])('%s answers its status, code, message and class name', (error, status, code, message, name) => {
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toBeInstanceOf(Error);
    expect(error.statusCode).toBe(status);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.name).toBe(name);
  });

  it('keeps a reset conflict a conflict, so callers handling 409 handle it too', () => {
    const error = new ResetConflictError();
    expect(error).toBeInstanceOf(ConflictError);
    expect(new ConflictError('x')).not.toBeInstanceOf(ResetConflictError);
  });

  it('carries the extra facts each kind answers with', () => {
    expect(new TooManyRequestsError('slow down', 30)).toMatchObject({
      statusCode: 429,
      code: 'TOO_MANY_REQUESTS',
      message: 'slow down',
      retryAfterSeconds: 30,
    });
    expect(new UpstreamError('rate limited', 429, 60).retryAfterSeconds).toBe(60);
    expect(new UpstreamError('down').retryAfterSeconds).toBeNull();
    expect(new RangeNotSatisfiableError(7).size).toBe(7);
    expect(new DisqualifiedError('no').details).toBeUndefined();
    expect(new DisqualifiedError('no', { net_score: 0.1 }).details).toEqual({ net_score: 0.1 });
    expect(new ComponentUnavailableError('object store', 'timeout').component).toBe('object store');
  });
});
