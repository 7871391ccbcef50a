import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LICENSE_CATALOG } from '../../../src/licenses/catalog.js';
import { checkFineTuneInference, scoreForLgplProject } from '../../../src/licenses/compatibility.js';
import { normalizeLicense } from '../../../src/licenses/normalize.js';
import { LICENSE_PAIRS, type LicensePairCase, NO_LICENSE_CELL } from './license-pairs.js';

function license(cell: string) {
  return normalizeLicense(cell === NO_LICENSE_CELL ? null : cell);
}

describe('scoreForLgplProject', () => {
  it.each([
    ['apache-2.0', 1],
    ['mit', 1],
    ['bsd-3-clause', 1],
    ['cc-by-4.0', 1],
    ['cc0-1.0', 1],
    ['unlicense', 1],
    ['wtfpl', 1],
    ['lgpl-2.1', 1],
    ['lgpl-3.0', 1],
    ['mpl-2.0', 1],
    ['cc-by-sa-4.0', 1],
    ['Apache-2.0 WITH LLVM-exception', 1],
    ['gpl-3.0', 0.7],
    ['gpl-2.0', 0.7],
    ['agpl-3.0', 0.5],
    ['openrail', 0.7],
    ['openrail++', 0.7],
    ['creativeml-openrail-m', 0.7],
    ['bigscience-openrail-m', 0.7],
    ['bigscience-bloom-rail-1.0', 0.7],
    ['llama3.1', 0.6],
    ['llama3.3', 0.6],
    ['gemma', 0.6],
    ['llama2', 0.5],
    ['llama3', 0.5],
    ['llama3.2', 0.5],
    ['llama4', 0.5],
    ['cc-by-nc-4.0', 0],
    ['cc-by-nc-sa-4.0', 0],
    ['cc-by-nc-nd-4.0', 0],
    ['fair-noncommercial-research-license', 0],
    ['cc-by-nd-4.0', 0],
    ['proprietary', 0],
    ['other', 0],
    ['unknown', 0],
    ['NOASSERTION', 0],
    ['Acme Model License', 0],
    ['osl-3.0', 0],
  ])('scores %s as %d', (raw, score) => {
    const result = scoreForLgplProject(normalizeLicense(raw));
    expect(result.score).toBe(score);
    expect(result.reason.length).toBeGreaterThan(20);
  });

  it('scores a missing license 0', () => {
    expect(scoreForLgplProject(normalizeLicense(null))).toEqual({
      score: 0,
      reason: 'The model has no license, so all rights are reserved.',
    });
  });

  it('takes the most favourable choice of an OR and says which', () => {
    const result = scoreForLgplProject(normalizeLicense('cc-by-nc-4.0 OR MIT'));
    expect(result.score).toBe(1);
    expect(result.reason).toContain('the choice MIT');
  });

  it('lets the weakest license of an AND decide', () => {
    expect(scoreForLgplProject(normalizeLicense(['apache-2.0', 'llama2'])).score).toBe(0.5);
    expect(scoreForLgplProject(normalizeLicense(['apache-2.0', 'cc-by-nc-4.0'])).score).toBe(0);
  });

  it('scores 0 when the licenses of one choice cannot ship together', () => {
    const result = scoreForLgplProject(normalizeLicense('GPL-3.0 AND openrail'));
    expect(result.score).toBe(0);
    expect(result.reason).toContain('OpenRAIL cannot be placed under');
  });

  it('keeps every catalog license within [0, 1]', () => {
    for (const terms of LICENSE_CATALOG) {
      const { score } = scoreForLgplProject(normalizeLicense(terms.id));
      expect(score, terms.id).toBeGreaterThanOrEqual(0);
      expect(score, terms.id).toBeLessThanOrEqual(1);
    }
  });

  it('shows the text of a custom license in the reason', () => {
    expect(scoreForLgplProject(normalizeLicense('Acme Model License')).reason).toContain(
      '"Acme Model License"',
    );
  });
});

describe('checkFineTuneInference', () => {
  it.each(LICENSE_PAIRS.map((pair) => [pair.model, pair.code, pair] as const))(
    'model %s with code %s',
    (_model, _code, pair) => {
      const verdict = checkFineTuneInference(license(pair.model), license(pair.code));
      expect(verdict.compatible, verdict.reason).toBe(pair.compatible);
      expect(verdict.reason).toMatch(pair.compatible ? /^Compatible/ : /^Not compatible/);
    },
  );

  it('names the clash of Apache-2.0 with a GPL-2.0-only program', () => {
    const { reason } = checkFineTuneInference(normalizeLicense('apache-2.0'), normalizeLicense('GPL-2.0'));
    expect(reason).toContain('GPL-2.0-only requires one program');
    expect(reason).toContain('Apache-2.0 cannot be placed under that');
  });

  it('states the duties that come with a compatible pair', () => {
    const agpl = checkFineTuneInference(normalizeLicense('apache-2.0'), normalizeLicense('AGPL-3.0')).reason;
    expect(agpl).toContain('under AGPL-3.0');
    expect(agpl).toContain('over a network');
    const rail = checkFineTuneInference(normalizeLicense('openrail'), normalizeLicense('MIT')).reason;
    expect(rail).toContain("OpenRAIL's use restrictions");
    const bySa = checkFineTuneInference(normalizeLicense('cc-by-sa-4.0'), normalizeLicense('MIT')).reason;
    expect(bySa).toContain('fine-tuned model, shared on its own, stays under CC-BY-SA-4.0');
  });

  it('says when a compatible pair is for non-commercial use only', () => {
    const { compatible, reason } = checkFineTuneInference(
      normalizeLicense('cc-by-nc-4.0'),
      normalizeLicense('MIT'),
    );
    expect(compatible).toBe(true);
    expect(reason).toContain('non-commercial use only');
  });

  it('prefers the choice of an OR that allows commercial use', () => {
    const { reason } = checkFineTuneInference(
      normalizeLicense('cc-by-nc-4.0 OR apache-2.0'),
      normalizeLicense('MIT'),
    );
    expect(reason).not.toContain('non-commercial');
    expect(reason).toContain('the choice Apache-2.0');
  });

  it('uses the code side choices too', () => {
    const verdict = checkFineTuneInference(
      normalizeLicense('apache-2.0'),
      normalizeLicense('GPL-2.0-only OR MIT'),
    );
    expect(verdict.compatible).toBe(true);
    expect(verdict.reason).toContain('the choice MIT');
  });
});

describe('docs/licenses.md', () => {
  /** The pair table between the markers, one case per row. */
  function documentedPairs(): LicensePairCase[] {
    const doc = readFileSync(new URL('../../../docs/licenses.md', import.meta.url), 'utf8');
    const table = doc.split('<!-- license-pairs:start -->')[1]?.split('<!-- license-pairs:end -->')[0] ?? '';
    return table
      .split('\n')
      .filter((line) => /^\|\s*\d+\s*\|/.test(line))
      .map((line) => {
        const [, model, code, verdict, why] = line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim().replace(/^`|`$/g, ''));
        return { model: model ?? '', code: code ?? '', compatible: verdict === 'yes', why: why ?? '' };
      });
  }

  it('shows exactly the pair table the tests check', () => {
    expect(documentedPairs()).toEqual(LICENSE_PAIRS);
    expect(LICENSE_PAIRS.length).toBeGreaterThanOrEqual(20);
  });
});
