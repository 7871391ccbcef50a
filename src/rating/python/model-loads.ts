import type { SyntaxNode } from '@lezer/common';
import { childrenOf, lineAt, nodesNamed, type Program, stringValue, textOf } from './syntax.js';

/** One place the demo loads model weights, with the id it passes when that can be read statically. */
export interface ModelLoad {
  call: string;
  /** The model id or path, read from a literal or from a name bound to one; null when unknown. */
  id: string | null;
  /** False when a hub loader got no id at all (a pipeline then picks the task's default model). */
  given: boolean;
  line: number;
}

/**
 * Calls that load a model by hub id, and the keyword that carries the id (else the first
 * positional argument). `null`: a loader whose argument is not a hub id (a library's own model
 * names, a file): it counts as a load, its id is not compared.
 */
const LOADERS: Record<string, string | null> = {
  from_pretrained: 'pretrained_model_name_or_path',
  pipeline: 'model',
  hf_hub_download: 'repo_id',
  snapshot_download: 'repo_id',
  SentenceTransformer: 'model_name_or_path',
  CrossEncoder: 'model_name',
  load_model: null,
  create_model: null,
};

/** Every model-loading call in the programs, ids resolved through simple `name = "literal"` bindings. */
export function modelLoads(programs: readonly Program[]): ModelLoad[] {
  const literals = literalBindings(programs);
  return programs.flatMap((program) =>
    nodesNamed(program, 'CallExpression').flatMap((call): ModelLoad[] => {
      const callee = call.firstChild;
      const name = callee?.name === 'MemberExpression' ? callee.lastChild : callee;
      if (!name || (name.name !== 'VariableName' && name.name !== 'PropertyName')) return [];
      const callName = textOf(program, name);
      const keyword = LOADERS[callName];
      if (keyword === undefined) return [];
      const line = lineAt(program.source, name.from);
      if (keyword === null) return [{ call: callName, id: null, given: true, line }];
      const args = callArguments(program, call.getChild('ArgList'));
      // pipeline('task', 'model-id'): the task comes first.
      const argument = args.keywords.get(keyword) ?? args.positional[callName === 'pipeline' ? 1 : 0];
      const id = argument ? resolve(program, argument, literals) : null;
      return [{ call: callName, id, given: argument !== undefined, line }];
    }),
  );
}

function resolve(program: Program, argument: readonly SyntaxNode[], literals: ReadonlyMap<string, string>) {
  const [only] = argument;
  if (argument.length !== 1 || !only) return null;
  if (only.name === 'String') return stringValue(textOf(program, only));
  return only.name === 'VariableName' ? (literals.get(textOf(program, only)) ?? null) : null;
}

/** `name = "literal"` statements; a name bound twice keeps its last literal. */
function literalBindings(programs: readonly Program[]): Map<string, string> {
  const literals = new Map<string, string>();
  for (const program of programs) {
    for (const statement of nodesNamed(program, 'AssignStatement')) {
      const [target, equals, value, ...rest] = childrenOf(statement);
      if (target?.name !== 'VariableName' || equals?.name !== 'AssignOp' || value?.name !== 'String')
        continue;
      if (rest.length > 0 || textOf(program, equals) !== '=') continue;
      const literal = stringValue(textOf(program, value));
      if (literal !== null) literals.set(textOf(program, target), literal);
    }
  }
  return literals;
}

/** A call's arguments: positional ones, and keyword ones by name (each a list of nodes). */
function callArguments(
  program: Program,
  argList: SyntaxNode | null,
): { positional: SyntaxNode[][]; keywords: Map<string, SyntaxNode[]> } {
  const positional: SyntaxNode[][] = [];
  const keywords = new Map<string, SyntaxNode[]>();
  let current: SyntaxNode[] = [];
  const finish = () => {
    const [name, equals, ...value] = current;
    if (name?.name === 'VariableName' && equals?.name === 'AssignOp')
      keywords.set(textOf(program, name), value);
    else if (current.length > 0) positional.push(current);
    current = [];
  };
  for (const child of argList ? childrenOf(argList) : []) {
    if (child.name === '(' || child.name === ')' || child.type.isError) continue;
    if (child.name === ',') finish();
    else current.push(child);
  }
  finish();
  return { positional, keywords };
}
