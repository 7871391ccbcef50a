import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import type { ParsedVersion } from '../../../src/domain/artifact.js';
import { BadRequestError } from '../../../src/domain/errors.js';
import { matchesVersionFilter, parseVersion, parseVersionQuery } from '../../../src/search/versions.js';

function parsed(text: string): ParsedVersion {
  const version = parseVersion(text);
  if (version === null) throw new Error(`test version ${text} does not parse`);
  return version;
}

function matches(version: string, query: string): boolean {
  return matchesVersionFilter(parsed(version), parseVersionQuery(query));
}

describe('parseVersion', () => {
  it.each([
    ['1.2.3', { text: '1.2.3', major: 1, minor: 2, patch: 3, prerelease: false }],
    ['v1.2.3', { text: 'v1.2.3', major: 1, minor: 2, patch: 3, prerelease: false }],
    [' 10.0.7 ', { text: '10.0.7', major: 10, minor: 0, patch: 7, prerelease: false }],
    ['1.2.3-rc.1', { text: '1.2.3-rc.1', major: 1, minor: 2, patch: 3, prerelease: true }],
    ['v0.0.1+build.5', { text: 'v0.0.1+build.5', major: 0, minor: 0, patch: 1, prerelease: false }],
  ])('parses %s', (text, expected) => {
    expect(parseVersion(text)).toEqual(expected);
  });

  it.each([
    '',
    'latest',
    'main',
    '1.2',
    '1',
    'v',
    '=1.2.3',
    'v=1.2.3',
    '01.2.3',
    '1.2.3.4',
    '^1.2.3',
    '99999999999999999999.0.0',
  ])('returns null for the non-semver %j', (text) => {
    expect(parseVersion(text)).toBeNull();
  });
});

describe('parseVersionQuery', () => {
  it.each([
    ['1.2.3', [[{ op: '=', major: 1, minor: 2, patch: 3 }]], false],
    ['v1.2.3', [[{ op: '=', major: 1, minor: 2, patch: 3 }]], false],
    ['1.2.3-rc.1', [[{ op: '=', major: 1, minor: 2, patch: 3 }]], true],
    [
      '1.2.3-2.1.0',
      [
        [
          { op: '>=', major: 1, minor: 2, patch: 3 },
          { op: '<=', major: 2, minor: 1, patch: 0 },
        ],
      ],
      false,
    ],
    [
      'v1.2.3 - v2.1.0',
      [
        [
          { op: '>=', major: 1, minor: 2, patch: 3 },
          { op: '<=', major: 2, minor: 1, patch: 0 },
        ],
      ],
      false,
    ],
    [
      '~1.2.0',
      [
        [
          { op: '>=', major: 1, minor: 2, patch: 0 },
          { op: '<', major: 1, minor: 3, patch: 0 },
        ],
      ],
      false,
    ],
    [
      '^1.2.0',
      [
        [
          { op: '>=', major: 1, minor: 2, patch: 0 },
          { op: '<', major: 2, minor: 0, patch: 0 },
        ],
      ],
      false,
    ],
    [
      '^0.0.3',
      [
        [
          { op: '>=', major: 0, minor: 0, patch: 3 },
          { op: '<', major: 0, minor: 0, patch: 4 },
        ],
      ],
      false,
    ],
    ['^0', [[{ op: '<', major: 1, minor: 0, patch: 0 }]], false],
  ])('translates %s into tuple comparators', (query, anyOf, includePrerelease) => {
    expect(parseVersionQuery(query)).toEqual({ anyOf, includePrerelease });
  });

  it('reads a hyphen between two x.y.z versions as a bounded range, not as a prerelease', () => {
    expect(semver.valid('1.2.3-2.1.0')).not.toBeNull();
    expect(matches('1.5.0', '1.2.3-2.1.0')).toBe(true);
    expect(matches('1.2.3', '1.2.3-2.1.0')).toBe(true);
    expect(matches('2.1.0', '1.2.3-2.1.0')).toBe(true);
    expect(matches('2.1.1', '1.2.3-2.1.0')).toBe(false);
  });

  it('reads a hyphenated version whose left side has a prerelease as one exact prerelease version', () => {
    expect(parseVersionQuery('1.2.3-rc.1-2.0.0')).toEqual({
      anyOf: [[{ op: '=', major: 1, minor: 2, patch: 3 }]],
      includePrerelease: true,
    });
  });

  it.each([
    '',
    'latest',
    '*',
    '1.x',
    '1.2',
    '>=1.0.0',
    '=1.2.3',
    '1.2.3 || 2.0.0',
    '~1.2.3-beta.1',
    '^1.2.3-rc.1',
    '~1.2.x',
    '1.2.3-',
  ])('rejects %j, listing the accepted forms', (query) => {
    expect(() => parseVersionQuery(query)).toThrow(BadRequestError);
    expect(() => parseVersionQuery(query)).toThrow(
      /Accepted version queries: exact "1\.2\.3".*"~1\.2\.0".*"\^1\.2\.0"/,
    );
  });

  it('rejects numbers beyond the safe integer range', () => {
    expect(() => parseVersionQuery('~99999999999999999999')).toThrow(BadRequestError);
    expect(() => parseVersionQuery('^9007199254740991')).toThrow(/Invalid major version/);
  });

  it('rejects a bounded range whose bounds are reversed', () => {
    expect(() => parseVersionQuery('2.0.0-1.0.0')).toThrow(BadRequestError);
    expect(() => parseVersionQuery('2.0.0-1.0.0')).toThrow(/empty/);
  });
});

describe('matchesVersionFilter', () => {
  it('never matches a prerelease with a range', () => {
    expect(matches('1.2.5-rc.1', '~1.2.0')).toBe(false);
    expect(matches('1.2.5', '~1.2.0')).toBe(true);
  });

  it('matches an exact release only, not its prereleases', () => {
    expect(matches('1.2.3', '1.2.3')).toBe(true);
    expect(matches('v1.2.3', '1.2.3')).toBe(true);
    expect(matches('1.2.3-rc.1', '1.2.3')).toBe(false);
    expect(matches('1.2.4', '1.2.3')).toBe(false);
  });

  it('matches an exact prerelease query by its x.y.z, prereleases included', () => {
    expect(matches('1.2.3-rc.1', '1.2.3-rc.1')).toBe(true);
    expect(matches('1.2.3-rc.2', '1.2.3-rc.1')).toBe(true);
    expect(matches('1.2.3', '1.2.3-rc.1')).toBe(true);
    expect(matches('1.2.4-rc.1', '1.2.3-rc.1')).toBe(false);
  });

  it('applies every comparator operator', () => {
    const v = parsed('1.2.3');
    const at = (op: '<' | '<=' | '>' | '>=' | '=', major: number, minor: number, patch: number) =>
      matchesVersionFilter(v, { anyOf: [[{ op, major, minor, patch }]], includePrerelease: false });
    expect([at('<', 1, 2, 4), at('<', 1, 2, 3), at('<=', 1, 2, 3), at('<=', 1, 2, 2)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([at('>', 1, 2, 2), at('>', 1, 2, 3), at('>=', 1, 2, 3), at('>=', 1, 3, 0)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([at('=', 1, 2, 3), at('=', 0, 2, 3)]).toEqual([true, false]);
  });

  it('ORs comparator sets and ANDs comparators within a set', () => {
    const filter = {
      anyOf: [
        [
          { op: '>=' as const, major: 1, minor: 0, patch: 0 },
          { op: '<' as const, major: 2, minor: 0, patch: 0 },
        ],
        [{ op: '=' as const, major: 3, minor: 0, patch: 0 }],
      ],
      includePrerelease: false,
    };
    expect(['0.9.0', '1.5.0', '2.0.0', '3.0.0'].map((v) => matchesVersionFilter(parsed(v), filter))).toEqual([
      false,
      true,
      false,
      true,
    ]);
  });
});

describe('version queries agree with npm (semver.satisfies)', () => {
  const part = fc.integer({ min: 0, max: 4 });
  const core = fc.tuple(part, part, part).map(([a, b, c]) => `${a}.${b}.${c}`);
  const prefix = fc.constantFrom('', 'v');
  const prereleaseTag = fc.constantFrom('0', 'alpha', 'rc.1', 'beta.2');
  const version = fc
    .tuple(prefix, core, fc.option(prereleaseTag, { nil: undefined }))
    .map(([v, c, pre]) => (pre === undefined ? `${v}${c}` : `${v}${c}-${pre}`));
  const partialCore = fc
    .tuple(part, fc.option(part, { nil: undefined }), fc.option(part, { nil: undefined }))
    .map(([a, b, c]) => [a, b, b === undefined ? undefined : c].filter((x) => x !== undefined).join('.'));

  /** Each query paired with the npm range that means the same. */
  const query = fc.oneof(
    fc.tuple(prefix, core).map(([v, c]) => ({ query: `${v}${c}`, npm: c })),
    fc.tuple(core, core).map(([x, y]) => {
      const [low, high] = semver.lte(x, y) ? [x, y] : [y, x];
      return { query: `${low}-${high}`, npm: `>=${low} <=${high}` };
    }),
    partialCore.map((c) => ({ query: `~${c}`, npm: `~${c}` })),
    partialCore.map((c) => ({ query: `^${c}`, npm: `^${c}` })),
  );

  it('for exact release, bounded, tilde and caret queries', () => {
    fc.assert(
      fc.property(version, query, (v, q) => {
        expect(matches(v, q.query)).toBe(semver.satisfies(v, q.npm));
      }),
      { numRuns: 2000 },
    );
  });

  it('for exact prerelease queries, up to the documented x.y.z coarsening', () => {
    fc.assert(
      fc.property(version, core, prereleaseTag, (v, c, pre) => {
        const query = `${c}-${pre}`;
        expect(matches(v, query)).toBe(semver.satisfies(semver.coerce(v)?.version ?? '', c));
        if (semver.satisfies(v, query)) expect(matches(v, query)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
