import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Slow, salted password hashing with scrypt (memory-hard, in node:crypto, no native addon).
 * Stored as `scrypt$N$r$p$salt$hash`, so the cost can be raised later without breaking existing
 * hashes: a hash made with a lower cost than the configured one is replaced at the next successful
 * sign-in (`needsRehash`).
 */

/** OWASP's scrypt floor: N = 2^17, r = 8, p = 1 (128 MiB, a few hundred ms per hash). */
export const DEFAULT_SCRYPT_LOG2_N = 17;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
/** Stored parameters beyond these are refused rather than run (a tampered row must not exhaust memory). */
const MAX_LOG2_N = 22;

export interface PasswordCheck {
  valid: boolean;
  /** The password was right but its hash was made with weaker parameters than configured. */
  needsRehash: boolean;
}

function derive(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export class PasswordHasher {
  private readonly N: number;

  /** `log2N` below the default is for tests that configure it explicitly (PASSWORD_SCRYPT_LOG2_N). */
  constructor(log2N = DEFAULT_SCRYPT_LOG2_N) {
    this.N = 2 ** log2N;
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, this.N, R, P);
    return ['scrypt', this.N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
  }

  async verify(password: string, stored: string): Promise<PasswordCheck> {
    const [scheme, nText, rText, pText, salt, hash] = stored.split('$');
    const [N, r, p] = [Number(nText), Number(rText), Number(pText)];
    const sane =
      scheme === 'scrypt' &&
      salt &&
      hash &&
      Number.isInteger(Math.log2(N)) &&
      N <= 2 ** MAX_LOG2_N &&
      r >= 1 &&
      r <= 32 &&
      p >= 1 &&
      p <= 16;
    if (!sane) return { valid: false, needsRehash: false };
    const expected = Buffer.from(hash, 'base64');
    const actual = await derive(password, Buffer.from(salt, 'base64'), N, r, p);
    const valid = actual.length === expected.length && timingSafeEqual(actual, expected);
    return { valid, needsRehash: valid && (N < this.N || r < R) };
  }
}
