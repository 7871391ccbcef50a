import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LICENSE_CATALOG } from '../../../src/licenses/catalog.js';
import { type NormalizedLicense, normalizeLicense } from '../../../src/licenses/normalize.js';

/** Each choice of a normalized license as its catalog ids, e.g. [['MIT'], ['Apache-2.0']]. */
function choices(license: NormalizedLicense): string[][] {
  return license.options.map((option) => option.map((terms) => terms.id));
}

describe('normalizeLicense', () => {
  const everyKey = LICENSE_CATALOG.flatMap((terms) =>
    [terms.id, ...terms.spdx, ...terms.aliases].map((key) => [key, terms.id] as const),
  );

  it.each(everyKey)('reads %s as %s', (key, id) => {
    expect(choices(normalizeLicense(key))).toEqual([[id]]);
  });

  it('ignores case and surrounding space', () => {
    expect(choices(normalizeLicense('  APACHE-2.0 '))).toEqual([['Apache-2.0']]);
    expect(choices(normalizeLicense('Llama3.1'))).toEqual([['Llama-3.1']]);
  });

  it.each([null, undefined, '', '   ', [], ['', '  ']])('reads %j as no license', (raw) => {
    const license = normalizeLicense(raw);
    expect(choices(license)).toEqual([['NONE']]);
    expect(license.expression).toBe('NONE');
    expect(license.raw).toBeNull();
  });

  it('reads GitHub NOASSERTION and card other/unknown as an unidentified license, keeping the raw text', () => {
    for (const raw of ['NOASSERTION', 'other', 'unknown']) {
      const license = normalizeLicense(raw);
      expect(choices(license)).toEqual([['LicenseRef-Unknown']]);
      expect(license.raw).toBe(raw);
    }
  });

  it('keeps a custom license text as unrecognized', () => {
    const license = normalizeLicense('Acme Model License v2');
    expect(choices(license)).toEqual([['LicenseRef-Unknown']]);
    expect(license.raw).toBe('Acme Model License v2');
    expect(license.unrecognized).toEqual(['Acme Model License v2']);
    expect(choices(normalizeLicense('LicenseRef-acme'))).toEqual([['LicenseRef-Unknown']]);
    expect(choices(normalizeLicense('+'))).toEqual([['LicenseRef-Unknown']]);
  });

  it('treats a valid SPDX license outside the catalog as unidentified and says so', () => {
    const license = normalizeLicense('EUPL-1.2');
    expect(choices(license)).toEqual([['LicenseRef-Unknown']]);
    expect(license.notes.join(' ')).toContain('EUPL-1.2');
  });

  it.each([
    ['Apache 2', 'Apache-2.0'],
    ['Apache License, Version 2.0', 'Apache-2.0'],
    ['GNU GPL v2', 'GPL-2.0-only'],
    ['GPLv3', 'GPL-3.0'],
    ['MIT/X11', 'MIT'],
  ])('corrects the misspelling %s to %s', (raw, id) => {
    const license = normalizeLicense(raw);
    expect(choices(license)).toEqual([[id]]);
    expect(license.notes.join(' ')).toMatch(/^Read /);
  });

  it('keeps deprecated GitHub ids at their SPDX meaning ("only")', () => {
    expect(choices(normalizeLicense('GPL-2.0'))).toEqual([['GPL-2.0-only']]);
    expect(choices(normalizeLicense('LGPL-2.1'))).toEqual([['LGPL-2.1-only']]);
    expect(choices(normalizeLicense('GPL-3.0'))).toEqual([['GPL-3.0']]);
  });

  it('reads "or later" written either way', () => {
    expect(choices(normalizeLicense('GPL-2.0-or-later'))).toEqual([['GPL-2.0-or-later']]);
    expect(choices(normalizeLicense('GPL-2.0+'))).toEqual([['GPL-2.0-or-later']]);
    expect(choices(normalizeLicense('LGPL-2.1+'))).toEqual([['LGPL-2.1-or-later']]);
    expect(choices(normalizeLicense('Apache-2.0+'))).toEqual([['Apache-2.0']]);
  });

  it('turns OR into choices and AND into licenses that all apply', () => {
    const dual = normalizeLicense('MIT OR Apache-2.0');
    expect(choices(dual)).toEqual([['MIT'], ['Apache-2.0']]);
    expect(dual.expression).toBe('MIT OR Apache-2.0');
    expect(choices(normalizeLicense('mit or apache-2.0'))).toEqual([['MIT'], ['Apache-2.0']]);
    const nested = normalizeLicense('(MIT AND BSD-3-Clause) OR GPL-2.0-only');
    expect(choices(nested)).toEqual([['MIT', 'BSD-3-Clause'], ['GPL-2.0-only']]);
    expect(nested.expression).toBe('(MIT AND BSD-3-Clause) OR GPL-2.0-only');
    expect(choices(normalizeLicense('MIT AND (Apache-2.0 OR llama3)'))).toEqual([
      ['MIT', 'Apache-2.0'],
      ['MIT', 'Llama-3'],
    ]);
    expect(choices(normalizeLicense('MIT OR Apache-2.0 AND GPL-3.0'))).toEqual([
      ['MIT'],
      ['Apache-2.0', 'GPL-3.0'],
    ]);
  });

  it('applies known exceptions and ignores unknown ones with a note', () => {
    const llvm = normalizeLicense('Apache-2.0 WITH LLVM-exception');
    expect(llvm.expression).toBe('Apache-2.0 WITH LLVM-exception');
    expect(llvm.options[0]?.[0]?.fitsInto).toEqual({ anyExcept: [] });
    const classpath = normalizeLicense('GPL-2.0-only WITH Classpath-exception-2.0');
    expect(classpath.options[0]?.[0]).toMatchObject({
      family: 'weak-copyleft',
      copyleft: 'library',
      demands: [],
    });
    const unknown = normalizeLicense('GPL-2.0-only WITH Acme-exception');
    expect(choices(unknown)).toEqual([['GPL-2.0-only']]);
    expect(unknown.notes.join(' ')).toContain('Acme-exception');
  });

  it('reads a malformed expression as unidentified', () => {
    for (const raw of [
      'MIT AND (',
      'MIT OR OR Apache-2.0',
      'WITH LLVM-exception',
      'MIT WITH ( OR Apache-2.0',
    ]) {
      const license = normalizeLicense(raw);
      expect(choices(license)).toEqual([['LicenseRef-Unknown']]);
      expect(license.unrecognized).toEqual([raw]);
    }
  });

  it('reads a list from a card as all licenses applying', () => {
    const list = normalizeLicense(['mit', 'cc-by-nc-4.0']);
    expect(choices(list)).toEqual([['MIT', 'CC-BY-NC-4.0']]);
    expect(list.expression).toBe('MIT AND CC-BY-NC-4.0');
    expect(list.raw).toBe('mit, cc-by-nc-4.0');
    expect(choices(normalizeLicense(['MIT OR Apache-2.0', 'cc-by-4.0']))).toEqual([
      ['MIT', 'CC-BY-4.0'],
      ['Apache-2.0', 'CC-BY-4.0'],
    ]);
    expect(choices(normalizeLicense(['apache-2.0']))).toEqual([['Apache-2.0']]);
  });

  it('refuses to expand expressions into too many choices', () => {
    const explosive = Array.from({ length: 7 }, () => '(MIT OR Apache-2.0)').join(' AND ');
    expect(choices(normalizeLicense(explosive))).toEqual([['LicenseRef-Unknown']]);
    expect(choices(normalizeLicense('x'.repeat(501)))).toEqual([['LicenseRef-Unknown']]);
  });

  it('never throws and always offers at least one choice', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.string()), fc.constant(null)), (raw) => {
        expect(normalizeLicense(raw).options.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });
});
