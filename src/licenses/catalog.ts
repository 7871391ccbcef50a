/**
 * What ModelGuard knows about each license family, kept as data. Every row says what the license
 * lets a company do with a model or with code (commercial use, fine-tuning, sharing the result),
 * what it asks in return (attribution, copyleft, use restrictions) and, for copyleft, how far it
 * reaches. docs/licenses.md explains the columns and the reasoning; the rules that read this table
 * live in compatibility.ts.
 */

export type LicenseFamily =
  | 'permissive'
  | 'public-domain'
  | 'weak-copyleft'
  | 'strong-copyleft'
  | 'network-copyleft'
  | 'use-restricted'
  | 'non-commercial'
  /** Sharing is allowed, sharing changed versions (a fine-tuned model) is not. */
  | 'no-derivatives'
  | 'proprietary'
  | 'unknown'
  /** No license at all: all rights reserved by default. */
  | 'none';

/**
 * How far the license's share-alike duty reaches:
 * - `file`: changed files stay under it (MPL, EPL);
 * - `library`: the library stays under it, programs using it may not (LGPL);
 * - `adaptation`: adapted material, e.g. a fine-tuned model, stays under it; material merely placed
 *   beside it does not (CC BY-SA, ODbL, GFDL);
 * - `whole-work`: one program built with it is distributed under it (GPL);
 * - `network`: as `whole-work`, and serving the program over a network counts as distributing (AGPL, OSL).
 */
export type CopyleftScope = 'none' | 'file' | 'library' | 'adaptation' | 'whole-work' | 'network';

/**
 * Restrictions on how the model may be used, in increasing weight:
 * - `acceptable-use`: a list of forbidden uses that must be passed on to every downstream user (OpenRAIL);
 * - `acceptable-use-plus-controls`: that, plus licensor controls such as a cap on monthly users,
 *   mandatory naming/branding or a right to restrict use remotely (Llama 3.1, Gemma);
 * - `acceptable-use-plus-exclusions`: that, plus whole uses or users excluded, such as using outputs
 *   to improve other models or entities in some regions (Llama 2, Llama 3.2).
 */
export type UseRestrictions =
  | 'none'
  | 'acceptable-use'
  | 'acceptable-use-plus-controls'
  | 'acceptable-use-plus-exclusions';

/**
 * A license under which one combined program (code plus model) can be distributed when a copyleft
 * license reaches the whole program. Only licenses that demand that are listed.
 */
export type Regime = 'GPL-2.0' | 'GPL-3.0' | 'AGPL-3.0' | 'OSL-3.0';

/** The regimes a license may be placed inside, as an allow-list or as "all except". */
export type RegimeFit = { readonly anyExcept: readonly Regime[] } | { readonly only: readonly Regime[] };

export interface LicenseTerms {
  /** SPDX id when one exists, otherwise a `LicenseRef-` name. */
  id: string;
  name: string;
  /** SPDX ids (current and deprecated) that mean this license. */
  spdx: readonly string[];
  /** Lower-case spellings seen in Hugging Face card metadata, GitHub and by hand. */
  aliases: readonly string[];
  family: LicenseFamily;
  commercialUse: boolean;
  /** May the work be changed, e.g. a model fine-tuned? */
  modification: boolean;
  /** May changed versions (a fine-tuned model) be shared? */
  derivativeDistribution: boolean;
  copyleft: CopyleftScope;
  useRestrictions: UseRestrictions;
  attribution: boolean;
  /** Regimes one of which a program containing this work must be distributed under; empty when the license does not reach the whole program. */
  demands: readonly Regime[];
  /** Regimes this work may be distributed inside. */
  fitsInto: RegimeFit;
  reasoning: string;
}

type Row = Omit<LicenseTerms, 'id' | 'name' | 'spdx' | 'aliases' | 'reasoning'>;

const FITS_ANY: RegimeFit = { anyExcept: [] };
/** FSF and the license stewards agree these join GPL-3.0 works but not GPL-2.0-only ones. */
const FITS_ALL_BUT_GPL2: RegimeFit = { anyExcept: ['GPL-2.0'] };
const GPL2_UP: readonly Regime[] = ['GPL-2.0', 'GPL-3.0', 'AGPL-3.0'];
const GPL3_UP: readonly Regime[] = ['GPL-3.0', 'AGPL-3.0'];
const FITS_GPL2_UP: RegimeFit = { only: GPL2_UP };
const FITS_GPL3_UP: RegimeFit = { only: GPL3_UP };
/** Incompatible with every copyleft regime, or compatibility was never established (we do not guess). */
const FITS_NONE: RegimeFit = { only: [] };

const PERMISSIVE: Row = {
  family: 'permissive',
  commercialUse: true,
  modification: true,
  derivativeDistribution: true,
  copyleft: 'none',
  useRestrictions: 'none',
  attribution: true,
  demands: [],
  fitsInto: FITS_ANY,
};
const PUBLIC_DOMAIN: Row = { ...PERMISSIVE, family: 'public-domain', attribution: false };
const WEAK_COPYLEFT: Row = { ...PERMISSIVE, family: 'weak-copyleft', copyleft: 'file', fitsInto: FITS_NONE };
const STRONG_COPYLEFT: Row = { ...PERMISSIVE, family: 'strong-copyleft', copyleft: 'whole-work' };
const USE_RESTRICTED: Row = {
  ...PERMISSIVE,
  family: 'use-restricted',
  useRestrictions: 'acceptable-use',
  // GPL-family licenses forbid adding restrictions to what recipients may do.
  fitsInto: FITS_NONE,
};
const NON_COMMERCIAL: Row = {
  ...PERMISSIVE,
  family: 'non-commercial',
  commercialUse: false,
  fitsInto: FITS_NONE,
};
const NO_RIGHTS: Row = {
  ...PERMISSIVE,
  commercialUse: false,
  modification: false,
  derivativeDistribution: false,
  attribution: false,
  fitsInto: FITS_NONE,
};

export const LICENSE_CATALOG: readonly LicenseTerms[] = [
  // Permissive
  {
    ...PERMISSIVE,
    id: 'MIT',
    name: 'MIT License',
    spdx: ['MIT'],
    aliases: ['mit', 'expat', 'mit license'],
    reasoning: 'Do anything, keep the copyright notice; joins any program, GPL included.',
  },
  {
    ...PERMISSIVE,
    fitsInto: FITS_ALL_BUT_GPL2,
    id: 'Apache-2.0',
    name: 'Apache License 2.0',
    spdx: ['Apache-2.0'],
    aliases: ['apache-2.0', 'apache 2.0', 'apache2', 'apache license 2.0'],
    reasoning:
      'Permissive with a patent grant; its patent-termination and indemnity terms are extra restrictions under GPL-2.0, so it joins GPL-3.0 programs but not GPL-2.0-only ones.',
  },
  {
    ...PERMISSIVE,
    fitsInto: FITS_ALL_BUT_GPL2,
    id: 'ECL-2.0',
    name: 'Educational Community License 2.0',
    spdx: ['ECL-2.0'],
    aliases: ['ecl-2.0'],
    reasoning: 'Apache-2.0 with a narrower patent grant; treated like Apache-2.0.',
  },
  {
    ...PERMISSIVE,
    id: 'BSD-2-Clause',
    name: 'BSD 2-Clause License',
    spdx: ['BSD-2-Clause', 'BSD-2-Clause-FreeBSD', 'BSD-2-Clause-NetBSD'],
    aliases: ['bsd-2-clause'],
    reasoning: 'Keep the notice; joins any program.',
  },
  {
    ...PERMISSIVE,
    id: 'BSD-3-Clause',
    name: 'BSD 3-Clause License',
    spdx: ['BSD-3-Clause'],
    aliases: ['bsd-3-clause', 'bsd'],
    reasoning:
      'Keep the notice, do not use the authors’ names to endorse; joins any program. A bare "bsd" on a card is read as this, the common variant.',
  },
  {
    ...PERMISSIVE,
    id: 'BSD-3-Clause-Clear',
    name: 'BSD 3-Clause Clear License',
    spdx: ['BSD-3-Clause-Clear'],
    aliases: ['bsd-3-clause-clear'],
    reasoning: 'BSD-3-Clause that expressly grants no patent rights; still GPL-compatible.',
  },
  {
    ...PERMISSIVE,
    id: 'ISC',
    name: 'ISC License',
    spdx: ['ISC'],
    aliases: ['isc'],
    reasoning: 'MIT-like; joins any program.',
  },
  {
    ...PERMISSIVE,
    id: 'Zlib',
    name: 'zlib License',
    spdx: ['Zlib'],
    aliases: ['zlib'],
    reasoning: 'Permissive; altered versions must be marked as such; joins any program.',
  },
  {
    ...PERMISSIVE,
    id: 'BSL-1.0',
    name: 'Boost Software License 1.0',
    spdx: ['BSL-1.0'],
    aliases: ['bsl-1.0', 'boost'],
    reasoning: 'Permissive; the notice is needed only in source copies; joins any program.',
  },
  {
    ...PERMISSIVE,
    id: 'PostgreSQL',
    name: 'PostgreSQL License',
    spdx: ['PostgreSQL'],
    aliases: ['postgresql'],
    reasoning: 'MIT-like; joins any program.',
  },
  {
    ...PERMISSIVE,
    id: 'NCSA',
    name: 'University of Illinois/NCSA Open Source License',
    spdx: ['NCSA'],
    aliases: ['ncsa'],
    reasoning: 'BSD-like; joins any program.',
  },
  {
    ...PERMISSIVE,
    id: 'Artistic-2.0',
    name: 'Artistic License 2.0',
    spdx: ['Artistic-2.0'],
    aliases: ['artistic-2.0'],
    reasoning:
      'Changed versions must be renamed or made freely available, and it may be relicensed under a copyleft license, so it joins GPL programs.',
  },
  {
    ...PERMISSIVE,
    fitsInto: { only: ['OSL-3.0'] },
    id: 'AFL-3.0',
    name: 'Academic Free License 3.0',
    spdx: ['AFL-3.0'],
    aliases: ['afl-3.0'],
    reasoning:
      'Permissive, but its patent-termination and attribution terms make it GPL-incompatible; it is the non-reciprocal sibling of OSL-3.0.',
  },
  {
    ...PERMISSIVE,
    id: 'CC-BY-4.0',
    name: 'Creative Commons Attribution 4.0',
    spdx: ['CC-BY-4.0'],
    aliases: ['cc-by-4.0'],
    reasoning: 'Credit the author; the FSF lists it as compatible with the GPL.',
  },
  {
    ...PERMISSIVE,
    fitsInto: FITS_NONE,
    id: 'CC-BY-3.0',
    name: 'Creative Commons Attribution 3.0 and earlier',
    spdx: ['CC-BY-3.0', 'CC-BY-2.5', 'CC-BY-2.0', 'CC-BY-1.0'],
    aliases: ['cc-by-3.0', 'cc-by-2.5', 'cc-by-2.0'],
    reasoning:
      'Credit the author; GPL compatibility was only established for version 4.0, so it is not assumed here.',
  },
  {
    ...PERMISSIVE,
    fitsInto: FITS_NONE,
    id: 'CDLA-Permissive-2.0',
    name: 'Community Data License Agreement – Permissive',
    spdx: ['CDLA-Permissive-2.0', 'CDLA-Permissive-1.0'],
    aliases: ['cdla-permissive-2.0', 'cdla-permissive-1.0'],
    reasoning:
      'Data license: share with the license text, results of computation are free; never assessed for GPL compatibility.',
  },
  {
    ...PERMISSIVE,
    fitsInto: FITS_NONE,
    id: 'ODC-By-1.0',
    name: 'Open Data Commons Attribution License',
    spdx: ['ODC-By-1.0'],
    aliases: ['odc-by', 'odc-by-1.0'],
    reasoning: 'Data license asking for attribution; never assessed for GPL compatibility.',
  },

  // Public domain and equivalents
  {
    ...PUBLIC_DOMAIN,
    id: 'CC0-1.0',
    name: 'Creative Commons Zero 1.0',
    spdx: ['CC0-1.0'],
    aliases: ['cc0-1.0', 'cc0'],
    reasoning: 'Waives all rights where the law allows; no conditions.',
  },
  {
    ...PUBLIC_DOMAIN,
    id: 'Unlicense',
    name: 'The Unlicense',
    spdx: ['Unlicense'],
    aliases: ['unlicense'],
    reasoning: 'Dedication to the public domain with a permissive fallback; no conditions.',
  },
  {
    ...PUBLIC_DOMAIN,
    id: 'PDDL-1.0',
    name: 'Open Data Commons Public Domain Dedication and License',
    spdx: ['PDDL-1.0'],
    aliases: ['pddl', 'pddl-1.0'],
    reasoning: 'Public-domain dedication for data; no conditions.',
  },
  {
    ...PUBLIC_DOMAIN,
    id: 'WTFPL',
    name: 'Do What The F*ck You Want To Public License',
    spdx: ['WTFPL'],
    aliases: ['wtfpl'],
    reasoning: 'Grants everything and asks nothing; treated as public domain.',
  },
  {
    ...PUBLIC_DOMAIN,
    id: '0BSD',
    name: 'BSD Zero Clause License',
    spdx: ['0BSD'],
    aliases: ['0bsd'],
    reasoning: 'Permission without even a notice requirement.',
  },

  // Weak copyleft
  {
    ...WEAK_COPYLEFT,
    copyleft: 'library',
    fitsInto: FITS_GPL2_UP,
    id: 'LGPL-2.1-only',
    name: 'GNU Lesser General Public License 2.1 (only)',
    spdx: ['LGPL-2.1-only', 'LGPL-2.1', 'LGPL-2.0-only', 'LGPL-2.0'],
    aliases: ['lgpl-2.1'],
    reasoning:
      'The library and changes to it stay LGPL; programs using it may be under other terms. May be converted to GPL-2.0 or later, so it joins GPL programs.',
  },
  {
    ...WEAK_COPYLEFT,
    copyleft: 'library',
    fitsInto: FITS_GPL2_UP,
    id: 'LGPL-2.1-or-later',
    name: 'GNU Lesser General Public License 2.1 or later',
    spdx: ['LGPL-2.1-or-later', 'LGPL-2.0-or-later'],
    aliases: ['lgpl', 'lgpl-2.1-or-later', 'lgpl-2.1+'],
    reasoning:
      'As LGPL-2.1, and it may also move to LGPL-3.0, which accepts Apache-2.0 code inside the library itself. ModelGuard’s own license.',
  },
  {
    ...WEAK_COPYLEFT,
    copyleft: 'library',
    fitsInto: FITS_GPL3_UP,
    id: 'LGPL-3.0',
    name: 'GNU Lesser General Public License 3.0',
    spdx: ['LGPL-3.0-only', 'LGPL-3.0-or-later', 'LGPL-3.0'],
    aliases: ['lgpl-3.0'],
    reasoning: 'Library-scope copyleft built on GPL-3.0; joins GPL-3.0 programs but not GPL-2.0-only ones.',
  },
  {
    ...WEAK_COPYLEFT,
    fitsInto: FITS_GPL2_UP,
    id: 'MPL-2.0',
    name: 'Mozilla Public License 2.0',
    spdx: ['MPL-2.0'],
    aliases: ['mpl-2.0'],
    reasoning:
      'Changed files stay MPL, the rest of a larger work is free; names GPL-2.0+, LGPL-2.1+ and AGPL-3.0+ as secondary licenses, so it joins GPL programs.',
  },
  {
    ...WEAK_COPYLEFT,
    id: 'EPL-2.0',
    name: 'Eclipse Public License',
    spdx: ['EPL-2.0', 'EPL-1.0'],
    aliases: ['epl-2.0', 'epl-1.0'],
    reasoning:
      'Changed modules stay EPL; GPL-incompatible unless the author names GPL as a secondary license, which a card cannot tell us.',
  },
  {
    ...WEAK_COPYLEFT,
    id: 'MS-PL',
    name: 'Microsoft Public License',
    spdx: ['MS-PL'],
    aliases: ['ms-pl'],
    reasoning: 'Source copies stay MS-PL; the FSF finds it GPL-incompatible.',
  },
  {
    ...WEAK_COPYLEFT,
    copyleft: 'adaptation',
    fitsInto: FITS_GPL3_UP,
    id: 'CC-BY-SA-4.0',
    name: 'Creative Commons Attribution-ShareAlike 4.0',
    spdx: ['CC-BY-SA-4.0'],
    aliases: ['cc-by-sa-4.0'],
    reasoning:
      'A fine-tuned model is an adaptation and must stay BY-SA; code placed beside it is not. Creative Commons declared one-way compatibility with GPL-3.0.',
  },
  {
    ...WEAK_COPYLEFT,
    copyleft: 'adaptation',
    id: 'CC-BY-SA-3.0',
    name: 'Creative Commons Attribution-ShareAlike 3.0 and earlier',
    spdx: ['CC-BY-SA-3.0', 'CC-BY-SA-2.5', 'CC-BY-SA-2.0', 'CC-BY-SA-1.0'],
    aliases: ['cc-by-sa-3.0', 'cc-by-sa-2.0'],
    reasoning: 'Adaptations stay BY-SA; the GPL-3.0 compatibility covers version 4.0 only.',
  },
  {
    ...WEAK_COPYLEFT,
    copyleft: 'adaptation',
    id: 'GFDL-1.3',
    name: 'GNU Free Documentation License',
    spdx: [
      'GFDL-1.3-only',
      'GFDL-1.3-or-later',
      'GFDL-1.3',
      'GFDL-1.2-only',
      'GFDL-1.2-or-later',
      'GFDL-1.2',
      'GFDL-1.1-only',
      'GFDL-1.1-or-later',
      'GFDL-1.1',
    ],
    aliases: ['gfdl'],
    reasoning: 'Modified versions stay GFDL; the FSF itself finds it GPL-incompatible.',
  },
  {
    ...WEAK_COPYLEFT,
    copyleft: 'adaptation',
    id: 'ODbL-1.0',
    name: 'Open Data Commons Open Database License',
    spdx: ['ODbL-1.0'],
    aliases: ['odbl', 'odbl-1.0'],
    reasoning: 'Adapted databases stay ODbL; never assessed for GPL compatibility.',
  },
  {
    ...WEAK_COPYLEFT,
    copyleft: 'adaptation',
    id: 'CDLA-Sharing-1.0',
    name: 'Community Data License Agreement – Sharing',
    spdx: ['CDLA-Sharing-1.0'],
    aliases: ['cdla-sharing-1.0'],
    reasoning: 'Shared enhanced data stays CDLA-Sharing; never assessed for GPL compatibility.',
  },

  // Strong and network copyleft
  {
    ...STRONG_COPYLEFT,
    demands: ['GPL-2.0'],
    fitsInto: { only: ['GPL-2.0'] },
    id: 'GPL-2.0-only',
    name: 'GNU General Public License 2.0 (only)',
    spdx: ['GPL-2.0-only', 'GPL-2.0', 'GPL-1.0-only', 'GPL-1.0'],
    aliases: ['gpl-2.0'],
    reasoning:
      'A program containing it is distributed under GPL-2.0 with nothing added; cannot move to version 3, so Apache-2.0 and LGPL-3.0 parts cannot join.',
  },
  {
    ...STRONG_COPYLEFT,
    demands: GPL2_UP,
    fitsInto: FITS_GPL2_UP,
    id: 'GPL-2.0-or-later',
    name: 'GNU General Public License 2.0 or later',
    spdx: ['GPL-2.0-or-later', 'GPL-1.0-or-later'],
    aliases: ['gpl', 'gpl-2.0-or-later', 'gpl-2.0+'],
    reasoning:
      'Whole-program copyleft whose "or later" lets the program go out under GPL-3.0 when a part needs it. A bare "gpl" means any version, the same choice.',
  },
  {
    ...STRONG_COPYLEFT,
    demands: GPL3_UP,
    fitsInto: FITS_GPL3_UP,
    id: 'GPL-3.0',
    name: 'GNU General Public License 3.0',
    spdx: ['GPL-3.0-only', 'GPL-3.0-or-later', 'GPL-3.0'],
    aliases: ['gpl-3.0'],
    reasoning:
      'A program containing it is distributed under GPL-3.0 with nothing added; section 13 lets it be combined with AGPL-3.0 parts.',
  },
  {
    ...STRONG_COPYLEFT,
    family: 'network-copyleft',
    copyleft: 'network',
    demands: ['AGPL-3.0'],
    fitsInto: { only: ['AGPL-3.0'] },
    id: 'AGPL-3.0',
    name: 'GNU Affero General Public License 3.0',
    spdx: ['AGPL-3.0-only', 'AGPL-3.0-or-later', 'AGPL-3.0'],
    aliases: ['agpl-3.0'],
    reasoning:
      'GPL-3.0 plus: users who interact with the program over a network are owed its source, so serving inference counts.',
  },
  {
    ...STRONG_COPYLEFT,
    family: 'network-copyleft',
    copyleft: 'network',
    demands: ['OSL-3.0'],
    fitsInto: { only: ['OSL-3.0'] },
    id: 'OSL-3.0',
    name: 'Open Software License 3.0',
    spdx: ['OSL-3.0'],
    aliases: ['osl-3.0'],
    reasoning:
      'Derivative works stay OSL and external deployment counts as distribution; GPL-incompatible, so only permissive parts can join.',
  },

  // Use-restricted model licenses
  {
    ...USE_RESTRICTED,
    id: 'OpenRAIL',
    name: 'Open Responsible AI License (generic)',
    spdx: [],
    aliases: ['openrail', 'openrail-m'],
    reasoning:
      'Royalty-free, commercial use and derivatives allowed; a list of forbidden uses binds every user and must be passed on with derivatives and in services.',
  },
  {
    ...USE_RESTRICTED,
    id: 'CreativeML-OpenRAIL-M',
    name: 'CreativeML Open RAIL-M',
    spdx: [],
    aliases: ['creativeml-openrail-m'],
    reasoning: 'Stable Diffusion’s OpenRAIL-M: forbidden uses passed on; outputs belong to the user.',
  },
  {
    ...USE_RESTRICTED,
    id: 'OpenRAIL++',
    name: 'CreativeML Open RAIL++-M',
    spdx: [],
    aliases: ['openrail++', 'openrail++-m'],
    reasoning: 'OpenRAIL-M as used for Stable Diffusion XL; same pass-on use restrictions.',
  },
  {
    ...USE_RESTRICTED,
    id: 'BigScience-OpenRAIL-M',
    name: 'BigScience Open RAIL-M',
    spdx: [],
    aliases: ['bigscience-openrail-m'],
    reasoning: 'OpenRAIL-M for BigScience models; same pass-on use restrictions.',
  },
  {
    ...USE_RESTRICTED,
    id: 'BigCode-OpenRAIL-M',
    name: 'BigCode Open RAIL-M',
    spdx: [],
    aliases: ['bigcode-openrail-m'],
    reasoning: 'OpenRAIL-M for code models; same pass-on use restrictions.',
  },
  {
    ...USE_RESTRICTED,
    id: 'BigScience-BLOOM-RAIL-1.0',
    name: 'BigScience BLOOM RAIL 1.0',
    spdx: [],
    aliases: ['bigscience-bloom-rail-1.0'],
    reasoning:
      'The first RAIL, for BLOOM: commercial use and derivatives allowed, forbidden uses passed on to derivatives; the same weight of restriction as OpenRAIL-M.',
  },
  {
    ...USE_RESTRICTED,
    id: 'DeepSeek-License',
    name: 'DeepSeek License Agreement',
    spdx: [],
    aliases: ['deepseek', 'deepseek-license'],
    reasoning:
      'OpenRAIL-style: commercial use and derivatives allowed under a passed-on list of forbidden uses.',
  },
  {
    ...USE_RESTRICTED,
    useRestrictions: 'acceptable-use-plus-exclusions',
    id: 'Llama-2',
    name: 'Llama 2 Community License',
    spdx: [],
    aliases: ['llama2', 'llama-2', 'llama 2 community license'],
    reasoning:
      'Commercial use under 700M monthly users, acceptable use policy passed on, and outputs may not be used to improve other large language models.',
  },
  {
    ...USE_RESTRICTED,
    useRestrictions: 'acceptable-use-plus-exclusions',
    id: 'Llama-3',
    name: 'Meta Llama 3 Community License',
    spdx: [],
    aliases: ['llama3', 'llama-3'],
    reasoning:
      'As Llama 2 (user cap, passed-on use policy, outputs not for improving other models), plus "Built with Meta Llama 3" branding and "Llama 3" name prefixes.',
  },
  {
    ...USE_RESTRICTED,
    useRestrictions: 'acceptable-use-plus-controls',
    id: 'Llama-3.1',
    name: 'Llama 3.1 Community License',
    spdx: [],
    aliases: ['llama3.1', 'llama-3.1'],
    reasoning:
      'User cap, passed-on use policy, "Built with Llama" branding and "Llama" name prefixes; outputs may now train other models.',
  },
  {
    ...USE_RESTRICTED,
    useRestrictions: 'acceptable-use-plus-exclusions',
    id: 'Llama-3.2',
    name: 'Llama 3.2 Community License',
    spdx: [],
    aliases: ['llama3.2', 'llama-3.2'],
    reasoning: 'As Llama 3.1, but the multimodal models are not licensed to entities based in the EU.',
  },
  {
    ...USE_RESTRICTED,
    useRestrictions: 'acceptable-use-plus-controls',
    id: 'Llama-3.3',
    name: 'Llama 3.3 Community License',
    spdx: [],
    aliases: ['llama3.3', 'llama-3.3'],
    reasoning: 'Same terms as Llama 3.1.',
  },
  {
    ...USE_RESTRICTED,
    useRestrictions: 'acceptable-use-plus-exclusions',
    id: 'Llama-4',
    name: 'Llama 4 Community License',
    spdx: [],
    aliases: ['llama4', 'llama-4'],
    reasoning:
      'As Llama 3.2: user cap, branding, passed-on use policy and an EU exclusion for multimodal use.',
  },
  {
    ...USE_RESTRICTED,
    useRestrictions: 'acceptable-use-plus-controls',
    id: 'Gemma',
    name: 'Gemma Terms of Use',
    spdx: [],
    aliases: ['gemma', 'gemma-terms-of-use'],
    reasoning:
      'Commercial use and derivatives allowed; the prohibited use policy is passed on, and Google may restrict use remotely.',
  },

  // Non-commercial
  {
    ...NON_COMMERCIAL,
    id: 'CC-BY-NC-4.0',
    name: 'Creative Commons Attribution-NonCommercial',
    spdx: ['CC-BY-NC-4.0', 'CC-BY-NC-3.0', 'CC-BY-NC-2.5', 'CC-BY-NC-2.0', 'CC-BY-NC-1.0'],
    aliases: ['cc-by-nc-4.0', 'cc-by-nc-3.0', 'cc-by-nc-2.0'],
    reasoning: 'Adapt and share with credit, for non-commercial purposes only.',
  },
  {
    ...NON_COMMERCIAL,
    copyleft: 'adaptation',
    id: 'CC-BY-NC-SA-4.0',
    name: 'Creative Commons Attribution-NonCommercial-ShareAlike',
    spdx: ['CC-BY-NC-SA-4.0', 'CC-BY-NC-SA-3.0', 'CC-BY-NC-SA-2.5', 'CC-BY-NC-SA-2.0', 'CC-BY-NC-SA-1.0'],
    aliases: ['cc-by-nc-sa-4.0', 'cc-by-nc-sa-3.0', 'cc-by-nc-sa-2.0'],
    reasoning: 'Non-commercial only, and adaptations (a fine-tuned model) stay BY-NC-SA.',
  },
  {
    ...NON_COMMERCIAL,
    derivativeDistribution: false,
    id: 'CC-BY-NC-ND-4.0',
    name: 'Creative Commons Attribution-NonCommercial-NoDerivatives',
    spdx: ['CC-BY-NC-ND-4.0', 'CC-BY-NC-ND-3.0', 'CC-BY-NC-ND-2.5', 'CC-BY-NC-ND-2.0', 'CC-BY-NC-ND-1.0'],
    aliases: ['cc-by-nc-nd-4.0', 'cc-by-nc-nd-3.0'],
    reasoning: 'Non-commercial only, and adapted versions (a fine-tuned model) may not be shared.',
  },
  {
    ...NON_COMMERCIAL,
    id: 'LicenseRef-Research-Only',
    name: 'Research-only model licenses',
    spdx: [],
    aliases: ['fair-noncommercial-research-license', 'deepfloyd-if-license', 'apple-amlr'],
    reasoning: 'Model licenses granting use for non-commercial research only.',
  },

  // No derivatives
  {
    ...PERMISSIVE,
    family: 'no-derivatives',
    derivativeDistribution: false,
    fitsInto: FITS_NONE,
    id: 'CC-BY-ND-4.0',
    name: 'Creative Commons Attribution-NoDerivatives',
    spdx: ['CC-BY-ND-4.0', 'CC-BY-ND-3.0', 'CC-BY-ND-2.5', 'CC-BY-ND-2.0', 'CC-BY-ND-1.0'],
    aliases: ['cc-by-nd-4.0', 'cc-by-nd-3.0'],
    reasoning: 'Share unchanged copies, also commercially; a fine-tuned model may be made but not shared.',
  },

  // No usable grant
  {
    ...NO_RIGHTS,
    family: 'proprietary',
    id: 'LicenseRef-Proprietary',
    name: 'Proprietary terms',
    spdx: [],
    aliases: ['proprietary', 'all-rights-reserved', 'all rights reserved', 'licenseref-proprietary'],
    reasoning: 'All rights reserved: no public grant to use, change or share.',
  },
  {
    ...NO_RIGHTS,
    family: 'unknown',
    id: 'LicenseRef-Unknown',
    name: 'Unidentified or custom license',
    spdx: [],
    aliases: ['unknown', 'other', 'noassertion', 'custom'],
    reasoning:
      'A license exists but is custom or unidentified (card "other"/"unknown", GitHub NOASSERTION); rights cannot be established automatically.',
  },
  {
    ...NO_RIGHTS,
    family: 'none',
    id: 'NONE',
    name: 'No license',
    spdx: [],
    aliases: ['none', 'no-license', 'no license'],
    reasoning: 'Without a license nothing is granted: copyright law reserves all rights.',
  },
];

/** Additional permissions an SPDX `WITH` exception grants, as changes to the base license's row. */
export const LICENSE_EXCEPTIONS: Readonly<
  Record<string, { change: Partial<Row>; reasoning: string } | undefined>
> = {
  'LLVM-exception': {
    change: { fitsInto: FITS_ANY },
    reasoning: 'Lets Apache-2.0 code join GPL-2.0 programs.',
  },
  'Classpath-exception-2.0': {
    change: { family: 'weak-copyleft', copyleft: 'library', demands: [] },
    reasoning: 'Programs linking the library may be under any terms, so copyleft stays with the library.',
  },
  'GCC-exception-3.1': {
    change: { family: 'weak-copyleft', copyleft: 'library', demands: [] },
    reasoning: 'Runtime library exception: programs using it may be under any terms.',
  },
  'GCC-exception-2.0': {
    change: { family: 'weak-copyleft', copyleft: 'library', demands: [] },
    reasoning: 'Runtime library exception: programs linking it may be under any terms.',
  },
};

const byKey = new Map<string, LicenseTerms>();
for (const terms of LICENSE_CATALOG) {
  for (const key of [terms.id, ...terms.spdx, ...terms.aliases]) byKey.set(key.toLowerCase(), terms);
}

/** The catalog row for an id, SPDX id or alias (case-insensitive), or undefined. */
export function findLicense(key: string): LicenseTerms | undefined {
  return byKey.get(key.trim().toLowerCase());
}

/** The row for an id the code itself names; a missing one is a programming error. */
export function licenseById(id: string): LicenseTerms {
  const terms = findLicense(id);
  if (!terms) throw new Error(`License ${id} is not in the catalog.`);
  return terms;
}

export const NO_LICENSE = licenseById('NONE');
export const UNKNOWN_LICENSE = licenseById('LicenseRef-Unknown');
