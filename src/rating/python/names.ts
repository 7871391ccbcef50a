import type { SyntaxNode } from '@lezer/common';
import { childrenOf, type Program, textOf } from './syntax.js';

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

/** Nodes whose names are bound when they stand as a target (`a, (b, c) = ...`, `for [x, y] in ...`). */
const TARGET_GROUPS = new Set(['TupleExpression', 'ArrayExpression', 'ParenthesizedExpression']);

export interface NameUse {
  /** Names used but never bound in the program; empty when a star import hides what is bound. */
  undefined: string[];
  starImport: boolean;
}

/**
 * Names used but never bound anywhere in the programs (the blocks of one card, run as one
 * notebook), read from the syntax tree: imports, assignment and annotated targets, loop and
 * comprehension variables, `as` targets, def/class names, parameters of defs and lambdas, walrus
 * targets, global/nonlocal declarations. Order and scope are ignored (a name bound anywhere counts
 * as bound), which keeps false alarms out at the price of missing use-before-definition.
 */
export function undefinedNames(programs: readonly Program[]): NameUse {
  const bound = new Set<string>();
  const used = new Set<string>();
  let starImport = false;
  for (const program of programs) {
    const bindings = new Set<number>();
    const bind = (node: SyntaxNode | null | undefined) => {
      if (!node) return;
      if (node.name === 'VariableName') {
        bound.add(textOf(program, node));
        bindings.add(node.from);
      } else if (TARGET_GROUPS.has(node.name)) {
        for (const child of childrenOf(node)) bind(child);
      }
    };
    program.tree.iterate({
      enter: (ref) => {
        const node = ref.node;
        if (node.name === 'ImportStatement') starImport ||= bindImport(program, node, bind);
        else bindWithin(node, bind);
      },
    });
    program.tree.iterate({
      enter: (ref) => {
        if (ref.name !== 'VariableName' || bindings.has(ref.from)) return;
        const node = ref.node;
        if (isKeywordArgument(node) || node.parent?.name === 'ImportStatement') return;
        used.add(textOf(program, node));
      },
    });
  }
  const missing = starImport ? [] : [...used].filter((name) => !bound.has(name) && !BUILTINS.has(name));
  return { undefined: missing, starImport };
}

/** Binds the names an import introduces (`import a.b` binds a, `as x` binds x); true for `import *`. */
function bindImport(program: Program, statement: SyntaxNode, bind: (node: SyntaxNode) => void): boolean {
  const children = childrenOf(statement);
  const imported = children.slice(children.findIndex((child) => child.name === 'import') + 1);
  let star = false;
  let segment: SyntaxNode[] = [];
  for (const child of [...imported, null]) {
    if (child !== null && child.name !== ',') {
      if (textOf(program, child) === '*') star = true;
      segment.push(child);
      continue;
    }
    const alias = segment.findIndex((node) => node.name === 'as');
    const name = alias >= 0 ? segment[alias + 1] : segment.find((node) => node.name === 'VariableName');
    if (name) bind(name);
    segment = [];
  }
  return star;
}

/** The bindings a node makes through its direct children. */
function bindWithin(node: SyntaxNode, bind: (node: SyntaxNode | null | undefined) => void): void {
  const children = childrenOf(node);
  children.forEach((child, index) => {
    const previous = children[index - 1]?.name;
    // def/class names, `with ... as x`, `except E as e`, global/nonlocal names.
    if (previous === 'def' || previous === 'class' || previous === 'as') bind(child);
    if (node.name === 'ScopeStatement') bind(child);
    // Loop and comprehension variables: everything between `for` and `in`.
    if (child.name === 'for') {
      for (let cursor = index + 1; cursor < children.length && children[cursor]?.name !== 'in'; cursor += 1) {
        bind(children[cursor]);
      }
    }
  });
  if (node.name === 'ParamList') {
    // Parameters, not their default values: a name right after `=` is a use.
    children.forEach((child, index) => {
      if (children[index - 1]?.name !== 'AssignOp') bind(child);
    });
  }
  if (node.name === 'NamedExpression') bind(children[0]);
  if (node.name === 'AssignStatement') {
    // Every target before the last `=` (`a = b = 1` binds a and b); `x: int = 1` binds x too.
    const equals = children.map((child) => child.name === 'AssignOp').lastIndexOf(true);
    const targets = equals >= 0 ? children.slice(0, equals) : children.slice(0, 1);
    for (const target of targets) bind(target);
  }
}

/** `name=` inside a call's argument list names a parameter of the callee, not a variable. */
function isKeywordArgument(node: SyntaxNode): boolean {
  return node.parent?.name === 'ArgList' && node.nextSibling?.name === 'AssignOp';
}
