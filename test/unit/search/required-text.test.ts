import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../src/domain/errors.js';
import { compileSearchPattern, type SearchPattern } from '../../../src/search/regex.js';
import { requiredText, type TextQuery } from '../../../src/search/required-text.js';

/** How the indexes read a query: ASCII letters compare case-insensitively, the rest exactly. */
function satisfies(query: TextQuery, text: string): boolean {
  const folded = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const holds = (q: TextQuery): boolean =>
    q.op === 'has' ? folded.includes(q.text) : q.op === 'and' ? q.of.every(holds) : q.of.some(holds);
  return holds(query);
}

const has = (text: string): TextQuery => ({ op: 'has', text });

describe('requiredText', () => {
  it('requires the literals every match contains', () => {
    expect(requiredText('quantum')).toEqual(has('quantum'));
    expect(requiredText('Quantum\\.Dot')).toEqual(has('quantum.dot'));
    expect(requiredText('abc.*def')).toEqual({ op: 'and', of: [has('abc'), has('def')] });
    expect(requiredText('foo|barbaz')).toEqual({ op: 'or', of: [has('foo'), has('barbaz')] });
    expect(requiredText('colou?r')).toEqual({ op: 'or', of: [has('colour'), has('color')] });
    expect(requiredText('(?:abc)+x')).toEqual(has('abc'));
    expect(requiredText('v[12]\\.0-rc')).toEqual({ op: 'or', of: [has('v1.0-rc'), has('v2.0-rc')] });
    expect(requiredText('\\Qa.b*c\\E')).toEqual(has('a.b*c'));
  });

  it('folds case-insensitive letters, including the Kelvin sign and the long s', () => {
    expect(requiredText('(?i)kit')).toEqual({ op: 'or', of: [has('kit'), has('\u212ait')] });
    expect(requiredText('(?i:ss)x')).toEqual({
      op: 'or',
      of: ['ssx', 's\u017fx', '\u017fsx', '\u017f\u017fx'].map(has),
    });
    // A non-ASCII letter under (?i) is not modelled; without it, it is an exact character.
    expect(requiredText('(?i)caf\u00e9')).toEqual(has('caf'));
    expect(requiredText('caf\u00e9')).toEqual(has('caf\u00e9'));
  });

  it('answers null when no substring of three characters is required', () => {
    for (const pattern of [
      '.*',
      'ab',
      'a|bcd',
      '(?:abc)?',
      'x*',
      '[^a]bc',
      '\\w+',
      'a.b.c',
      '(?i)\u00e9t\u00e9',
    ]) {
      expect(requiredText(pattern), pattern).toBeNull();
    }
  });

  it('gives up on syntax it does not model rather than guess', () => {
    expect(requiredText('abc(?i)*')).toBeNull();
    expect(requiredText('abc(?i){2}')).toBeNull();
    // A brace that is not a counted repetition is a literal, as in RE2.
    expect(requiredText('a{,2}bc')).toEqual(has('a{,2}bc'));
  });

  /** Patterns built from RE2 constructs, rendered to their syntax. */
  const pattern: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(
        'a',
        'b',
        'c',
        'k',
        'K',
        's',
        'S',
        '\u00e9',
        '\u00c9',
        '\u212a',
        '\u017f',
        '0',
        '-',
        ' ',
      ),
      fc.constantFrom('abc', 'kelvin', 'SKS', 'stra\u00dfe', 'ab-c', 'bca'),
      fc.constantFrom('[abc]', '[a-c]', '[^a]', '[k-s]', '[[:alpha:]]', '\\d', '\\w', '\\s', '[\\d-]', '.'),
      fc.constantFrom(
        '\\pL',
        '[]a]',
        '[a-]',
        '\\x41',
        '\\x{212A}',
        '\\Q.k*\\E',
        '\\101',
        '\\n',
        '\\.',
        '[Kk]',
      ),
      fc.constantFrom('^', '$', '\\b', '\\B', '\\A', '\\z', '(?s).', '[\\x{17F}S]', '\\{', 'a{,2}'),
      fc.tuple(tie('node'), tie('node')).map(([a, b]) => a + b),
      fc.tuple(tie('node'), tie('node'), tie('node')).map(([a, b, c]) => a + b + c),
      fc.tuple(tie('node'), tie('node')).map(([a, b]) => `${a}|${b}`),
      fc
        .tuple(fc.constantFrom('(', '(?:', '(?i:', '(?-i:', '(?i)', '(?P<g>', '(?<h>'), tie('node'))
        .map(([open, inner]) => (open === '(?i)' ? `(${open}${inner})` : `${open}${inner})`)),
      fc
        .tuple(tie('node'), fc.constantFrom('*', '+', '?', '{2}', '{0,2}', '{1,}', '*?', '{0}', '{1}', '+?'))
        .map(([inner, quantifier]) => `(?:${inner})${quantifier}`),
    ),
  })).node;

  const FRAGMENTS = [
    ...['a', 'b', 'c', 'k', 'K', '\u212a', 's', 'S', '\u017f', '\u00e9', '\u00c9', 'A', 'C', '0', '9'],
    ...['abc', 'ABC', 'kelvin', 'KELVIN', '\u212aelvin', 'stra\u00dfe', 'sks', 'bca', '-', ' ', '\n'],
    ...['.', '*', 'x', '{', ',2}', 'a{,2}', '_'],
  ];
  const text = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 10 }).map((parts) => parts.join(''));

  function compiled(source: string): SearchPattern | null {
    try {
      return compileSearchPattern(source, { maxLength: 1024, maxProgramSize: 100_000 });
    } catch (error) {
      if (error instanceof BadRequestError) return null;
      throw error;
    }
  }

  it('is satisfied by every text the pattern matches (so the indexed search finds what the scan finds)', () => {
    let constrained = 0;
    let matched = 0;
    fc.assert(
      fc.property(pattern, fc.array(text, { minLength: 20, maxLength: 20 }), (source, texts) => {
        const re = compiled(source);
        if (re === null) return;
        const query = requiredText(source);
        if (query === null) return;
        constrained += 1;
        for (const candidate of texts) {
          if (re.test(candidate)) {
            matched += 1;
            expect(satisfies(query, candidate), `${source} matches ${JSON.stringify(candidate)}`).toBe(true);
          }
        }
      }),
      { numRuns: 1500 },
    );
    // The property is only worth something if many generated patterns do require text.
    expect(constrained).toBeGreaterThan(300);
    expect(matched).toBeGreaterThan(300);
  });
});
