import { scoreForLgplProject } from '../../licenses/compatibility.js';
import { normalizeLicense } from '../../licenses/normalize.js';
import { stringList } from '../../sources/model-card.js';
import type { RatingEvidence } from '../evidence.js';
import { type MetricResult, unitScore } from '../metric.js';

/**
 * Can the company use, fine-tune and ship the model next to its LGPL-2.1-or-later code? The
 * license the card declares (front matter, else the hub's `license:` tag; `other` is read through
 * `license_name`) is normalised and judged by the shared license rules in src/licenses.
 * The linked code repository's license is not the model's and is not used here.
 */
export function license({ model }: RatingEvidence): MetricResult {
  const declared = declaredLicense(model);
  const verdict = scoreForLgplProject(normalizeLicense(declared));
  const source =
    declared.length > 0 ? `Declared license: ${declared.join(', ')}. ` : 'The model declares no license. ';
  return { score: unitScore(verdict.score), reason: `${source}${verdict.reason}` };
}

function declaredLicense(model: RatingEvidence['model']): string[] {
  const { licenseName } = model.card.facts;
  const fromCard = stringList(model.card.metadata?.license);
  const fromTags = model.tags
    .filter((tag) => tag.startsWith('license:'))
    .map((tag) => tag.slice('license:'.length));
  const declared = fromCard.length > 0 ? fromCard : fromTags;
  return declared.map((value) => (value.toLowerCase() === 'other' && licenseName ? licenseName : value));
}
