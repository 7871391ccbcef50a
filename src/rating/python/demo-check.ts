import type { SyntaxNode } from '@lezer/common';
import { type ModelLoad, modelLoads } from './model-loads.js';
import { undefinedNames } from './names.js';
import { childrenOf, lineAt, nodesNamed, type Program, parsePython, stringValue, textOf } from './syntax.js';

/** The model the demo should run, and ids it may legitimately load too (its parents). */
export interface DemoTarget {
  repoId: string;
  relatives: readonly string[];
}

export interface DemoVerdict {
  /** The program loads some model (a hub loader, `load_model`, ...). */
  loadsModel: boolean;
  /** What must be fixed before it runs; empty when it looks runnable as written. */
  issues: string[];
}

/** Shell commands pasted into Python (`pip install x`, `git clone ...`): they do not parse. */
const SHELL_COMMANDS = new Set([
  'pip',
  'pip3',
  'git',
  'cd',
  'python',
  'python3',
  'conda',
  'wget',
  'curl',
  'sudo',
  'apt',
  'export',
  'huggingface-cli',
]);
const PLACEHOLDER_WORDS = new Set([
  'your',
  'my',
  'model',
  'name',
  'path',
  'repo',
  'user',
  'username',
  'org',
  'organization',
  'dir',
  'directory',
  'file',
  'checkpoint',
  'insert',
  'here',
]);
const ANGLE_PLACEHOLDER = /<\s*([A-Za-z][\w.\s-]*?)\s*>/g;
const YOUR_PLACEHOLDER = /\b(?:YOUR|[Yy]our)[_-][A-Za-z_-]+/;
const PATH_PLACEHOLDER = /\bpath\/to\b/i;
const MAX_LISTED = 4;

/**
 * Judges statically whether a Python demo would run as written: it parses (brackets, quotes), has
 * no shell commands, `...` elisions or placeholders, binds every name it uses, and loads this
 * model by its id. Heuristic by design: passing these checks does not prove the code runs
 * (packages, network, hardware are not checked), and a failed check is reported, not guessed at.
 */
export function checkPythonDemo(blocks: readonly string[], target: DemoTarget): DemoVerdict {
  const programs = blocks.map((block) => parsePython(replPrompts(block)));
  const issues: string[] = [];
  for (const program of programs) {
    issues.push(...program.problems.map((problem) => `does not parse: ${problem}`));
    issues.push(...shellLines(program), ...elisions(program), ...placeholders(program));
  }
  const names = undefinedNames(programs);
  if (names.undefined.length > 0)
    issues.push(`uses ${listed(names.undefined)} without importing or defining it`);
  const loads = modelLoads(programs);
  issues.push(...loadIssues(loads, target));
  return { loadsModel: loads.length > 0, issues: [...new Set(issues)] };
}

/** A `>>>` transcript keeps its input lines (prompts stripped) and drops the printed output. */
function replPrompts(block: string): string {
  if (!/^\s*>>>/m.test(block)) return block;
  return block
    .split('\n')
    .filter((line) => /^\s*(>>>|\.\.\.)( |$)/.test(line))
    .map((line) => line.replace(/^\s*(>>>|\.\.\.) ?/, ''))
    .join('\n');
}

/** `pip install x` pasted into Python: a statement that is a shell command name followed by words. */
function shellLines(program: Program): string[] {
  return nodesNamed(program, 'ExpressionStatement')
    .filter((statement) => {
      const [first] = childrenOf(statement);
      if (first?.name !== 'VariableName' || !SHELL_COMMANDS.has(textOf(program, first))) return false;
      // A name followed, on its line, by a word or an option: `pip install`, `git clone`, `cd -`.
      return /^[ \t]+[\w-]/.test(program.source.slice(first.to));
    })
    .map((statement) => `line ${lineAt(program.source, statement.from)}: a shell command inside Python code`);
}

/**
 * `...` standing for omitted code: in a call's arguments, a dict or set, as an assigned value, or
 * as a statement that is not the whole body of a `def`/`class`/block. `x[..., 0]` (NumPy),
 * `Tuple[int, ...]`, `[1, 2, ...]` and `def f(): ...` are valid and left alone.
 */
function elisions(program: Program): string[] {
  return nodesNamed(program, 'Ellipsis')
    .filter((ellipsis) => !validEllipsis(ellipsis))
    .map((ellipsis) => `line ${lineAt(program.source, ellipsis.from)}: "..." stands for omitted code`);
}

function validEllipsis(ellipsis: SyntaxNode): boolean {
  const parent = ellipsis.parent;
  if (parent?.name === 'MemberExpression' || parent?.name === 'ArrayExpression') return true;
  return parent?.name === 'ExpressionStatement' && parent.parent?.name === 'Body';
}

/** Placeholders: `<model_name>` anywhere in code, `YOUR_TOKEN` or `path/to` inside strings. */
function placeholders(program: Program): string[] {
  const found = new Set<string>();
  const comments = nodesNamed(program, 'Comment');
  program.source.split('\n').forEach((text, index) => {
    const line = index + 1;
    const code = comments
      .filter((comment) => lineAt(program.source, comment.from) === line)
      .reduce((rest, comment) => rest.replace(textOf(program, comment), ''), text);
    const placeholder = anglePlaceholder(code);
    if (placeholder) found.add(`line ${line}: placeholder "${placeholder}"`);
  });
  for (const literal of nodesNamed(program, 'String')) {
    const placeholder = placeholderIn(stringValue(textOf(program, literal)) ?? '');
    if (placeholder) found.add(`line ${lineAt(program.source, literal.from)}: placeholder "${placeholder}"`);
  }
  return [...found];
}

/** The first placeholder in the text: `<model_name>`, `YOUR_TOKEN`, `path/to/...`. */
export function placeholderIn(text: string): string | null {
  return (
    anglePlaceholder(text) ?? YOUR_PLACEHOLDER.exec(text)?.[0] ?? PATH_PLACEHOLDER.exec(text)?.[0] ?? null
  );
}

/** `<model_name>`, `<your token>`; not tokenizer specials like `<s>`, `<mask>`, `<extra_id_0>`. */
function anglePlaceholder(text: string): string | null {
  for (const match of text.matchAll(ANGLE_PLACEHOLDER)) {
    const words = (match[1] ?? '').toLowerCase().split(/[\s_.-]+/);
    if (words.some((word) => PLACEHOLDER_WORDS.has(word))) return match[0];
  }
  return null;
}

function loadIssues(loads: readonly ModelLoad[], target: DemoTarget): string[] {
  const issues: string[] = [];
  const kinds = loads.map((load) => ({ load, kind: load.id === null ? 'unknown' : idKind(load.id, target) }));
  for (const { load, kind } of kinds) {
    if (kind === 'local')
      issues.push(`line ${load.line}: loads the local path "${load.id}", which exists only after a download`);
    if (kind === 'placeholder') issues.push(`line ${load.line}: the model id "${load.id}" is a placeholder`);
  }
  const loadsTarget = kinds.some(({ kind }) => kind === 'self');
  const others = kinds.filter(
    ({ kind, load }) => kind === 'other' || kind === 'relative' || (kind === 'unknown' && !load.given),
  );
  if (!loadsTarget && others.length > 0) {
    const what = others.map(({ load }) =>
      load.id === null ? `${load.call}() with its default model` : `"${load.id}"`,
    );
    issues.push(`no load names ${target.repoId}; it loads ${listed(what)}`);
  }
  return issues;
}

type IdKind = 'self' | 'relative' | 'local' | 'placeholder' | 'other';

/**
 * An id names this model when it equals the repo id (case-insensitively, `hf_hub:` prefix
 * allowed) or, unqualified, the repo's name: the hub's legacy ids (`bert-base-uncased`) redirect
 * to their organisation's repo.
 */
export function idKind(id: string, target: DemoTarget): IdKind {
  const value = id
    .trim()
    .replace(/^hf_hub:/, '')
    .toLowerCase();
  if (!/[a-z0-9]/.test(value) || placeholderIn(id) !== null) return 'placeholder';
  if (/^(\.{1,2}\/|\/|~|[a-z]:\\)/.test(value)) return 'local';
  const matches = (repoId: string) => {
    const lower = repoId.toLowerCase();
    return value === lower || (!value.includes('/') && value === lower.split('/').pop());
  };
  if (matches(target.repoId)) return 'self';
  return target.relatives.some(matches) ? 'relative' : 'other';
}

function listed(items: readonly string[]): string {
  const shown = items.slice(0, MAX_LISTED).join(', ');
  return items.length > MAX_LISTED ? `${shown} and ${items.length - MAX_LISTED} more` : shown;
}
