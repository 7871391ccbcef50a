import { describe, expect, it } from 'vitest';
import {
  assertPasswordPolicy,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
} from '../../../src/security/password-policy.js';

const problemsOf = (user: string, password: string): string | null => {
  try {
    assertPasswordPolicy(user, password);
    return null;
  } catch (error) {
    expect(error).toMatchObject({ statusCode: 400, code: 'WEAK_PASSWORD' });
    return (error as Error).message;
  }
};

describe('password policy', () => {
  it('accepts long passphrases, counting characters rather than UTF-16 units', () => {
    expect(problemsOf('alice', 'correct horse battery staple')).toBeNull();
    expect(problemsOf('alice', `${'é'.repeat(6)}abcdef`)).toBeNull();
    expect(problemsOf('alice', `${'x'.repeat(PASSWORD_MAX_LENGTH - 4)}abcd`)).toBeNull();
  });

  it('names every rule a password breaks', () => {
    expect(problemsOf('alice', 'aaaa')).toBe(
      `The password is too weak: at least ${PASSWORD_MIN_LENGTH} characters; at least 5 different characters.`,
    );
    expect(problemsOf('alice', `${'ab12c'.repeat(Math.ceil(PASSWORD_MAX_LENGTH / 5))}xyz!`)).toMatch(
      `at most ${PASSWORD_MAX_LENGTH} characters`,
    );
    // Emoji are one character each: 11 of them are too few.
    expect(problemsOf('alice', '😀😁😂🤣😃😄😅😆😉😊😋')).toMatch('at least 12 characters');
  });

  it('refuses the user name inside the password (names of 3 or more characters, any case)', () => {
    expect(problemsOf('Alice', 'my-ALICE-password-1')).toMatch('must not contain the user name');
    expect(problemsOf('al', 'al-is-a-fine-start-9')).toBeNull();
  });

  it('refuses common passwords with decoration or trailing digits', () => {
    expect(problemsOf('bob', 'P@ssword-1234')).toBeNull();
    expect(problemsOf('bob', 'Password!!!!123')).toMatch('not a common password');
    expect(problemsOf('bob', 'q.w.e.r.t.y.-.-.-')).toMatch('not a common password');
    expect(problemsOf('bob', 'iloveyou2026!!')).toMatch('not a common password');
  });
});
