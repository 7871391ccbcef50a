/**
 * What a text must contain for an RE2 pattern to match it, as a query a text index can answer
 * (SQLite FTS5 trigram, PostgreSQL pg_trgm): an AND/OR tree of substrings of at least three
 * characters. Every text the pattern matches satisfies the query, so the index may only prefilter
 * candidates; the exact RE2 match still decides. When nothing is required the answer is null and
 * the search scans everything.
 *
 * Substrings are written folded: ASCII letters in lower case, everything else as it is. Both
 * indexes compare ASCII letters case-insensitively, so "contains fold(s)" is all they are asked.
 * The parser follows RE2's syntax (the pattern has already compiled); whatever it does not model
 * precisely (dot, negated or large classes, Unicode classes, non-ASCII letters under (?i), ...)
 * counts as "any character", which can only make the query weaker, never wrong.
 */
export type TextQuery =
  | { op: 'and'; of: TextQuery[] }
  | { op: 'or'; of: TextQuery[] }
  | { op: 'has'; text: string };

/** The shortest substring the trigram indexes can look up. */
const MIN_CHARS = 3;
/** Largest set of exact strings tracked for one sub-pattern before falling back to substrings. */
const MAX_EXACT = 16;
/** Largest query kept; beyond it conjuncts are dropped (weaker) or the query is given up. */
const MAX_LEAVES = 32;

/** Either the finite set of (folded) strings a sub-pattern can match, or what its matches contain. */
type Info = { exact: Set<string> } | { query: TextQuery | null };

const ANY: Info = { query: null };
const EMPTY: Info = { exact: new Set(['']) };

export function requiredText(pattern: string): TextQuery | null {
  try {
    const parser = new Parser(pattern);
    const info = parser.alternation();
    if (!parser.atEnd()) return null;
    const query = toQuery(info);
    return query !== null && leaves(query) <= MAX_LEAVES ? query : null;
  } catch (error) {
    // Syntax this parser does not follow: scanning everything is always correct.
    if (error instanceof UnmodelledSyntax) return null;
    throw error;
  }
}

class UnmodelledSyntax extends Error {}

/** Recursive descent over RE2 syntax (Go's regexp/syntax, which re2js ports), Perl flags on. */
class Parser {
  private at = 0;
  private foldCase = false;

  constructor(private readonly source: string) {}

  atEnd(): boolean {
    return this.at >= this.source.length;
  }

  alternation(): Info {
    let info = this.concatenation();
    while (this.peek() === '|') {
      this.at += 1;
      info = alternate(info, this.concatenation());
    }
    return info;
  }

  /**
   * A sequence: exact strings while every part is exact (and the product stays small), else the
   * conjunction of what each run of exact parts and each other part requires.
   */
  private concatenation(): Info {
    let done: TextQuery | null = null;
    let allExact = true;
    let run: Info = EMPTY;
    while (!this.atEnd() && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      if (atom === 'flags') continue;
      const part = this.repetitions(atom);
      const joined = product(run, part);
      if (joined) {
        run = joined;
      } else {
        done = and(done, toQuery(run));
        run = part;
        allExact = false;
      }
    }
    return allExact ? run : { query: and(done, toQuery(run)) };
  }

  private repetitions(atom: Info): Info {
    let info = atom;
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === '*' || c === '+' || c === '?') {
        this.at += 1;
        [min, max] = c === '*' ? [0, -1] : c === '+' ? [1, -1] : [0, 1];
      } else if (c === '{') {
        const counted = COUNTED.exec(this.source.slice(this.at));
        // A brace that does not form a counted repetition is a literal, as in RE2.
        if (!counted) return info;
        this.at += counted[0].length;
        min = Number(counted[1]);
        max = counted[2] === undefined ? min : counted[3] === '' ? -1 : Number(counted[3]);
      } else {
        return info;
      }
      if (this.peek() === '?') this.at += 1; // non-greedy: the same strings
      info = repeat(info, min, max);
    }
  }

  /** One atom, or 'flags' for a `(?i)`-style group that only changes the flags. */
  private atom(): Info | 'flags' {
    const c = this.next();
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.characterClass();
      case '\\':
        return this.escape();
      case '.':
        return ANY;
      case '^':
      case '$':
        return EMPTY;
      case '*':
      case '+':
      case '?':
        // Only after `(?i)`, where RE2 applies it to the atom before the flags: not modelled.
        throw new UnmodelledSyntax();
      case '{':
        if (COUNTED.test(this.source.slice(this.at - 1))) throw new UnmodelledSyntax();
        return this.literal(c);
      default:
        return this.literal(c);
    }
  }

  private group(): Info | 'flags' {
    const saved = this.foldCase;
    if (this.source.startsWith('?', this.at)) {
      const named = /^\?P?<[A-Za-z0-9_]+>/.exec(this.source.slice(this.at));
      if (named) {
        this.at += named[0].length;
      } else {
        const flags = /^\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(this.source.slice(this.at));
        if (!flags) throw new UnmodelledSyntax();
        this.at += flags[0].length;
        if (flags[1]?.includes('i')) this.foldCase = true;
        if (flags[2]?.includes('i')) this.foldCase = false;
        // `(?i)` changes the flags until the enclosing group closes.
        if (flags[3] === ')') return 'flags';
      }
    }
    const inner = this.alternation();
    if (this.next() !== ')') throw new UnmodelledSyntax();
    this.foldCase = saved;
    return inner;
  }

  private escape(): Info {
    const c = this.next();
    switch (c) {
      case 'A':
      case 'z':
      case 'b':
      case 'B':
        return EMPTY;
      case 'Q': {
        const end = this.source.indexOf('\\E', this.at);
        const text = this.source.slice(this.at, end === -1 ? undefined : end);
        this.at = end === -1 ? this.source.length : end + 2;
        let info: Info = EMPTY;
        for (const char of text) info = concatenate(info, this.literal(char));
        return info;
      }
      case 'd':
        return { exact: new Set('0123456789') };
      case 'p':
      case 'P':
        this.skipUnicodeClassName();
        return ANY;
      case 'C':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
        return ANY;
      default: {
        this.at -= 1;
        const code = this.escapedCharacter();
        return code === null ? ANY : this.literal(String.fromCodePoint(code));
      }
    }
  }

  /** After `\p` / `\P`: a one-letter name or a braced one. */
  private skipUnicodeClassName(): void {
    if (this.peek() === '{') {
      const end = this.source.indexOf('}', this.at);
      if (end === -1) throw new UnmodelledSyntax();
      this.at = end + 1;
    } else {
      this.next();
    }
  }

  /**
   * The character of an escape (after its backslash) that stands for one character: octal,
   * hexadecimal, control letters and escaped punctuation. Null for one whose value is not modelled.
   */
  private escapedCharacter(): number | null {
    const rest = this.source.slice(this.at);
    const octal = /^[0-7]{1,3}/.exec(rest);
    if (octal) {
      // Octal escapes are rare enough not to model their value.
      this.at += octal[0].length;
      return null;
    }
    const hex = /^x(?:\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2}))/.exec(rest);
    if (hex) {
      this.at += hex[0].length;
      const code = Number.parseInt(hex[1] ?? hex[2] ?? '', 16);
      return code <= 0x10ffff ? code : null;
    }
    const c = this.next();
    const control = CONTROL_ESCAPES.get(c);
    if (control !== undefined) return control;
    if (c.length === 1 && c < '\x80' && !/[A-Za-z0-9]/.test(c)) return c.charCodeAt(0);
    throw new UnmodelledSyntax();
  }

  /** `[...]` after its `[`: a small set of characters, or any character. */
  private characterClass(): Info {
    const chars = new Set<string>();
    let modelled = true;
    if (this.peek() === '^') {
      this.at += 1;
      modelled = false;
    }
    let first = true;
    while (first || this.peek() !== ']') {
      if (this.atEnd()) throw new UnmodelledSyntax();
      first = false;
      const rest = this.source.slice(this.at);
      const named = rest.startsWith('[:') ? rest.indexOf(':]', 2) : -1;
      if (named !== -1) {
        this.at += named + 2;
        modelled = false;
        continue;
      }
      if (/^\\[pP]/.test(rest)) {
        this.at += 2;
        this.skipUnicodeClassName();
        modelled = false;
        continue;
      }
      if (/^\\[dDsSwW]/.test(rest)) {
        this.at += 2;
        if (rest[1] === 'd') for (const digit of '0123456789') chars.add(digit);
        else modelled = false;
        continue;
      }
      const low = this.classCharacter();
      let high = low;
      if (this.peek() === '-' && this.source[this.at + 1] !== ']') {
        this.at += 1;
        high = this.classCharacter();
      }
      if (low === null || high === null || high - low >= MAX_EXACT) {
        modelled = false;
        continue;
      }
      for (let code = low; code <= high; code += 1) chars.add(String.fromCodePoint(code));
    }
    this.at += 1;
    if (!modelled) return ANY;
    let info: Info = { exact: new Set() };
    for (const char of chars) info = alternate(info, this.literal(char));
    return info;
  }

  private classCharacter(): number | null {
    const c = this.next();
    if (c !== '\\') return c.codePointAt(0) ?? null;
    return this.escapedCharacter();
  }

  /** One character as the folded strings it can match under the current flags. */
  private literal(char: string): Info {
    if (char === '\0') return ANY;
    if (char >= '\x80') return this.foldCase ? ANY : { exact: new Set([char]) };
    const lower = char.toLowerCase();
    if (!this.foldCase || lower === char.toUpperCase()) return { exact: new Set([lower]) };
    // Under (?i) RE2 folds by Unicode: k also matches the Kelvin sign, s the long s.
    const variants = new Set([lower]);
    if (lower === 'k') variants.add('\u212a');
    if (lower === 's') variants.add('\u017f');
    return { exact: variants };
  }

  private peek(): string | undefined {
    return this.source[this.at];
  }

  /** The next code point. */
  private next(): string {
    const code = this.source.codePointAt(this.at);
    if (code === undefined) throw new UnmodelledSyntax();
    const char = String.fromCodePoint(code);
    this.at += char.length;
    return char;
  }
}

const COUNTED = /^\{(\d+)(,(\d*))?\}/;

const CONTROL_ESCAPES = new Map([
  ['a', 7],
  ['f', 12],
  ['n', 10],
  ['r', 13],
  ['t', 9],
  ['v', 11],
]);

/** Every string of `left` followed by every string of `right`, when both are small exact sets. */
function product(left: Info, right: Info): Info | null {
  if (!('exact' in left && 'exact' in right) || left.exact.size * right.exact.size > MAX_EXACT) return null;
  const joined = new Set<string>();
  for (const a of left.exact) for (const b of right.exact) joined.add(a + b);
  return { exact: joined };
}

function concatenate(left: Info, right: Info): Info {
  return product(left, right) ?? { query: and(toQuery(left), toQuery(right)) };
}

function alternate(left: Info, right: Info): Info {
  if ('exact' in left && 'exact' in right) {
    const union = new Set([...left.exact, ...right.exact]);
    if (union.size <= MAX_EXACT) return { exact: union };
  }
  return { query: or(toQuery(left), toQuery(right)) };
}

/** `min` to `max` (-1: unbounded) repetitions. */
function repeat(info: Info, min: number, max: number): Info {
  if (max === 0) return EMPTY;
  if (min === 1 && max === 1) return info;
  if (min === 0) return max === 1 ? alternate(info, EMPTY) : ANY;
  // At least one repetition: its text is in every match.
  return { query: toQuery(info) };
}

function toQuery(info: Info): TextQuery | null {
  if ('query' in info) return info.query;
  const strings = [...info.exact];
  if (strings.length === 0 || strings.some((text) => [...text].length < MIN_CHARS)) return null;
  return strings.map((text): TextQuery => ({ op: 'has', text })).reduce((a, b) => or(a, b) as TextQuery);
}

function and(left: TextQuery | null, right: TextQuery | null): TextQuery | null {
  if (left === null) return right;
  if (right === null) return left;
  const of = [...operands('and', left), ...operands('and', right)];
  // Dropping a conjunct only weakens the query.
  while (of.length > 1 && of.reduce((n, q) => n + leaves(q), 0) > MAX_LEAVES) of.pop();
  return of.length === 1 ? (of[0] as TextQuery) : { op: 'and', of };
}

function or(left: TextQuery | null, right: TextQuery | null): TextQuery | null {
  if (left === null || right === null) return null;
  return { op: 'or', of: [...operands('or', left), ...operands('or', right)] };
}

function operands(op: 'and' | 'or', query: TextQuery): TextQuery[] {
  return query.op === op ? query.of : [query];
}

function leaves(query: TextQuery): number {
  return query.op === 'has' ? 1 : query.of.reduce((n, q) => n + leaves(q), 0);
}
