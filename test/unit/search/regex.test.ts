import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/domain/errors.js';
import { compileSearchPattern } from '../../../src/search/regex.js';

const MAX = { maxLength: 1024, maxProgramSize: 1000 };

function rejection(pattern: string, limits = MAX): BadRequestError {
  try {
    compileSearchPattern(pattern, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return error as BadRequestError;
  }
  throw new Error(`expected ${pattern} to be rejected`);
}

describe('compileSearchPattern', () => {
  it('finds a match anywhere in the text, like RegExp.test', () => {
    const pattern = compileSearchPattern('bert', MAX);
    expect(pattern.test('distilbert-base-uncased')).toBe(true);
    expect(pattern.test('gpt2')).toBe(false);
  });

  it('honours anchors, alternation, classes and inline flags', () => {
    expect(compileSearchPattern('^bert', MAX).test('distilbert')).toBe(false);
    expect(compileSearchPattern('^bert', MAX).test('bert-base')).toBe(true);
    expect(compileSearchPattern('.*?(audience|bert).*', MAX).test('audience-classifier')).toBe(true);
    expect(compileSearchPattern('(?i)BERT', MAX).test('distilbert')).toBe(true);
    expect(compileSearchPattern('[[:digit:]]{3}', MAX).test('model-123')).toBe(true);
    expect(compileSearchPattern('\\bv\\d+$', MAX).test('release v12')).toBe(true);
  });

  it('returns promptly on patterns that make backtracking engines explode', () => {
    const text = `${'a'.repeat(100_000)}!`;
    expect(compileSearchPattern('(a+)+$', MAX).test(text)).toBe(false);
    expect(compileSearchPattern('^(a|aa)+$', MAX).test(text)).toBe(false);
    expect(compileSearchPattern('(a*)*b', MAX).test(text)).toBe(false);
  });

  it('rejects an empty pattern', () => {
    expect(rejection('').message).toMatch(/empty/);
  });

  it('rejects a pattern whose compiled program is over the size limit, naming the limit', () => {
    // The pattern: 89 characters, about 6,000 instructions, 20 s on one 100 kB README.
    const hostile = `(?i)${'(?:\\w|\\s){999}'.repeat(6)}Q`;
    expect(hostile).toHaveLength(89);
    expect(rejection(hostile).message).toMatch(
      /^The regular expression compiles to \d{4} instructions; the limit is 1000 \(REGEX_MAX_PROGRAM_SIZE\)/,
    );
    expect(compileSearchPattern(hostile, { ...MAX, maxProgramSize: 10_000 }).test('Q')).toBe(false);
    expect(compileSearchPattern('(?:\\w|\\s){99}', MAX).test('x'.repeat(99))).toBe(true);
  });

  it('rejects a pattern over the length limit, naming the limit', () => {
    expect(() => compileSearchPattern('a'.repeat(10), { ...MAX, maxLength: 10 })).not.toThrow();
    expect(rejection('a'.repeat(11), { ...MAX, maxLength: 10 }).message).toMatch(
      /11 characters.*limit is 10/,
    );
  });

  it.each([
    ['(a)\\1', /backreference `\\1`/],
    ['(?<n>a)\\k<n>', /named backreference `\\k<name>`/],
    ['(?P<n>a)(?P=n)', /named backreference or subroutine call/],
    ['foo(?=bar)', /lookahead `\(\?=\.\.\.\)`/],
    ['foo(?!bar)', /negative lookahead/],
    ['(?<=foo)bar', /lookbehind `\(\?<=\.\.\.\)`/],
    ['(?<!foo)bar', /negative lookbehind/],
    ['(?>a+)b', /atomic group/],
    ['a++', /possessive quantifier `\+\+`/],
    ['a*+', /possessive quantifier `\*\+`/],
    ['a{2,3}+', /possessive quantifier `\{2,3\}\+`/],
    ['a(?#note)', /inline comment/],
    ['(?|a|b)', /branch reset group/],
  ])('names the unsupported construct in %s', (pattern, expected) => {
    const { message } = rejection(pattern);
    expect(message).toMatch(/^Unsupported regular expression construct: /);
    expect(message).toMatch(expected);
    expect(message).toMatch(/RE2/);
  });

  it.each([
    ['(abc', /missing closing \) at `\(abc`/],
    ['[a-', /missing closing \]/],
    ['abc)', /unexpected \)/],
    ['*a', /missing argument to repetition operator/],
    ['a**', /invalid nested repetition operator at `\*\*`/],
    ['a{1001}', /invalid repeat count/],
    ['\\u0041', /invalid escape sequence at `\\u`/],
    ['(?x)a b', /invalid or unsupported Perl syntax at `\(\?x`/],
    ['(?<a-b>x)', /invalid named capture at `\(\?<a-b>`/],
    ['(?P<>a)', /invalid named capture at `\(\?P<>`/],
    ['a\\', /trailing backslash at end of expression\. /],
  ])('reports invalid syntax in %s as a bad request', (pattern, expected) => {
    const { message } = rejection(pattern);
    expect(message).toMatch(/^Invalid regular expression: /);
    expect(message).toMatch(expected);
    expect(message).toMatch(/RE2/);
  });
});
