import { BadRequestError } from '../domain/errors.js';

/**
 * What a password must be (docs/security.md): long rather than "complex" (NIST SP 800-63B), not the
 * user name, and not one character or an obvious sequence repeated. Long passphrases are welcome;
 * the upper bound only keeps hashing bounded.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 1024;

const COMMON = ['password', 'qwerty', '123456', 'letmein', 'welcome', 'admin', 'iloveyou', 'abc123'];

/** Throws a 400 naming every rule the password breaks. */
export function assertPasswordPolicy(userName: string, password: string): void {
  const problems: string[] = [];
  const chars = [...password];
  if (chars.length < PASSWORD_MIN_LENGTH) problems.push(`at least ${PASSWORD_MIN_LENGTH} characters`);
  if (chars.length > PASSWORD_MAX_LENGTH) problems.push(`at most ${PASSWORD_MAX_LENGTH} characters`);
  const lower = password.toLowerCase();
  if (userName.length >= 3 && lower.includes(userName.toLowerCase()))
    problems.push('must not contain the user name');
  if (new Set(chars).size < 5) problems.push('at least 5 different characters');
  const stripped = lower.replace(/[^a-z0-9]/g, '');
  if (COMMON.some((word) => stripped.replace(/\d+$/, '') === word || stripped === word)) {
    problems.push('not a common password');
  }
  if (problems.length > 0) {
    throw new BadRequestError(`The password is too weak: ${problems.join('; ')}.`, 'WEAK_PASSWORD');
  }
}
