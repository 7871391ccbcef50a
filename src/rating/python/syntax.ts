import type { SyntaxNode, Tree } from '@lezer/common';
import { parser } from '@lezer/python';

/**
 * A Python snippet parsed with @lezer/python, an error-tolerant parser: a broken snippet still
 * gives a tree, with error nodes where it does not parse, so the other checks can run on the rest.
 */
export interface Program {
  source: string;
  tree: Tree;
  /** Where it does not parse, one entry per line, in order. */
  problems: string[];
}

/** Notebook shell escapes and magics (`!pip install x`, `%matplotlib inline`) run in Jupyter. */
const MAGIC_LINE = /^[ \t]*[!%].*$/gm;

export function parsePython(code: string): Program {
  // Blanked rather than removed, so positions and line numbers stay those of the snippet.
  const source = code.replace(MAGIC_LINE, (line) => ' '.repeat(line.length));
  const tree = parser.parse(source);
  const problems = new Map<number, string>();
  tree.iterate({
    enter: (node) => {
      const line = lineAt(source, node.from);
      if (node.type.isError && node.from >= source.trimEnd().length) {
        const open = unclosedBracket(node.node);
        const at = open ? lineAt(source, open.from) : line;
        problems.set(
          at,
          open
            ? `"${open.name}" opened on line ${at} is never closed`
            : `line ${line}: the snippet ends early`,
        );
      } else if (node.type.isError && !problems.has(line)) {
        const near = source.slice(node.from, node.to).trim();
        problems.set(
          line,
          near ? `line ${line}: unexpected "${near}"` : `line ${line}: incomplete statement`,
        );
      } else if (node.name === 'String' && stringValue(source.slice(node.from, node.to)) === null) {
        problems.set(line, `line ${line}: unterminated string`);
      }
    },
  });
  return {
    source,
    tree,
    problems: [...problems.entries()].sort(([a], [b]) => a - b).map(([, text]) => text),
  };
}

/** The innermost bracket around an error at the end of the snippet that was never closed. */
function unclosedBracket(node: SyntaxNode): SyntaxNode | null {
  for (let parent = node.parent; parent; parent = parent.parent) {
    const first = parent.firstChild;
    if (first && ['(', '[', '{'].includes(first.name)) return first;
  }
  return null;
}

/** 1-based line of a position in the source. */
export function lineAt(source: string, position: number): number {
  let line = 1;
  for (
    let index = source.indexOf('\n');
    index !== -1 && index < position;
    index = source.indexOf('\n', index + 1)
  ) {
    line += 1;
  }
  return line;
}

export function textOf(program: Program, node: SyntaxNode): string {
  return program.source.slice(node.from, node.to);
}

/** The node's children, comments left out. */
export function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name !== 'Comment') children.push(child);
  }
  return children;
}

/** Every node of the given type, in source order. */
export function nodesNamed(program: Program, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  program.tree.iterate({
    enter: (node) => {
      if (node.name === name) found.push(node.node);
    },
  });
  return found;
}

/** The value of a plain string literal (no f-string, no implicit concatenation); null otherwise. */
export function stringValue(literal: string): string | null {
  const match = /^([rRbBuU]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(literal);
  return match ? (match[3] ?? '') : null;
}
