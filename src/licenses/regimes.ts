import type { LicenseTerms, Regime, RegimeFit } from './catalog.js';

/** Whether the license under which one combined program is distributed can be found. */
export type ProgramLicense =
  | { ok: true; regime: Regime | null }
  | { ok: false; demanded: Regime[]; blockers: LicenseTerms[] };

export function fits(fit: RegimeFit, regime: Regime): boolean {
  return 'only' in fit ? fit.only.includes(regime) : !fit.anyExcept.includes(regime);
}

/**
 * Can works under these licenses go out as one program? When no part's copyleft reaches the whole
 * program (`demands` empty), yes, and each part keeps its own license. Otherwise the program must be
 * distributed under a regime every demanding part accepts and every part may be placed inside.
 */
export function programLicense(parts: readonly LicenseTerms[]): ProgramLicense {
  const demanding = parts.filter((part) => part.demands.length > 0);
  if (demanding.length === 0) return { ok: true, regime: null };
  const demanded = demanding.reduce<Regime[]>(
    (common, part) => common.filter((regime) => part.demands.includes(regime)),
    [...(demanding[0] as LicenseTerms).demands],
  );
  const regime = demanded.find((candidate) => parts.every((part) => fits(part.fitsInto, candidate)));
  if (regime) return { ok: true, regime };
  const blockers = parts.filter((part) => !demanded.some((candidate) => fits(part.fitsInto, candidate)));
  return { ok: false, demanded, blockers };
}
