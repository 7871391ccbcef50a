import semver from 'semver';
import type { ParsedVersion } from '../domain/artifact.js';
import { BadRequestError } from '../domain/errors.js';
import type { VersionComparator, VersionFilter } from '../storage/metadata/metadata-store.js';

/** A full semantic version, optionally written with a leading `v` (`v1.2.3`, as Git tags often are). */
export function parseVersion(text: string): ParsedVersion | null {
  const trimmed = text.trim();
  // semver.parse also takes `=1.2.3` and `v=1.2.3`; a version is only ever `[v]X.Y.Z[-pre][+build]`.
  if (!/^v?\d/.test(trimmed)) return null;
  const parsed = semver.parse(trimmed);
  if (parsed === null) return null;
  return {
    text: trimmed,
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: parsed.prerelease.length > 0,
  };
}

const CORE = String.raw`v?\d+\.\d+\.\d+`;
const PARTIAL_CORE = String.raw`v?\d+(?:\.\d+){0,2}`;
/** `1.2.3-2.1.0`: also a valid prerelease version, but a query whose both sides are x.y.z is a range. */
const BOUNDED = new RegExp(String.raw`^(${CORE})\s*-\s*(${CORE})$`);
const TILDE_OR_CARET = new RegExp(String.raw`^[~^]\s*${PARTIAL_CORE}$`);

const ACCEPTED_FORMS =
  'Accepted version queries: exact "1.2.3" (or "v1.2.3"), bounded range "1.2.3-2.1.0" (inclusive), ' +
  'tilde range "~1.2.0" and caret range "^1.2.0".';

/**
 * Translate a version query into comparisons on (major, minor, patch) that a database can run
 * as tuple comparisons. Range semantics are npm's (semver's own Range parsing does the
 * translation): ranges never match prereleases.
 *
 * An exact query matches by (major, minor, patch). For a release (`1.2.3`) that is exactly the
 * versions equal to it. For a prerelease (`1.2.3-rc.1`) the filter can only say "1.2.3, prereleases
 * allowed", so it matches 1.2.3 and every prerelease of it; the caller narrows that by comparing
 * version text when it needs the one prerelease.
 */
export function parseVersionQuery(text: string): VersionFilter {
  const query = text.trim();
  const bounded = BOUNDED.exec(query);
  if (bounded) return rangeFilter(text, () => boundedRange(bounded[1] as string, bounded[2] as string));
  if (TILDE_OR_CARET.test(query)) return rangeFilter(text, () => translateRange(query));

  const exact = parseVersion(query);
  if (exact === null) {
    throw new BadRequestError(`"${text}" is not a version query. ${ACCEPTED_FORMS}`);
  }
  const { major, minor, patch } = exact;
  return { anyOf: [[{ op: '=', major, minor, patch }]], includePrerelease: exact.prerelease };
}

function rangeFilter(text: string, translate: () => VersionComparator[][]): VersionFilter {
  try {
    return { anyOf: translate(), includePrerelease: false };
  } catch (error) {
    // semver throws TypeError for numbers beyond Number.MAX_SAFE_INTEGER.
    if (error instanceof TypeError) {
      throw new BadRequestError(
        `"${text}" is not a valid version query: ${error.message}. ${ACCEPTED_FORMS}`,
      );
    }
    throw error;
  }
}

function boundedRange(low: string, high: string): VersionComparator[][] {
  if (semver.gt(low, high)) {
    throw new BadRequestError(
      `The range "${low}-${high}" is empty: its lower bound is above its upper bound.`,
    );
  }
  // npm's hyphen range `A - B` is exactly `>=A <=B`.
  return translateRange(`${low} - ${high}`);
}

function translateRange(range: string): VersionComparator[][] {
  return new semver.Range(range).set.map((comparators) => comparators.map(toComparator));
}

function toComparator(comparator: semver.Comparator): VersionComparator {
  const { major, minor, patch } = comparator.semver;
  // semver writes exclusive upper bounds as `<X.Y.Z-0` (below every prerelease of X.Y.Z). Query
  // operands are releases, so that is the only prerelease bound, and since ranges never match
  // prereleases it selects exactly the versions `< X.Y.Z`.
  return { op: comparator.operator === '' ? '=' : comparator.operator, major, minor, patch };
}

/** The reference semantics of a VersionFilter; database adapters must agree with it. */
export function matchesVersionFilter(version: ParsedVersion, filter: VersionFilter): boolean {
  if (version.prerelease && !filter.includePrerelease) return false;
  return filter.anyOf.some((comparators) => comparators.every((c) => satisfies(version, c)));
}

function satisfies(version: ParsedVersion, comparator: VersionComparator): boolean {
  const order =
    version.major - comparator.major || version.minor - comparator.minor || version.patch - comparator.patch;
  switch (comparator.op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '=':
      return order === 0;
  }
}
