import { describe, expect, it } from 'vitest';
import { findLicense, LICENSE_CATALOG, type LicenseTerms } from '../../../src/licenses/catalog.js';
import { fits } from '../../../src/licenses/regimes.js';

/** The license ids Hugging Face offers on model cards that the catalog must know by name. */
const HUGGING_FACE_IDS: Record<string, string> = {
  'apache-2.0': 'Apache-2.0',
  mit: 'MIT',
  'bsd-3-clause': 'BSD-3-Clause',
  'cc-by-4.0': 'CC-BY-4.0',
  'cc-by-sa-4.0': 'CC-BY-SA-4.0',
  'cc-by-nc-4.0': 'CC-BY-NC-4.0',
  'cc-by-nc-sa-4.0': 'CC-BY-NC-SA-4.0',
  'cc-by-nc-nd-4.0': 'CC-BY-NC-ND-4.0',
  'cc-by-nd-4.0': 'CC-BY-ND-4.0',
  'gpl-3.0': 'GPL-3.0',
  'gpl-2.0': 'GPL-2.0-only',
  gpl: 'GPL-2.0-or-later',
  'lgpl-2.1': 'LGPL-2.1-only',
  'lgpl-3.0': 'LGPL-3.0',
  'agpl-3.0': 'AGPL-3.0',
  'mpl-2.0': 'MPL-2.0',
  openrail: 'OpenRAIL',
  'openrail++': 'OpenRAIL++',
  'creativeml-openrail-m': 'CreativeML-OpenRAIL-M',
  'bigscience-openrail-m': 'BigScience-OpenRAIL-M',
  'bigcode-openrail-m': 'BigCode-OpenRAIL-M',
  'bigscience-bloom-rail-1.0': 'BigScience-BLOOM-RAIL-1.0',
  llama2: 'Llama-2',
  llama3: 'Llama-3',
  'llama3.1': 'Llama-3.1',
  'llama3.2': 'Llama-3.2',
  'llama3.3': 'Llama-3.3',
  llama4: 'Llama-4',
  gemma: 'Gemma',
  'cc0-1.0': 'CC0-1.0',
  unlicense: 'Unlicense',
  'bsl-1.0': 'BSL-1.0',
  'artistic-2.0': 'Artistic-2.0',
  'afl-3.0': 'AFL-3.0',
  wtfpl: 'WTFPL',
  other: 'LicenseRef-Unknown',
  unknown: 'LicenseRef-Unknown',
};

describe('license catalog', () => {
  it.each(Object.entries(HUGGING_FACE_IDS))('knows the Hugging Face id %s as %s', (alias, id) => {
    expect(findLicense(alias)?.id).toBe(id);
  });

  it('maps every id, SPDX id and alias to exactly one row', () => {
    const owner = new Map<string, string>();
    for (const terms of LICENSE_CATALOG) {
      for (const key of new Set([terms.id, ...terms.spdx, ...terms.aliases].map((k) => k.toLowerCase()))) {
        expect(owner.get(key), `${key} is claimed by ${owner.get(key)} and ${terms.id}`).toBeUndefined();
        owner.set(key, terms.id);
      }
    }
  });

  it('writes aliases in lower case, as cards do', () => {
    for (const terms of LICENSE_CATALOG) {
      for (const alias of terms.aliases) expect(alias).toBe(alias.toLowerCase());
    }
  });

  it.each(LICENSE_CATALOG.map((t) => [t.id, t] as const))(
    'keeps the row for %s self-consistent',
    (_id, t) => {
      expect(t.reasoning.length).toBeGreaterThan(10);
      const reachesProgram = t.copyleft === 'whole-work' || t.copyleft === 'network';
      expect(t.demands.length > 0).toBe(reachesProgram);
      for (const regime of t.demands) expect(fits(t.fitsInto, regime)).toBe(true);
      expect(t.useRestrictions !== 'none').toBe(t.family === 'use-restricted');
      expect(t.family === 'network-copyleft').toBe(t.copyleft === 'network');
      expect(t.family === 'strong-copyleft').toBe(t.copyleft === 'whole-work');
      if (t.family === 'public-domain') expect(t.attribution).toBe(false);
      if (t.family === 'no-derivatives') expect(t.derivativeDistribution).toBe(false);
    },
  );

  it('grants nothing for missing, unknown and proprietary licenses', () => {
    const noRights = LICENSE_CATALOG.filter((t) => ['none', 'unknown', 'proprietary'].includes(t.family));
    expect(noRights.map((t) => t.family).sort()).toEqual(['none', 'proprietary', 'unknown']);
    for (const t of noRights) {
      expect([t.commercialUse, t.modification, t.derivativeDistribution]).toEqual([false, false, false]);
    }
  });

  it('allows commercial use exactly where the family is not non-commercial and rights exist', () => {
    const withRights = (t: LicenseTerms) => !['none', 'unknown', 'proprietary'].includes(t.family);
    for (const t of LICENSE_CATALOG.filter(withRights)) {
      expect(t.commercialUse, t.id).toBe(t.family !== 'non-commercial');
    }
  });
});
