/**
 * Name-confusion signal of the package-confusion audit: is a model's name a look-alike of a
 * more popular model's? Names are compared as identities (organisation + name) through a
 * *skeleton* that erases what a reader does not see: case, delimiters, Unicode compatibility
 * forms, confusable letters from other scripts and look-alike ASCII (0/o, 1/l/I, rn/m, vv/w).
 */

/** An artifact's identity: the organisation it is published under (when known) and its name. */
export interface NameIdentity {
  org: string | null;
  name: string;
}

/** One reason a name looks like another, with how strongly it suggests imitation. */
export interface NameReason {
  kind: 'case' | 'delimiter' | 'homoglyph' | 'edit' | 'affix' | 'organisation' | 'same-name' | 'combination';
  detail: string;
  strength: number;
}

/** Letters of other scripts that render like Latin ones (a subset of Unicode's confusables.txt). */
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ɡ: 'g',
  ո: 'n',
  ս: 'u',
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ℓ: 'l',
  ı: 'i',
};

/** ASCII look-alikes, applied after lower-casing; multi-letter ones first. */
const LOOKALIKES: Array<[RegExp, string]> = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/[0]/g, 'o'],
  [/[1|!i]/g, 'l'],
  [/[5$]/g, 's'],
  [/[3]/g, 'e'],
  [/[@4]/g, 'a'],
  [/[7]/g, 't'],
];

const DELIMITERS = /[-_.\s/]+/g;

/** Affixes that make a copy look newer or more trustworthy than the original. */
export const SUSPICIOUS_AFFIXES = new Set([
  'v2',
  'v3',
  'v1',
  'new',
  'latest',
  'official',
  'fixed',
  'fix',
  'updated',
  'update',
  'final',
  'pro',
  'original',
  'real',
  'secure',
  'safe',
  'verified',
  'hf',
  'full',
  'patched',
  'improved',
  'best',
  'free',
]);

/** Lower-case, compatibility-normalised, with confusable letters mapped to Latin; delimiters kept. */
export const normalise = remembered((text: string): string => {
  const folded = text.normalize('NFKC').toLowerCase();
  let out = '';
  for (const char of folded) out += CONFUSABLES[char] ?? char;
  return out;
});

/**
 * One audit asks for the same names' forms many times; each function remembers its last
 * results (up to this many, then starts over), so memory stays bounded.
 */
const REMEMBERED = 100_000;

function remembered<T>(compute: (text: string) => T): (text: string) => T {
  const known = new Map<string, T>();
  return (text) => {
    const hit = known.get(text);
    if (hit !== undefined) return hit;
    const value = compute(text);
    if (known.size >= REMEMBERED) known.clear();
    known.set(text, value);
    return value;
  };
}

/** What a reader sees of a name: normalised, look-alikes merged, delimiters erased. */
export const skeleton = remembered((text: string): string => {
  let out = normalise(text);
  for (const [pattern, replacement] of LOOKALIKES) out = out.replace(pattern, replacement);
  return out.replace(DELIMITERS, '');
});

/** The name's words (split at delimiters), normalised. */
export function tokens(text: string): string[] {
  return normalise(text)
    .split(DELIMITERS)
    .filter((token) => token.length > 0);
}

/**
 * Optimal string alignment distance (edits: omission, insertion, substitution, adjacent
 * transposition), or `max + 1` once it must exceed `max`. Only the band of cells within `max`
 * of the diagonal is computed, so a call costs O(L·max) on names of L characters.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const over = max + 1;
  const width = b.length + 1;
  let previous2 = new Int32Array(width).fill(over);
  let previous = new Int32Array(width).fill(over);
  let current = new Int32Array(width);
  for (let j = 0; j <= Math.min(max, b.length); j += 1) previous[j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    current.fill(over);
    if (i <= max) current[0] = i;
    let rowMin = current[0] as number;
    const from = Math.max(1, i - max);
    const to = Math.min(b.length, i + max);
    for (let j = from; j <= to; j += 1) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        value = Math.min(value, (previous2[j - 2] as number) + 1);
      }
      current[j] = Math.min(value, over);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return over;
    [previous2, previous, current] = [previous, current, previous2];
  }
  return Math.min(previous[b.length] as number, over);
}

/** Which single edit turns `from` into `to` (for the reason's text). */
function editKind(from: string, to: string): string {
  if (from.length === to.length + 1) return 'a character added';
  if (from.length + 1 === to.length) return 'a character left out';
  if (from.length === to.length) {
    const diff = [...from].flatMap((char, i) => (char === to[i] ? [] : [i]));
    if (diff.length === 2 && from[diff[0] as number] === to[diff[1] as number])
      return 'two characters swapped';
    return diff.length === 1 ? 'a character substituted' : 'characters substituted';
  }
  return 'characters edited';
}

/**
 * Every way of removing suspicious affix words from the ends of the suspect's name (each core
 * with the affixes removed), longest core first; empty when the name has none.
 */
export const stripAffixes = remembered((name: string): Array<{ core: string[]; affixes: string[] }> => {
  const words = tokens(name);
  const variants: Array<{ core: string[]; affixes: string[] }> = [];
  for (
    let start = 0;
    start < words.length && (start === 0 || SUSPICIOUS_AFFIXES.has(words[start - 1] as string));
    start += 1
  ) {
    for (
      let end = words.length;
      end > start && (end === words.length || SUSPICIOUS_AFFIXES.has(words[end] as string));
      end -= 1
    ) {
      if (start === 0 && end === words.length) continue;
      variants.push({
        core: words.slice(start, end),
        affixes: [...words.slice(0, start), ...words.slice(end)],
      });
    }
  }
  return variants.sort((a, b) => b.core.length - a.core.length);
});

function orgsConfusable(a: string, b: string): boolean {
  return a !== b && (skeleton(a) === skeleton(b) || editDistance(skeleton(a), skeleton(b), 1) <= 1);
}

/**
 * Why `suspect` looks like `target`, strongest first; empty when it does not, or when both are
 * the same model (same organisation and name: versions of one model are not imitations).
 */
export function nameReasons(suspect: NameIdentity, target: NameIdentity): NameReason[] {
  const sameOrg =
    suspect.org !== null && target.org !== null && normalise(suspect.org) === normalise(target.org);
  if (suspect.name === target.name && (sameOrg || suspect.org === target.org)) return [];
  const reasons: NameReason[] = [];
  const orgConfusion = suspect.org !== null && target.org !== null && orgsConfusable(suspect.org, target.org);
  if (orgConfusion) {
    reasons.push({
      kind: 'organisation',
      detail: `organisation "${suspect.org}" looks like "${target.org}"`,
      strength: 0.95,
    });
  }
  if (suspect.name === target.name) {
    if (!orgConfusion) {
      reasons.push(
        suspect.org === null
          ? { kind: 'same-name', detail: `same name as ${label(target)}`, strength: 0.6 }
          : {
              kind: 'same-name',
              detail: `same name as ${label(target)} under another organisation`,
              strength: 0.5,
            },
      );
    }
    return reasons;
  }
  if (sameOrg) return reasons; // an organisation naming its own models alike is not imitating itself
  const s = skeleton(suspect.name);
  const t = skeleton(target.name);
  if (s === t) {
    const kind =
      suspect.name.toLowerCase() === target.name.toLowerCase()
        ? 'case'
        : suspect.name.replace(DELIMITERS, '').toLowerCase() ===
            target.name.replace(DELIMITERS, '').toLowerCase()
          ? 'delimiter'
          : 'homoglyph';
    const what = {
      case: 'only the letter case differs',
      delimiter: 'only the delimiters differ',
      homoglyph: 'look-alike characters',
    }[kind];
    reasons.push({ kind, detail: `"${suspect.name}" vs "${target.name}": ${what}`, strength: 0.9 });
    return reasons;
  }
  const affixed = stripAffixes(suspect.name).find((variant) => skeleton(variant.core.join('-')) === t);
  if (affixed) {
    reasons.push({
      kind: 'affix',
      detail: `"${target.name}" with ${affixed.affixes.map((a) => `"${a}"`).join(', ')} added`,
      strength: 0.8,
    });
    return reasons;
  }
  if (t.length >= 5 && editDistance(s, t, 1) === 1) {
    reasons.push({
      kind: 'edit',
      detail: `"${suspect.name}" vs "${target.name}": ${editKind(s, t)}`,
      strength: 0.85,
    });
  }
  return reasons;
}

export function label(identity: NameIdentity): string {
  return identity.org ? `${identity.org}/${identity.name}` : identity.name;
}
