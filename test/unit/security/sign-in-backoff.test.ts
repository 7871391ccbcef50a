import { describe, expect, it } from 'vitest';
import { lockSeconds, MAX_LOCK_SECONDS, retryAfterSeconds } from '../../../src/services/sign-in-backoff.js';

describe('sign-in back-off', () => {
  it('allows a few failures, then doubles the wait up to the cap', () => {
    expect([1, 2, 3, 4].map(lockSeconds)).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8].map(lockSeconds)).toEqual([1, 2, 4, 8]);
    expect(lockSeconds(40)).toBe(MAX_LOCK_SECONDS);
  });

  it('counts the wait from the last failure', () => {
    const last = new Date('2026-01-01T00:00:00Z');
    const run = { failures: 7, lastFailureAt: last };
    expect(retryAfterSeconds(run, last)).toBe(4);
    expect(retryAfterSeconds(run, new Date(last.getTime() + 2500))).toBe(2);
    expect(retryAfterSeconds(run, new Date(last.getTime() + 4000))).toBe(0);
    expect(retryAfterSeconds(null, last)).toBe(0);
  });
});
