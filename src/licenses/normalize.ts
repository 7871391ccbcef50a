import correctSpdx from 'spdx-correct';
import parseSpdx from 'spdx-expression-parse';
import {
  findLicense,
  LICENSE_EXCEPTIONS,
  type LicenseTerms,
  NO_LICENSE,
  UNKNOWN_LICENSE,
} from './catalog.js';

/**
 * A license as ModelGuard reads it: the choices it offers (`OR`), each a set of terms that all
 * apply at once (`AND`). Whoever uses it picks the most favourable choice for the act at hand.
 */
export interface NormalizedLicense {
  /** What the source said, kept verbatim (a list is joined with ", "); null when it said nothing. */
  raw: string | null;
  /** The license in canonical ids, e.g. `MIT OR Apache-2.0`, `NONE`, or the raw text of a custom license. */
  expression: string;
  /** Either-or choices; every terms row of one choice applies. Never empty. */
  options: readonly (readonly LicenseTerms[])[];
  /** Pieces of the raw text that matched no known license (custom licenses, unknown ids). */
  unrecognized: readonly string[];
  /** How the text was read: spelling corrections, ignored exceptions, list handling. */
  notes: readonly string[];
}

/** Card values beyond this length are not licenses anyone can read reliably. */
const MAX_RAW_LENGTH = 500;
/** Bound on the number of either-or choices an expression expands to. */
const MAX_OPTIONS = 64;

export function normalizeLicense(raw: string | string[] | null | undefined): NormalizedLicense {
  const values = (Array.isArray(raw) ? raw : [raw]).map((value) => value?.trim() ?? '').filter(Boolean);
  if (values.length === 0) return single(null, NO_LICENSE.id, NO_LICENSE);
  if (values.length === 1) return normalizeText(values[0] as string);
  return allOf(values.map(normalizeText));
}

/**
 * A card listing several licenses does not say whether they are alternatives or cover different
 * parts, so the list is read as all of them applying: the reading that never grants too much.
 */
function allOf(parts: NormalizedLicense[]): NormalizedLicense {
  let options: (readonly LicenseTerms[])[] = [[]];
  for (const part of parts) {
    options = options.flatMap((left) => part.options.map((right) => [...left, ...right]));
    if (options.length > MAX_OPTIONS) return tooComplex(parts.map((p) => p.raw).join(', '));
  }
  return {
    raw: parts.map((part) => part.raw).join(', '),
    expression: parts
      .map((part) => (part.options.length > 1 ? `(${part.expression})` : part.expression))
      .join(' AND '),
    options,
    unrecognized: parts.flatMap((part) => part.unrecognized),
    notes: [
      'A list of licenses was read as all of them applying together.',
      ...parts.flatMap((part) => part.notes),
    ],
  };
}

function normalizeText(text: string): NormalizedLicense {
  if (text.length > MAX_RAW_LENGTH) return tooComplex(text);
  const notes: string[] = [];
  if (!/[()]|\s(and|or|with)\s/i.test(text)) {
    const leaf = resolveLeaf(text, notes);
    return { ...single(text, leaf.label, leaf.terms), unrecognized: leaf.unrecognized, notes };
  }
  return normalizeExpression(text, notes);
}

interface Leaf {
  terms: LicenseTerms;
  label: string;
  unrecognized: string[];
}

/** A license id (alias, SPDX id, misspelling, `X+`) to its catalog row; unknown when nothing fits. */
function resolveLeaf(token: string, notes: string[]): Leaf {
  const known = findLicense(token);
  if (known) return { terms: known, label: known.id, unrecognized: [] };
  if (token.length > 1 && token.endsWith('+')) {
    const base = resolveLeaf(token.slice(0, -1), notes);
    const later = findLicense(`${base.label.replace(/-only$/, '')}-or-later`);
    return later ? { terms: later, label: later.id, unrecognized: [] } : base;
  }
  const corrected = correctedId(token);
  if (corrected) {
    const terms = findLicense(corrected);
    if (terms) {
      notes.push(`Read "${token}" as ${corrected}.`);
      return { terms, label: terms.id, unrecognized: [] };
    }
    notes.push(`${corrected} is a valid SPDX license that ModelGuard's catalog does not cover yet.`);
    return { terms: UNKNOWN_LICENSE, label: corrected, unrecognized: [token] };
  }
  return { terms: UNKNOWN_LICENSE, label: token, unrecognized: [token] };
}

/**
 * spdx-correct's guess at a misspelt id. upgrade:false keeps deprecated ids such as GPL-3.0 meaning
 * "only", as SPDX defines them. It crashes on some odd inputs (e.g. "+"), which simply have no guess.
 */
function correctedId(token: string): string | null {
  try {
    return correctSpdx(token, { upgrade: false });
  } catch {
    return null;
  }
}

/** `X WITH exception`: known exceptions adjust the row, others are ignored (they only ever add permissions). */
function withException(leaf: Leaf, exceptionToken: string, notes: string[]): Leaf {
  const name = Object.keys(LICENSE_EXCEPTIONS).find(
    (key) => key.toLowerCase() === exceptionToken.toLowerCase(),
  );
  const exception = name ? LICENSE_EXCEPTIONS[name] : undefined;
  if (!name || !exception) {
    notes.push(
      `Ignored the exception "${exceptionToken}": ${leaf.label} is judged without it, which never overstates rights.`,
    );
    return leaf;
  }
  const label = `${leaf.label} WITH ${name}`;
  return { ...leaf, label, terms: { ...leaf.terms, ...exception.change, id: label } };
}

type Tree = { leaf: number } | { conjunction: 'and' | 'or'; left: Tree; right: Tree };

/**
 * SPDX expressions. Leaves are resolved here (cards write ids in lower case and use names SPDX
 * does not know, such as `llama3`), then stand in as `LicenseRef-` placeholders so
 * spdx-expression-parse can work out precedence and parentheses.
 */
function normalizeExpression(text: string, notes: string[]): NormalizedLicense {
  const tokens = text.split(/(\(|\)|\s+)/).filter((token) => token.trim() !== '');
  const leaves: Leaf[] = [];
  const rewritten: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (token === '(' || token === ')') rewritten.push(token);
    else if (/^(and|or)$/i.test(token)) rewritten.push(token.toUpperCase());
    else if (/^with$/i.test(token)) {
      const last = leaves.at(-1);
      const exception = tokens[i + 1];
      const followsLicense = rewritten.at(-1) === placeholder(leaves.length - 1);
      if (!last || !followsLicense || exception === undefined || /^([()]|and|or|with)$/i.test(exception)) {
        return unparseable(text, notes);
      }
      leaves[leaves.length - 1] = withException(last, exception, notes);
      i++;
    } else {
      rewritten.push(placeholder(leaves.length));
      leaves.push(resolveLeaf(token, notes));
    }
  }
  let tree: Tree;
  try {
    tree = toTree(parseSpdx(rewritten.join(' ')));
  } catch {
    return unparseable(text, notes);
  }
  const options = expand(tree, leaves);
  if (!options) return tooComplex(text);
  return {
    raw: text,
    expression: render(tree, leaves),
    options,
    unrecognized: leaves.flatMap((leaf) => leaf.unrecognized),
    notes,
  };
}

const PLACEHOLDER = 'LicenseRef-leaf';

function placeholder(index: number): string {
  return `${PLACEHOLDER}${index}`;
}

function toTree(info: parseSpdx.Info): Tree {
  if ('conjunction' in info) {
    return { conjunction: info.conjunction, left: toTree(info.left), right: toTree(info.right) };
  }
  return { leaf: Number(info.license.slice(PLACEHOLDER.length)) };
}

/** Either-or normal form: OR concatenates choices, AND combines every pair of them. */
function expand(tree: Tree, leaves: Leaf[]): LicenseTerms[][] | null {
  if ('leaf' in tree) return [[(leaves[tree.leaf] as Leaf).terms]];
  const left = expand(tree.left, leaves);
  const right = expand(tree.right, leaves);
  if (!left || !right) return null;
  const options =
    tree.conjunction === 'or' ? [...left, ...right] : left.flatMap((l) => right.map((r) => [...l, ...r]));
  return options.length > MAX_OPTIONS ? null : options;
}

function render(tree: Tree, leaves: Leaf[], parent?: 'and' | 'or'): string {
  if ('leaf' in tree) return (leaves[tree.leaf] as Leaf).label;
  const text = `${render(tree.left, leaves, tree.conjunction)} ${tree.conjunction.toUpperCase()} ${render(tree.right, leaves, tree.conjunction)}`;
  return parent && parent !== tree.conjunction ? `(${text})` : text;
}

function single(raw: string | null, expression: string, terms: LicenseTerms): NormalizedLicense {
  return { raw, expression, options: [[terms]], unrecognized: [], notes: [] };
}

function unparseable(text: string, notes: string[]): NormalizedLicense {
  return {
    ...single(text, text, UNKNOWN_LICENSE),
    unrecognized: [text],
    notes: [...notes, 'The license expression could not be parsed.'],
  };
}

function tooComplex(text: string): NormalizedLicense {
  return {
    ...single(text, text, UNKNOWN_LICENSE),
    unrecognized: [text],
    notes: ['The license text is too long or expands to too many choices to judge.'],
  };
}
