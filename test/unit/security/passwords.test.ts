import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT_LOG2_N, PasswordHasher } from '../../../src/security/passwords.js';

describe('password hashing', () => {
  it('defaults to the OWASP scrypt cost N = 2^17', () => {
    expect(DEFAULT_SCRYPT_LOG2_N).toBeGreaterThanOrEqual(17);
  });

  it('verifies, and asks for a rehash only of weaker hashes', async () => {
    const strong = new PasswordHasher(12);
    const hash = await strong.hash('a long passphrase');
    expect(hash).toMatch(/^scrypt\$4096\$8\$1\$/);
    expect(await strong.verify('a long passphrase', hash)).toEqual({ valid: true, needsRehash: false });
    expect(await strong.verify('wrong', hash)).toEqual({ valid: false, needsRehash: false });
    const old = await new PasswordHasher(10).hash('a long passphrase');
    expect(await strong.verify('a long passphrase', old)).toEqual({ valid: true, needsRehash: true });
  });

  it('refuses malformed or absurdly expensive stored hashes without running them', async () => {
    const hasher = new PasswordHasher(12);
    for (const stored of [
      '',
      'bcrypt$x',
      'scrypt$1000$8$1$c2FsdA==$aGFzaA==',
      'scrypt$268435456$8$1$c2FsdA==$aGFzaA==',
    ]) {
      expect((await hasher.verify('x', stored)).valid, stored).toBe(false);
    }
  });
});
