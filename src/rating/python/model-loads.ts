import { stringValue, type Token } from './tokens.js';

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

/** Every model-loading call in the program, ids resolved through simple `name = "literal"` bindings. */
export function modelLoads(statements: readonly Token[][]): ModelLoad[] {
  const literals = literalBindings(statements);
  const loads: ModelLoad[] = [];
  for (const statement of statements) {
    statement.forEach((token, index) => {
      const keyword = LOADERS[token.text];
      if (token.type !== 'name' || keyword === undefined || statement[index + 1]?.text !== '(') return;
      if (keyword === null) {
        loads.push({ call: token.text, id: null, given: true, line: token.line });
        return;
      }
      const args = callArguments(statement, index + 1);
      // pipeline('task', 'model-id'): the task comes first.
      const argument = args.keywords.get(keyword) ?? args.positional[token.text === 'pipeline' ? 1 : 0];
      loads.push({
        call: token.text,
        id: argument ? resolve(argument, literals) : null,
        given: argument !== undefined,
        line: token.line,
      });
    });
  }
  return loads;
}

function resolve(argument: readonly Token[], literals: ReadonlyMap<string, string>): string | null {
  const [only] = argument;
  if (argument.length !== 1 || !only) return null;
  return only.type === 'string' ? stringValue(only) : (literals.get(only.text) ?? null);
}

/** `name = "literal"` statements; a name bound twice keeps its last literal. */
function literalBindings(statements: readonly Token[][]): Map<string, string> {
  const literals = new Map<string, string>();
  for (const [target, equals, value, ...rest] of statements) {
    if (target?.type !== 'name' || equals?.text !== '=' || !value || rest.length > 0) continue;
    const literal = stringValue(value);
    if (literal !== null) literals.set(target.text, literal);
  }
  return literals;
}

/** The top-level arguments of the call whose `(` is at `open`. */
function callArguments(
  statement: readonly Token[],
  open: number,
): { positional: Token[][]; keywords: Map<string, Token[]> } {
  const depth = (statement[open]?.depth ?? 0) + 1;
  const positional: Token[][] = [];
  const keywords = new Map<string, Token[]>();
  let current: Token[] = [];
  const finish = () => {
    if (current.length === 0) return;
    const [name, equals, ...value] = current;
    if (name?.type === 'name' && equals?.text === '=' && equals.depth === depth)
      keywords.set(name.text, value);
    else positional.push(current);
    current = [];
  };
  for (let cursor = open + 1; cursor < statement.length; cursor += 1) {
    const token = statement[cursor];
    if (!token) break;
    if (token.depth < depth) break;
    if (token.text === ',' && token.depth === depth) finish();
    else current.push(token);
  }
  finish();
  return { positional, keywords };
}
