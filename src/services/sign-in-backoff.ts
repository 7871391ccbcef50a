import type { SignInFailures } from '../storage/metadata/metadata-store.js';

/**
 * Per-account exponential back-off after failed sign-ins (docs/security.md), on top of the
 * per-address rate limit: an attacker spreading guesses over many addresses still gets at most a
 * few guesses per account, then 1 s, 2 s, 4 s ... up to 15 minutes between guesses. A success
 * ends the run; a run with no failure for a day is forgotten.
 */
export const FREE_FAILURES = 5;
export const MAX_LOCK_SECONDS = 15 * 60;
export const FORGET_AFTER_MS = 24 * 3600 * 1000;

/** Seconds the account must wait from its last failure before the next attempt is checked. */
export function lockSeconds(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(2 ** (failures - FREE_FAILURES), MAX_LOCK_SECONDS);
}

/** Whole seconds still to wait at `now`, or 0 when the account may try again. */
export function retryAfterSeconds(run: SignInFailures | null, now: Date): number {
  if (!run) return 0;
  const until = run.lastFailureAt.getTime() + lockSeconds(run.failures) * 1000;
  return Math.max(0, Math.ceil((until - now.getTime()) / 1000));
}
