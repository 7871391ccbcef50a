import type { Token } from './tokens.js';

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case'.split(
    ' ',
  ),
);
const BUILTINS = new Set(
  `abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex
  delattr dict dir divmod enumerate eval exec filter float format frozenset getattr globals hasattr hash help hex
  id input int isinstance issubclass iter len list locals map max memoryview min next object oct open ord pow
  print property range repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip
  __name__ __file__ __doc__ __import__ exit quit copyright credits license NotImplemented Ellipsis
  BaseException Exception ArithmeticError AssertionError AttributeError EOFError ImportError ModuleNotFoundError
  IndexError KeyError KeyboardInterrupt MemoryError NameError NotImplementedError OSError OverflowError
  RuntimeError StopIteration SyntaxError SystemExit TypeError ValueError ZeroDivisionError FileNotFoundError
  PermissionError TimeoutError UnicodeDecodeError UnicodeEncodeError Warning UserWarning DeprecationWarning
  display get_ipython`.split(/\s+/),
);

export interface NameUse {
  /** Names used but never bound in the program; empty when a star import hides what is bound. */
  undefined: string[];
  starImport: boolean;
}

/**
 * Names used but never bound anywhere in the program: imports, assignment targets, loop and
 * comprehension variables, `as` targets, def/class/lambda names and parameters, walrus targets,
 * global declarations. Order and scope are ignored (a name bound anywhere counts as bound), which
 * keeps false alarms out at the price of missing use-before-definition.
 */
export function undefinedNames(statements: readonly Token[][]): NameUse {
  const bound = new Set<string>();
  const used = new Set<string>();
  let starImport = false;
  for (const statement of statements) {
    const first = statement[0]?.text;
    if (first === 'import' || (first === 'from' && statement.some((token) => token.text === 'import'))) {
      starImport ||= bindImport(statement, bound);
      continue;
    }
    bindStatement(statement, bound);
    statement.forEach((token, index) => {
      if (token.type !== 'name' || KEYWORDS.has(token.text)) return;
      const previous = statement[index - 1];
      const next = statement[index + 1];
      if (previous?.text === '.') return;
      const keywordArgument =
        next?.text === '=' && token.depth > 0 && (previous?.text === '(' || previous?.text === ',');
      if (!keywordArgument) used.add(token.text);
    });
  }
  const missing = starImport ? [] : [...used].filter((name) => !bound.has(name) && !BUILTINS.has(name));
  return { undefined: missing, starImport };
}

/** Binds the names an import statement introduces; true for `from m import *`. */
function bindImport(statement: readonly Token[], bound: Set<string>): boolean {
  const imported = statement.slice(statement.findIndex((token) => token.text === 'import') + 1);
  let star = false;
  let segment: Token[] = [];
  for (const token of [...imported, null]) {
    if (token !== null && token.text !== ',') {
      if (token.text === '*') star = true;
      if (token.type === 'name') segment.push(token);
      continue;
    }
    // `import a.b.c` binds `a`, `from m import a` binds `a`; `as x` binds `x` instead.
    const alias = segment.findIndex((name) => name.text === 'as');
    const name = alias >= 0 ? segment[alias + 1] : segment[0];
    if (name) bound.add(name.text);
    segment = [];
  }
  return star;
}

function bindStatement(statement: readonly Token[], bound: Set<string>): void {
  const at = (index: number) => statement[index];
  const base = statement[0]?.depth ?? 0;
  statement.forEach((token, index) => {
    const previous = at(index - 1)?.text;
    const next = at(index + 1)?.text;
    if (token.type !== 'name') return;
    if (
      previous === 'def' ||
      previous === 'class' ||
      previous === 'as' ||
      previous === 'global' ||
      previous === 'nonlocal'
    ) {
      bound.add(token.text);
    } else if (next === ':=') {
      bound.add(token.text);
    } else if (previous === ',' && (at(index - 2)?.text === 'global' || at(index - 2)?.text === 'nonlocal')) {
      bound.add(token.text);
    }
  });
  bindBetween(statement, 'for', 'in', bound);
  bindBetween(statement, 'lambda', ':', bound);
  if (statement[0]?.text === 'def') bindParameters(statement, bound);
  // Assignment targets: every segment before the last top-level `=` (`a = b = 1` binds a and b).
  const equals = statement
    .map((token, index) => (token.text === '=' && token.depth === base ? index : -1))
    .filter((index) => index >= 0);
  const lastEquals = equals.at(-1);
  if (lastEquals === undefined) return;
  statement.slice(0, lastEquals).forEach((token, index) => {
    const previous = statement[index - 1]?.text;
    const next = statement[index + 1]?.text;
    if (token.type === 'name' && previous !== '.' && next !== '.' && next !== '[' && next !== '(')
      bound.add(token.text);
  });
}

/** Names between `from` and the next `to` at the same depth: loop targets, lambda parameters. */
function bindBetween(statement: readonly Token[], from: string, to: string, bound: Set<string>): void {
  statement.forEach((token, index) => {
    if (token.text !== from || token.type !== 'name') return;
    for (let cursor = index + 1; cursor < statement.length; cursor += 1) {
      const inner = statement[cursor];
      if (!inner || (inner.text === to && inner.depth === token.depth)) break;
      const previous = statement[cursor - 1]?.text;
      if (inner.type === 'name' && previous !== '.' && previous !== '=') bound.add(inner.text);
    }
  });
}

/** Parameter names of a `def`: names right after `(`, `,`, `*` or `**` inside its parameter list. */
function bindParameters(statement: readonly Token[], bound: Set<string>): void {
  const open = statement.findIndex((token) => token.text === '(');
  if (open < 0) return;
  const depth = statement[open]?.depth ?? 0;
  for (let cursor = open + 1; cursor < statement.length; cursor += 1) {
    const token = statement[cursor];
    if (!token || (token.text === ')' && token.depth === depth)) break;
    const previous = statement[cursor - 1]?.text;
    if (
      token.type === 'name' &&
      token.depth === depth + 1 &&
      ['(', ',', '*', '**'].includes(previous ?? '')
    ) {
      bound.add(token.text);
    }
  }
}
