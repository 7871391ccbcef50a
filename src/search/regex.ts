import { RE2JS, RE2JSSyntaxException } from 're2js';
import { BadRequestError } from '../domain/errors.js';

/** A compiled search pattern; `test` finds a match anywhere in the text, like RegExp.test. */
export interface SearchPattern {
  test(text: string): boolean;
}

const RE2_HINT = 'The registry uses RE2 regular expression syntax, which matches in linear time.';

export interface PatternLimits {
  /** Longest pattern accepted, in characters (MAX_REGEX_LENGTH). */
  maxLength: number;
  /**
   * Largest compiled program accepted, in RE2 instructions (REGEX_MAX_PROGRAM_SIZE). Matching
   * costs time proportional to program size times text length, so a short pattern with large
   * counted repeats (`(?:\w|\s){999}` is about 1,000 instructions) makes every text expensive.
   */
  maxProgramSize: number;
}

/**
 * Compile a user-supplied pattern with RE2 semantics. RE2 has no backtracking, so no pattern can
 * make a search take more than linear time (no ReDoS); the price is that constructs which need
 * backtracking are rejected, each with a message naming it. The linear factor is bounded too,
 * by the program size limit.
 */
export function compileSearchPattern(pattern: string, limits: PatternLimits): SearchPattern {
  if (pattern.length === 0) {
    throw new BadRequestError('The regular expression is empty.');
  }
  if (pattern.length > limits.maxLength) {
    throw new BadRequestError(
      `The regular expression is ${pattern.length} characters long; the limit is ${limits.maxLength}.`,
    );
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    // Compiling raises only syntax errors; anything else is a bug and must surface as one.
    if (error instanceof RE2JSSyntaxException) throw toBadRequest(error);
    throw error;
  }
  const size = compiled.programSize();
  if (size > limits.maxProgramSize) {
    throw new BadRequestError(
      `The regular expression compiles to ${size} instructions; the limit is ${limits.maxProgramSize} ` +
        '(REGEX_MAX_PROGRAM_SIZE). Large counted repetitions such as {999} are the usual cause.',
    );
  }
  return { test: (text) => compiled.test(text) };
}

function toBadRequest(error: RE2JSSyntaxException): BadRequestError {
  const fragment = error.getPattern() ?? '';
  const construct = unsupportedConstruct(error.getDescription(), fragment);
  if (construct !== null) {
    return new BadRequestError(`Unsupported regular expression construct: ${construct}. ${RE2_HINT}`);
  }
  const where = fragment ? ` at \`${fragment}\`` : '';
  return new BadRequestError(`Invalid regular expression: ${error.getDescription()}${where}. ${RE2_HINT}`);
}

/**
 * RE2 reports backtracking-only syntax as generic parse errors ("invalid escape sequence: `\1`");
 * name the construct the user actually wrote so the message says what to change.
 */
function unsupportedConstruct(description: string, fragment: string): string | null {
  switch (description) {
    case 'invalid escape sequence':
      if (/^\\[1-9]/.test(fragment)) return `backreference \`${fragment}\``;
      if (fragment === '\\k') return 'named backreference `\\k<name>`';
      return null;
    case 'invalid or unsupported Perl syntax':
      return PERL_GROUPS.get(fragment) ?? null;
    case 'invalid named capture':
      if (fragment.startsWith('(?<=')) return 'lookbehind `(?<=...)`';
      if (fragment.startsWith('(?<!')) return 'negative lookbehind `(?<!...)`';
      return null;
    case 'invalid nested repetition operator':
      // `a++`, `a*+`, `a?+`, `a{2}+`: a quantifier followed by `+` is a possessive quantifier.
      if (/^(?:[*+?]|\{\d*(?:,\d*)?\})\+$/.test(fragment)) return `possessive quantifier \`${fragment}\``;
      return null;
    default:
      return null;
  }
}

/** Group openers (as RE2 reports them) that exist in Perl/PCRE/JavaScript but not in RE2. */
const PERL_GROUPS = new Map([
  ['(?=', 'lookahead `(?=...)`'],
  ['(?!', 'negative lookahead `(?!...)`'],
  ['(?>', 'atomic group `(?>...)`'],
  ['(?P', 'named backreference or subroutine call `(?P=name)` / `(?P>name)`'],
  ['(?#', 'inline comment `(?#...)`'],
  ['(?|', 'branch reset group `(?|...)`'],
]);
