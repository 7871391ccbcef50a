import { cardBody, codeBlocks, headings, isProgramBlock } from '../card-text.js';
import type { RatingEvidence } from '../evidence.js';
import { type Check, checksReason, type MetricResult, scoreChecks } from '../metric.js';

const DATA_HEADING = /\b(training data|dataset|data)\b/;

/**
 * Whether the training data and the code are named and linked: datasets named in the card's
 * metadata (a "training data" section alone earns half), at least one of them found on the hub,
 * a linked code repository (half when it could not be fetched), and example code in the card.
 */
export function datasetAndCodeScore({ model, github, datasets }: RatingEvidence): MetricResult {
  const body = cardBody(model);
  const dataSection = headings(body).some((title) => DATA_HEADING.test(title));
  const repo = model.linkedGithub
    ? `${model.linkedGithub.owner}/${model.linkedGithub.repo}`
    : github?.fullName;
  const checks: Check[] = [
    {
      label:
        model.datasets.length > 0
          ? `named training data (${model.datasets.join(', ')})`
          : 'named training data',
      weight: 0.25,
      earned: model.datasets.length > 0 ? 1 : dataSection ? 0.5 : 0,
    },
    { label: 'a dataset found on the hub', weight: 0.2, earned: datasets.length > 0 ? 1 : 0 },
    {
      label: repo ? `a linked code repository (${repo})` : 'a linked code repository',
      weight: 0.35,
      earned: github !== null ? 1 : repo ? 0.5 : 0,
    },
    { label: 'example code in the card', weight: 0.2, earned: codeBlocks(body).some(isProgramBlock) ? 1 : 0 },
  ];
  const { score, found, missing } = scoreChecks(checks);
  const ignored = (model.ignoredReferences ?? []).map((ref) => `"${ref.name}" (${ref.reason})`);
  const note = ignored.length > 0 ? ` Ignored names: ${ignored.join(', ')}.` : '';
  return { score, reason: `${checksReason('The model', found, missing)}${note}` };
}
