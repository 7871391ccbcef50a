import { describe, expect, it } from 'vitest';
import {
  type ErrorSite,
  errorSites,
  type FileCoverage,
  registryErrorClasses,
  wasProduced,
} from '../../../scripts/error-catalog.js';

const errors = {
  path: 'src/errors.ts',
  text: [
    'export class RegistryError extends Error {}',
    'export class NotFoundError extends RegistryError {}',
    'export class GoneError extends NotFoundError {}',
    'export class CliError extends Error {}',
  ].join('\n'),
};

const service = {
  path: 'src/service.ts',
  text: [
    'export function find(id: string, found: boolean) {',
    `  if (!found) throw new NotFoundError(\`artifact \${id} is missing\`);`,
    "  const fallback = found ? null : new GoneError('gone: ' + id);",
    '  throw new CliError("not a registry error");',
    '}',
    'export const plain = () => new RegistryError(500, "broken", "BROKEN");',
    'export const bare = () => new GoneError();',
  ].join('\n'),
};

describe('registryErrorClasses', () => {
  it('follows extends chains to RegistryError and leaves other errors out', () => {
    expect([...registryErrorClasses([errors])].sort()).toEqual([
      'GoneError',
      'NotFoundError',
      'RegistryError',
    ]);
  });
});

describe('errorSites', () => {
  const sites = errorSites([errors, service]);

  it('lists each construction with its position and its arguments as written', () => {
    expect(
      sites.map(({ line, column, errorClass, template }) => [line, column, errorClass, template]),
    ).toEqual([
      [2, 20, 'NotFoundError', `"artifact \${…} is missing"`],
      [3, 34, 'GoneError', `"gone: \${…}"`],
      [6, 27, 'RegistryError', '…, "broken", "BROKEN"'],
      [7, 26, 'GoneError', '(the class message)'],
    ]);
  });
});

describe('wasProduced', () => {
  const [thrown, conditional] = errorSites([errors, service]) as [ErrorSite, ErrorSite];
  const region = (startLine: number, startColumn: number, endLine: number, endColumn: number) => ({
    start: { line: startLine, column: startColumn },
    end: { line: endLine, column: endColumn },
  });
  // The function body ran, the throw statement did not; the `?:` ran only its first arm.
  const coverage: FileCoverage = {
    statementMap: {
      0: region(1, 0, 5, 1),
      1: region(2, 2, 2, 70),
      2: region(2, 13, 2, 70),
      3: region(3, 2, 3, 64),
    },
    s: { 0: 3, 1: 3, 2: 0, 3: 3 },
    branchMap: { 0: { locations: [region(3, 27, 3, 31), region(3, 34, 3, 63)] } },
    b: { 0: [3, 0] },
  };

  it('reads the innermost statement around the construction', () => {
    expect(wasProduced(thrown, coverage)).toBe(false);
    expect(wasProduced(thrown, { ...coverage, s: { ...coverage.s, 2: 1 } })).toBe(true);
  });

  it('reads the arm of a conditional expression, not the statement that holds it', () => {
    expect(wasProduced(conditional, coverage)).toBe(false);
    expect(wasProduced(conditional, { ...coverage, b: { 0: [3, 2] } })).toBe(true);
  });

  it('reads a statement that runs to the end of its line (v8 reports its end column as null)', () => {
    const toLineEnd = (line: number, column: number) => ({
      start: { line, column },
      end: { line, column: null },
    });
    const byLines: FileCoverage = {
      statementMap: { 0: toLineEnd(2, 2), 1: toLineEnd(2, 14) },
      s: { 0: 3, 1: 0 },
      branchMap: { 0: { locations: [toLineEnd(2, 2)] } },
      b: { 0: [3] },
    };
    expect(wasProduced(thrown, byLines)).toBe(false);
    expect(wasProduced(thrown, { ...byLines, s: { 0: 3, 1: 2 } })).toBe(true);
  });

  it('counts a file the suite never loaded as not produced', () => {
    expect(wasProduced(thrown, undefined)).toBe(false);
  });
});
