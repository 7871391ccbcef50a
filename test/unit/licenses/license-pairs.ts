/**
 * License pairs and the verdicts the fine-tune/inference check must give. docs/licenses.md shows the
 * same table (a test keeps the two identical). `(none)` stands for a missing license.
 */
export interface LicensePairCase {
  /** The model's license as a Hugging Face card states it. */
  model: string;
  /** The GitHub project's license as GitHub reports it. */
  code: string;
  compatible: boolean;
  why: string;
}

export const NO_LICENSE_CELL = '(none)';

export const LICENSE_PAIRS: readonly LicensePairCase[] = [
  { model: 'apache-2.0', code: 'MIT', compatible: true, why: 'Both permissive; keep the notices.' },
  { model: 'mit', code: 'Apache-2.0', compatible: true, why: 'Both permissive; keep the notices.' },
  { model: 'bsd-3-clause', code: 'BSD-2-Clause', compatible: true, why: 'Both permissive.' },
  {
    model: 'apache-2.0',
    code: 'GPL-3.0',
    compatible: true,
    why: 'Apache-2.0 may sit inside a GPL-3.0 program.',
  },
  {
    model: 'apache-2.0',
    code: 'GPL-2.0',
    compatible: false,
    why: 'A GPL-2.0-only program cannot carry Apache-2.0’s patent terms.',
  },
  {
    model: 'apache-2.0',
    code: 'GPL-2.0-or-later',
    compatible: true,
    why: 'The program goes out under GPL-3.0, which accepts Apache-2.0.',
  },
  { model: 'mit', code: 'GPL-2.0', compatible: true, why: 'MIT fits inside any program.' },
  {
    model: 'apache-2.0',
    code: 'AGPL-3.0',
    compatible: true,
    why: 'Program under AGPL-3.0; its source is owed to network users.',
  },
  {
    model: 'apache-2.0',
    code: 'LGPL-2.1',
    compatible: true,
    why: 'LGPL copyleft stays with the code’s own library.',
  },
  { model: 'gpl-3.0', code: 'MIT', compatible: true, why: 'Program under GPL-3.0; MIT fits inside.' },
  {
    model: 'gpl-3.0',
    code: 'GPL-2.0',
    compatible: false,
    why: 'GPL-3.0 and GPL-2.0-only each demand the whole program.',
  },
  {
    model: 'agpl-3.0',
    code: 'GPL-3.0',
    compatible: true,
    why: 'GPL-3.0 section 13 allows one program with AGPL-3.0 parts.',
  },
  {
    model: 'lgpl-3.0',
    code: 'GPL-2.0',
    compatible: false,
    why: 'LGPL-3.0 can only move to GPL-3.0, not GPL-2.0-only.',
  },
  {
    model: 'mpl-2.0',
    code: 'GPL-2.0',
    compatible: true,
    why: 'MPL-2.0 names GPL-2.0 or later as a secondary license.',
  },
  {
    model: 'openrail',
    code: 'MIT',
    compatible: true,
    why: 'Use restrictions pass on; MIT asks nothing that conflicts.',
  },
  {
    model: 'creativeml-openrail-m',
    code: 'GPL-3.0',
    compatible: false,
    why: 'Use restrictions are further restrictions the GPL forbids.',
  },
  {
    model: 'llama3.1',
    code: 'Apache-2.0',
    compatible: true,
    why: 'Llama terms pass on; Apache-2.0 reaches only its own code.',
  },
  {
    model: 'llama2',
    code: 'AGPL-3.0',
    compatible: false,
    why: 'The AGPL forbids adding Llama’s use restrictions.',
  },
  {
    model: 'gemma',
    code: 'MPL-2.0',
    compatible: true,
    why: 'MPL copyleft stays with its own files.',
  },
  {
    model: 'cc-by-nc-4.0',
    code: 'MIT',
    compatible: true,
    why: 'The licenses fit, for non-commercial use only.',
  },
  {
    model: 'cc-by-nc-4.0',
    code: 'GPL-3.0',
    compatible: false,
    why: 'Non-commercial is a further restriction the GPL forbids.',
  },
  {
    model: 'cc-by-sa-4.0',
    code: 'GPL-3.0',
    compatible: true,
    why: 'BY-SA 4.0 is one-way compatible with GPL-3.0.',
  },
  {
    model: 'cc-by-sa-4.0',
    code: 'GPL-2.0',
    compatible: false,
    why: 'BY-SA 4.0 cannot go under GPL-2.0-only.',
  },
  {
    model: 'cc-by-nd-4.0',
    code: 'MIT',
    compatible: false,
    why: 'The fine-tuned model may not be shared.',
  },
  { model: NO_LICENSE_CELL, code: 'MIT', compatible: false, why: 'No license grants no rights.' },
  { model: 'apache-2.0', code: NO_LICENSE_CELL, compatible: false, why: 'Unlicensed code grants no rights.' },
  {
    model: 'other',
    code: 'Apache-2.0',
    compatible: false,
    why: 'A custom model license needs a human review.',
  },
  {
    model: 'apache-2.0',
    code: 'NOASSERTION',
    compatible: false,
    why: 'GitHub could not identify the code’s license.',
  },
  {
    model: 'MIT OR GPL-3.0',
    code: 'GPL-2.0',
    compatible: true,
    why: 'The MIT choice fits a GPL-2.0 program.',
  },
  {
    model: 'gpl-2.0',
    code: 'Apache-2.0 WITH LLVM-exception',
    compatible: true,
    why: 'The LLVM exception lets Apache-2.0 join GPL-2.0.',
  },
  {
    model: 'osl-3.0',
    code: 'Apache-2.0',
    compatible: true,
    why: 'Program under OSL-3.0; Apache-2.0 fits inside.',
  },
  {
    model: 'osl-3.0',
    code: 'GPL-3.0',
    compatible: false,
    why: 'OSL-3.0 and GPL-3.0 each demand the whole program.',
  },
  {
    model: 'llama3',
    code: 'CC-BY-NC-4.0',
    compatible: true,
    why: 'Restrictions stack, for non-commercial use only.',
  },
];
