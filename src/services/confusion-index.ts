import { type NameIdentity, skeleton, stripAffixes, tokens } from './confusion-names.js';

/**
 * Candidate generation for the name signal without comparing all pairs: the popular models
 * (the only possible imitation targets) are indexed under
 * - the skeleton of their name (finds case, delimiter and look-alike variants),
 * - every skeleton with one character deleted (a symmetric-delete index: a suspect's deletions
 *   meet the target's for one omission, insertion, substitution or adjacent transposition),
 * and a suspect is looked up under its own skeleton, its one-deletions, its name with
 * suspicious affixes stripped, and every split of its words into two names (combinations).
 * Building costs O(K·L) for K targets of names up to L characters; a lookup O(L) keys, each
 * bucket capped at the `perKey` most popular targets, so O(L·perKey) candidates at most.
 */
export class TargetIndex<T extends { identity: NameIdentity }> {
  private readonly byKey = new Map<string, T[]>();

  /** `targets` most popular first: each key keeps the first `perKey` it is given. */
  constructor(
    targets: Iterable<T>,
    private readonly perKey = Number.POSITIVE_INFINITY,
  ) {
    for (const target of targets) {
      const key = skeleton(target.identity.name);
      this.add(key, target);
      for (const deleted of oneDeletions(key)) this.add(deleted, target);
    }
  }

  /** Targets whose names could be confused with `name` (each once). */
  candidates(name: string): T[] {
    const found = new Set<T>();
    const key = skeleton(name);
    for (const candidate of [key, ...oneDeletions(key)])
      for (const target of this.get(candidate)) found.add(target);
    for (const variant of stripAffixes(name)) {
      for (const target of this.get(skeleton(variant.core.join('-')))) found.add(target);
    }
    return [...found];
  }

  /** Pairs of targets whose names, joined, make up `name` word for word ("bert-base-uncased-whisper-tiny"). */
  combinations(name: string): Array<[T, T]> {
    const words = tokens(name);
    const pairs: Array<[T, T]> = [];
    for (let split = 1; split < words.length; split += 1) {
      const left = this.exact(words.slice(0, split).join('-'));
      const right = this.exact(words.slice(split).join('-'));
      for (const a of left) for (const b of right) if (a !== b) pairs.push([a, b]);
    }
    return pairs;
  }

  private exact(name: string): T[] {
    const key = skeleton(name);
    return this.get(key).filter((target) => skeleton(target.identity.name) === key);
  }

  private get(key: string): T[] {
    return this.byKey.get(key) ?? [];
  }

  private add(key: string, target: T): void {
    const list = this.byKey.get(key);
    if (!list) this.byKey.set(key, [target]);
    else if (list.at(-1) !== target && list.length < this.perKey) list.push(target);
  }
}

function oneDeletions(key: string): string[] {
  if (key.length < 5) return []; // short names are too dense for one edit to mean anything
  const out = new Set<string>();
  for (let i = 0; i < key.length; i += 1) out.add(key.slice(0, i) + key.slice(i + 1));
  return [...out];
}
