import { type LicenseTerms, licenseById } from './catalog.js';
import type { NormalizedLicense } from './normalize.js';
import { type ProgramLicense, programLicense } from './regimes.js';

/**
 * Two questions about licenses, both answered from rule tables (docs/licenses.md gives the reasoning):
 * - the rating metric `license`: how freely can the company use, fine-tune and ship a model next to
 *   its own code, which is LGPL-2.1-or-later;
 * - the license check: can a GitHub project's code fine-tune a model and run inference with it, and
 *   the result be used and shipped, without the two licenses' obligations conflicting?
 */

/** The license of the company's own code, the other side of every rating. */
export const COMPANY_CODE_LICENSE = licenseById('LGPL-2.1-or-later');

export interface ScoreRule {
  id: string;
  score: number;
  applies(terms: LicenseTerms): boolean;
  reason(terms: LicenseTerms): string;
}

/** Checked in order against each license of a choice; the first that applies scores it. */
export const LGPL_SCORE_RULES: readonly ScoreRule[] = [
  {
    id: 'no-license',
    score: 0,
    applies: (t) => t.family === 'none',
    reason: () => 'The model has no license, so all rights are reserved.',
  },
  {
    id: 'unidentified',
    score: 0,
    applies: (t) => t.family === 'unknown',
    reason: () =>
      'The model’s license is custom or unidentified; its rights cannot be established automatically.',
  },
  {
    id: 'proprietary',
    score: 0,
    applies: (t) => t.family === 'proprietary',
    reason: (t) => `${t.id}: proprietary terms grant no public right to use the model.`,
  },
  {
    id: 'non-commercial',
    score: 0,
    applies: (t) => !t.commercialUse,
    reason: (t) => `${t.id} allows non-commercial use only, and the company’s use is commercial.`,
  },
  {
    id: 'no-derivatives',
    score: 0,
    applies: (t) => !t.modification || !t.derivativeDistribution,
    reason: (t) => `${t.id} forbids sharing a fine-tuned version of the model.`,
  },
  {
    id: 'network-copyleft',
    score: 0.5,
    applies: (t) => t.copyleft === 'network',
    reason: (t) =>
      `${t.id} puts the whole program that runs the model under its terms, and serving it over a network already owes users the source of the company’s code.`,
  },
  {
    id: 'whole-program-copyleft',
    score: 0.7,
    applies: (t) => t.copyleft === 'whole-work',
    reason: (t) =>
      `${t.id} is compatible with the company’s LGPL-2.1-or-later code, but shipping them together puts the whole product under ${t.id}, giving up the LGPL’s freedom to link non-free code.`,
  },
  {
    id: 'use-policy-with-exclusions',
    score: 0.5,
    applies: (t) => t.useRestrictions === 'acceptable-use-plus-exclusions',
    reason: (t) =>
      `${t.id} allows commercial use and fine-tuning, but under a passed-on use policy plus exclusions of whole uses or users. ${t.reasoning}`,
  },
  {
    id: 'use-policy-with-controls',
    score: 0.6,
    applies: (t) => t.useRestrictions === 'acceptable-use-plus-controls',
    reason: (t) =>
      `${t.id} allows commercial use and fine-tuning, but under a passed-on use policy plus licensor controls. ${t.reasoning}`,
  },
  {
    id: 'use-policy',
    score: 0.7,
    applies: (t) => t.useRestrictions === 'acceptable-use',
    reason: (t) =>
      `${t.id} allows commercial use and fine-tuning under a list of forbidden uses that must be passed on to every user.`,
  },
  {
    id: 'open',
    score: 1,
    applies: () => true,
    reason: (t) =>
      t.copyleft === 'none'
        ? `${t.id} lets the company use, fine-tune and ship the model freely${t.attribution ? ', keeping its notices' : ''}.`
        : `${t.id}'s copyleft stays with the model's own ${t.copyleft === 'adaptation' ? 'adaptations (the fine-tuned model)' : 'files'}; the company's LGPL code is untouched.`,
  },
];

export function scoreForLgplProject(license: NormalizedLicense): { score: number; reason: string } {
  const scored = license.options.map(scoreChoice);
  const best = scored.reduce((a, b) => (b.score > a.score ? b : a));
  return {
    score: best.score,
    reason: withUnrecognized(license, 'model', withChoice(license, best.choice, best.reason)),
  };
}

function scoreChoice(choice: readonly LicenseTerms[]): {
  score: number;
  reason: string;
  choice: readonly LicenseTerms[];
} {
  const perLicense = choice.map((terms) => {
    const rule = LGPL_SCORE_RULES.find((candidate) => candidate.applies(terms)) as ScoreRule;
    return { score: rule.score, reason: rule.reason(terms) };
  });
  const worst = perLicense.reduce((a, b) => (b.score < a.score ? b : a));
  if (worst.score === 0) return { ...worst, choice };
  const program = programLicense([...choice, COMPANY_CODE_LICENSE]);
  if (!program.ok) {
    return {
      score: 0,
      reason: `The model cannot ship in one program with the company’s ${COMPANY_CODE_LICENSE.id} code: ${programConflict(program, [...choice, COMPANY_CODE_LICENSE])}`,
      choice,
    };
  }
  return { ...worst, choice };
}

export interface Verdict {
  compatible: boolean;
  reason: string;
}

interface Pair {
  model: readonly LicenseTerms[];
  code: readonly LicenseTerms[];
  program: ProgramLicense;
}

export interface PairRule {
  id: string;
  /** The conflict this rule finds in a pair, or null when it holds. */
  conflict(pair: Pair): string | null;
}

/** Both sides must grant rights at all before anything else can be judged. */
function rightsRules(side: 'model' | 'code'): PairRule[] {
  const has = (pair: Pair, family: LicenseTerms['family']) => pair[side].some((t) => t.family === family);
  return [
    {
      id: `${side}-licensed`,
      conflict: (pair) =>
        has(pair, 'none') ? `The ${side} has no license, so nothing grants the right to use it.` : null,
    },
    {
      id: `${side}-identified`,
      conflict: (pair) =>
        has(pair, 'unknown')
          ? `The ${side}'s license is custom or unidentified, so its rights cannot be established automatically.`
          : null,
    },
    {
      id: `${side}-not-proprietary`,
      conflict: (pair) =>
        has(pair, 'proprietary')
          ? `The ${side} is under proprietary terms that grant no public rights.`
          : null,
    },
  ];
}

/** Checked in order; the first conflict decides the verdict. */
export const FINE_TUNE_RULES: readonly PairRule[] = [
  ...rightsRules('model'),
  ...rightsRules('code'),
  {
    id: 'model-allows-fine-tuning',
    conflict: ({ model }) => {
      const refusing = model.find((t) => !t.modification);
      return refusing
        ? `${refusing.id} does not allow changing the model, so it cannot be fine-tuned.`
        : null;
    },
  },
  {
    id: 'model-allows-sharing-the-fine-tune',
    conflict: ({ model }) => {
      const refusing = model.find((t) => !t.derivativeDistribution);
      return refusing
        ? `${refusing.id} forbids sharing a changed model, so the fine-tuned result cannot be shipped.`
        : null;
    },
  },
  {
    id: 'one-program',
    conflict: ({ model, code, program }) =>
      program.ok ? null : programConflict(program, [...model, ...code]),
  },
];

export function checkFineTuneInference(model: NormalizedLicense, code: NormalizedLicense): Verdict {
  const judged = model.options.flatMap((modelChoice) =>
    code.options.map((codeChoice) => judgePair(modelChoice, codeChoice)),
  );
  const compatible = judged.filter((j) => j.compatible).sort((a, b) => burden(a.pair) - burden(b.pair));
  const best = compatible[0] ?? (judged[0] as (typeof judged)[number]);
  let reason = withChoice(model, best.pair.model, withChoice(code, best.pair.code, best.reason));
  reason = withUnrecognized(code, 'code', withUnrecognized(model, 'model', reason));
  return { compatible: best.compatible, reason };
}

function judgePair(model: readonly LicenseTerms[], code: readonly LicenseTerms[]) {
  const pair: Pair = { model, code, program: programLicense([...model, ...code]) };
  for (const rule of FINE_TUNE_RULES) {
    const conflict = rule.conflict(pair);
    if (conflict) return { pair, compatible: false, reason: `Not compatible: ${conflict}` };
  }
  return {
    pair,
    compatible: true,
    reason: ['Compatible for fine-tuning and inference/generation.', ...obligations(pair)].join(' '),
  };
}

/** Among compatible choices prefer commercial use, then fewer use restrictions, then fewer duties. */
function burden(pair: Pair): number {
  const all = [...pair.model, ...pair.code];
  return (
    (all.some((t) => !t.commercialUse) ? 100 : 0) +
    (all.some((t) => t.useRestrictions !== 'none') ? 10 : 0) +
    all.filter((t) => t.copyleft !== 'none').length +
    (pair.program.ok && pair.program.regime ? 1 : 0)
  );
}

/** What the company must do to keep both licenses, in plain words. */
function obligations({ model, code, program }: Pair): string[] {
  const duties: string[] = [];
  if (program.ok && program.regime) {
    const network = ['AGPL-3.0', 'OSL-3.0'].includes(program.regime);
    duties.push(
      `Shipped together, the program must go out under ${program.regime}${network ? ', and users reaching it over a network are owed its source' : ''}.`,
    );
  }
  for (const t of model.filter((t) => t.copyleft === 'adaptation')) {
    duties.push(`The fine-tuned model, shared on its own, stays under ${t.id}.`);
  }
  for (const t of [...model, ...code].filter((t) => t.copyleft === 'file' || t.copyleft === 'library')) {
    duties.push(`Changes to the ${t.id} ${t.copyleft === 'file' ? 'files' : 'library'} stay under ${t.id}.`);
  }
  for (const t of [...model, ...code].filter((t) => t.useRestrictions !== 'none')) {
    duties.push(
      `${t.id}'s use restrictions bind every use and pass on to the fine-tuned model and its users.`,
    );
  }
  const nonCommercial = [...model, ...code].filter((t) => !t.commercialUse);
  if (nonCommercial.length > 0) {
    duties.push(
      `${names(nonCommercial)} ${nonCommercial.length === 1 ? 'allows' : 'allow'} non-commercial use only: the licenses fit together, but not for the company's commercial use (the license rating scores this 0).`,
    );
  }
  const credited = [...model, ...code].filter((t) => t.attribution);
  if (credited.length > 0) duties.push(`Keep the notices required by ${names(credited)}.`);
  return duties;
}

function programConflict(program: ProgramLicense & { ok: false }, parts: readonly LicenseTerms[]): string {
  const demanding = parts.filter((t) => t.demands.length > 0);
  if (program.demanded.length === 0) {
    const ids = [...new Set(demanding.map((t) => t.id))];
    return `${ids.slice(0, -1).join(', ')} and ${ids.at(-1)} each require the whole program under their own terms, and no license satisfies ${ids.length === 2 ? 'both' : 'all of them'}.`;
  }
  const plural = new Set(demanding.map((t) => t.id)).size > 1;
  return `${names(demanding)} require${plural ? '' : 's'} one program built with ${plural ? 'them' : 'it'} to go out under ${program.demanded.join(' or ')} with nothing added, and ${names(program.blockers)} cannot be placed under that.`;
}

function names(terms: readonly LicenseTerms[]): string {
  return [...new Set(terms.map((t) => t.id))].join(', ');
}

/** Say which choice of an `OR` expression the verdict rests on. */
function withChoice(license: NormalizedLicense, choice: readonly LicenseTerms[], reason: string): string {
  if (license.options.length < 2) return reason;
  return `${reason} (Of "${license.expression}", the choice ${names(choice)} is the most favourable.)`;
}

/** Custom license text is worth showing to whoever reviews it by hand. */
function withUnrecognized(license: NormalizedLicense, side: 'model' | 'code', reason: string): string {
  if (license.unrecognized.length === 0) return reason;
  return `${reason} (Unrecognized ${side} license: ${license.unrecognized.map((text) => `"${text}"`).join(', ')}.)`;
}
