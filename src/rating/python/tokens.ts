/**
 * A small Python tokenizer: enough to judge demo snippets statically (names, strings, brackets,
 * logical lines), not a full implementation of the language's lexical rules. It never throws:
 * what it cannot read becomes a `problems` entry.
 */
export type TokenType = 'name' | 'number' | 'string' | 'op' | 'comment' | 'magic' | 'newline';

export interface Token {
  type: TokenType;
  text: string;
  /** 1-based physical line the token starts on. */
  line: number;
  /** Bracket depth the token is at (an opening bracket is at the outer depth). */
  depth: number;
}

export interface Tokenized {
  tokens: Token[];
  problems: string[];
}

const OPERATORS = [
  '**=',
  '//=',
  '>>=',
  '<<=',
  '...',
  '->',
  ':=',
  '==',
  '!=',
  '<=',
  '>=',
  '**',
  '//',
  '<<',
  '>>',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
];
const SINGLE_OPERATORS = new Set([...'+-*/%@&|^~<>=.,:;()[]{}']);
const CLOSING: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const STRING_START = /^(?:[rRbBuUfF]{1,2})?(?:'''|"""|'|")/;
const NAME = /^[\p{L}_][\p{L}\p{N}_]*/u;
const NUMBER = /^(?:0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?)/;

export function tokenize(source: string): Tokenized {
  const tokens: Token[] = [];
  const problems: string[] = [];
  const stack: { bracket: string; line: number }[] = [];
  let line = 1;
  let index = 0;
  let lineStart = true;
  const push = (type: TokenType, text: string, startLine = line) => {
    tokens.push({ type, text, line: startLine, depth: stack.length });
    if (type !== 'comment' && type !== 'newline') lineStart = false;
  };

  while (index < source.length) {
    const rest = source.slice(index);
    const char = source[index] ?? '';
    if (char === '\n') {
      if (stack.length === 0 && !lineStart) push('newline', '\n');
      if (stack.length === 0) lineStart = true;
      line += 1;
      index += 1;
      continue;
    }
    if (char === ' ' || char === '\t' || char === '\r' || char === '\f') {
      index += 1;
      continue;
    }
    if (char === '\\' && (source[index + 1] === '\n' || source.startsWith('\r\n', index + 1))) {
      index += source[index + 1] === '\n' ? 2 : 3;
      line += 1;
      continue;
    }
    if (char === '#') {
      const end = source.indexOf('\n', index);
      push('comment', source.slice(index, end === -1 ? undefined : end));
      index = end === -1 ? source.length : end;
      continue;
    }
    // Notebook shell escapes and magics (`!pip install x`, `%pip install x`) run in Jupyter.
    if (lineStart && stack.length === 0 && (char === '!' || char === '%')) {
      const end = source.indexOf('\n', index);
      push('magic', source.slice(index, end === -1 ? undefined : end));
      index = end === -1 ? source.length : end;
      continue;
    }
    const quote = STRING_START.exec(rest);
    if (quote) {
      const scanned = scanString(source, index, quote[0]);
      if (scanned.unterminated) problems.push(`unterminated string starting on line ${line}`);
      push('string', source.slice(index, scanned.end));
      line += countNewlines(source, index, scanned.end);
      index = scanned.end;
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      push('name', name[0]);
      index += name[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number && number[0] !== '.') {
      push('number', number[0]);
      index += number[0].length;
      continue;
    }
    const operator = OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (operator) {
      push('op', operator);
      index += operator.length;
      continue;
    }
    if (char === '(' || char === '[' || char === '{') {
      push('op', char);
      stack.push({ bracket: char, line });
    } else if (char in CLOSING) {
      const open = stack.pop();
      if (open?.bracket !== CLOSING[char]) {
        problems.push(`unmatched "${char}" on line ${line}`);
        if (open) stack.push(open);
      }
      push('op', char);
    } else if (SINGLE_OPERATORS.has(char)) {
      push('op', char);
    } else {
      problems.push(`unexpected character "${char}" on line ${line}`);
      push('op', char);
    }
    index += 1;
  }
  for (const open of stack) problems.push(`"${open.bracket}" opened on line ${open.line} is never closed`);
  if (!lineStart) tokens.push({ type: 'newline', text: '\n', line, depth: 0 });
  return { tokens, problems };
}

function scanString(source: string, start: number, opening: string): { end: number; unterminated: boolean } {
  const delimiter =
    opening.endsWith('"""') || opening.endsWith("'''") ? opening.slice(-3) : opening.slice(-1);
  let index = start + opening.length;
  while (index < source.length) {
    const char = source[index];
    if (char === '\\') {
      index += 2;
      continue;
    }
    if (delimiter.length === 1 && char === '\n') return { end: index, unterminated: true };
    if (source.startsWith(delimiter, index)) return { end: index + delimiter.length, unterminated: false };
    index += 1;
  }
  return { end: source.length, unterminated: true };
}

function countNewlines(source: string, start: number, end: number): number {
  let count = 0;
  for (let index = start; index < end; index += 1) if (source[index] === '\n') count += 1;
  return count;
}

/** The value of a plain string literal token (no f-strings, no implicit concatenation). */
export function stringValue(token: Token): string | null {
  if (token.type !== 'string') return null;
  const match = /^([rRbBuU]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(token.text);
  return match ? (match[3] ?? '') : null;
}

/** Tokens split into statements (logical lines, and `;` separated ones), comments dropped. */
export function logicalLines(tokens: readonly Token[]): Token[][] {
  const lines: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokens) {
    if (token.type === 'comment') continue;
    if (token.type === 'newline' || (token.text === ';' && token.type === 'op' && token.depth === 0)) {
      if (current.length > 0) lines.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  if (current.length > 0) lines.push(current);
  return lines;
}
