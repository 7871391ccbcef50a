import ts from 'typescript';

/** One place in the code that constructs an error the API can answer with. */
export interface ErrorSite {
  file: string;
  /** 1-based line and 0-based column of the `new` expression (the coverage report's convention). */
  line: number;
  column: number;
  errorClass: string;
  /** The arguments as written (text with `${…}` placeholders); the class's own message when none is passed. */
  template: string;
}

export interface SourceFile {
  path: string;
  text: string;
}

const ROOT_CLASS = 'RegistryError';
/** What stands for a value computed at run time. */
const PLACEHOLDER = `\${…}`;

/** Every class declared in the sources that is RegistryError or extends it, directly or not. */
export function registryErrorClasses(files: readonly SourceFile[]): Set<string> {
  const parentOf = new Map<string, string>();
  for (const file of files) {
    visit(parse(file), (node) => {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      const heritage = node.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword);
      const parent = heritage?.types[0]?.expression;
      if (parent && ts.isIdentifier(parent)) parentOf.set(node.name.text, parent.text);
    });
  }
  const classes = new Set([ROOT_CLASS]);
  for (const name of parentOf.keys()) {
    const seen = new Set<string>();
    for (
      let current: string | undefined = name;
      current && !seen.has(current);
      current = parentOf.get(current)
    ) {
      seen.add(current);
      if (current === ROOT_CLASS) {
        classes.add(name);
        break;
      }
    }
  }
  return classes;
}

/** Every `new SomeRegistryError(…)` in the sources, with its message template. */
export function errorSites(files: readonly SourceFile[]): ErrorSite[] {
  const classes = registryErrorClasses(files);
  const sites: ErrorSite[] = [];
  for (const file of files) {
    const source = parse(file);
    visit(source, (node) => {
      if (!ts.isNewExpression(node) || !ts.isIdentifier(node.expression)) return;
      const errorClass = node.expression.text;
      if (!classes.has(errorClass)) return;
      const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
      sites.push({
        file: file.path,
        line: line + 1,
        column: character,
        errorClass,
        template: messageTemplate(node.arguments ?? []),
      });
    });
  }
  return sites;
}

/** The arguments as written: text with its placeholders shown as `${…}`, anything else as `…`. */
function messageTemplate(args: readonly ts.Expression[]): string {
  if (args.length === 0) return '(the class message)';
  return args
    .map((arg) => {
      const text = readAsText(arg);
      return text === null ? '…' : JSON.stringify(text);
    })
    .join(', ');
}

function readAsText(node: ts.Expression): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return node.head.text + node.templateSpans.map((span) => PLACEHOLDER + span.literal.text).join('');
  }
  if (ts.isParenthesizedExpression(node)) return readAsText(node.expression);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = readAsText(node.left);
    const right = readAsText(node.right);
    if (left === null && right === null) return null;
    return (left ?? PLACEHOLDER) + (right ?? PLACEHOLDER);
  }
  return null;
}

function parse(file: SourceFile): ts.SourceFile {
  return ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

function visit(node: ts.Node, onNode: (node: ts.Node) => void): void {
  onNode(node);
  ts.forEachChild(node, (child) => visit(child, onNode));
}

interface Position {
  line: number;
  /** null: to the end of the line (how v8's report ends a statement; JSON cannot hold Infinity). */
  column: number | null;
}
interface Region {
  start: Position;
  end: Position;
}
/** One file of an Istanbul coverage report (coverage-final.json), as far as this needs it. */
export interface FileCoverage {
  statementMap: Record<string, Region>;
  s: Record<string, number>;
  branchMap: Record<string, { locations: Region[] }>;
  b: Record<string, number[]>;
}

/**
 * Whether the suite ran the site's `new`: the innermost counted region around it (a statement,
 * or a branch such as one arm of `?:` or `??`) was entered at least once.
 */
export function wasProduced(site: ErrorSite, coverage: FileCoverage | undefined): boolean {
  if (!coverage) return false;
  const regions: { region: Region; count: number }[] = [];
  for (const [id, region] of Object.entries(coverage.statementMap)) {
    regions.push({ region, count: coverage.s[id] ?? 0 });
  }
  for (const [id, branch] of Object.entries(coverage.branchMap)) {
    branch.locations.forEach((region, arm) => {
      regions.push({ region, count: coverage.b[id]?.[arm] ?? 0 });
    });
  }
  const around = regions.filter(({ region }) => contains(region, site));
  const innermost = around.reduce<(typeof around)[number] | null>(
    (best, next) => (best === null || narrower(next.region, best.region) ? next : best),
    null,
  );
  return (innermost?.count ?? 0) > 0;
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && (a.column ?? Infinity) <= (b.column ?? Infinity));
}

function contains(region: Region, at: Position): boolean {
  return before(region.start, at) && before(at, region.end);
}

/** `a` lies within `b` and is not the same region (ties keep the first, a statement before a branch). */
function narrower(a: Region, b: Region): boolean {
  const same =
    before(a.start, b.start) && before(b.start, a.start) && before(a.end, b.end) && before(b.end, a.end);
  return !same && before(b.start, a.start) && before(a.end, b.end);
}
