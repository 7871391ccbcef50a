import { stringList } from '../../sources/model-card.js';
import type { HuggingFaceMetadata } from '../../sources/source.js';
import { cardBody, headings, proseOf, wordCount } from '../card-text.js';
import type { RatingEvidence } from '../evidence.js';
import { type Check, type MetricResult, MetricUnavailableError, scoreChecks, unitScore } from '../metric.js';

const FULL_WORDS = 150;
const FULL_HEADINGS = 3;
/** Downloads at which adoption counts fully (log scale: 10 -> 0.25, 1,000 -> 0.75). */
const FULL_DOWNLOADS_LOG10 = 4;
const NO_LICENSE = new Set(['unknown', 'none', 'no-license', 'unlicensed']);

/**
 * The quality of the linked datasets, averaged: a dataset card with substance, a stated license,
 * a declared size, a declared use (task categories or loading code), and adoption. No linked
 * dataset scores 0 (nothing vouches for the training data); linked datasets that could not be
 * fetched cannot be judged, and the metric is unavailable rather than guessed.
 */
export function datasetQuality({ model, datasets: fetched }: RatingEvidence): MetricResult {
  // A card may name one dataset twice (a legacy id in its metadata, the canonical one in a link).
  const datasets = [...new Map(fetched.map((dataset) => [dataset.repoId, dataset])).values()];
  if (datasets.length === 0) {
    if (model.datasets.length > 0) {
      throw new MetricUnavailableError(
        `None of the linked datasets (${model.datasets.join(', ')}) could be read from the hub.`,
      );
    }
    return { score: 0, reason: 'The model links no training dataset whose quality could be judged.' };
  }
  const judged = datasets.map((dataset) => ({ id: dataset.repoId, ...judgeDataset(dataset) }));
  const score = unitScore(judged.reduce((sum, item) => sum + item.score, 0) / judged.length);
  const details = judged.map(
    (item) => `${item.id} ${item.score.toFixed(2)} (lacks ${item.missing.join(', ') || 'nothing'})`,
  );
  return { score, reason: `Mean over ${judged.length} dataset(s): ${details.join('; ')}.` };
}

function judgeDataset(dataset: HuggingFaceMetadata): { score: number; missing: string[] } {
  const body = cardBody(dataset);
  const meta = dataset.card.metadata ?? {};
  const { license, licenseName, licenseLink } = dataset.card.facts;
  const licenseEarned =
    license === null || NO_LICENSE.has(license.toLowerCase())
      ? 0
      : license.toLowerCase() === 'other'
        ? licenseName || licenseLink
          ? 0.5
          : 0
        : 1;
  const hasData = dataset.files.some((file) => file.aspect === 'datasets' && file.size > 0);
  const declaresUse = stringList(meta.task_categories).length > 0 || /\bload_dataset\s*\(/.test(body);
  const checks: Check[] = [
    {
      label: 'a dataset card',
      weight: 0.3,
      earned:
        Math.min(1, wordCount(proseOf(body)) / FULL_WORDS) / 2 +
        Math.min(1, headings(body).length / FULL_HEADINGS) / 2,
    },
    { label: 'a license', weight: 0.25, earned: licenseEarned },
    {
      label: 'a declared size',
      weight: 0.15,
      earned: stringList(meta.size_categories).length > 0 ? 1 : hasData ? 0.5 : 0,
    },
    { label: 'a declared use', weight: 0.15, earned: declaresUse ? 1 : 0 },
    {
      label: 'adoption',
      weight: 0.15,
      earned: Math.log10(Math.max(0, dataset.downloads) + 1) / FULL_DOWNLOADS_LOG10,
    },
  ];
  const { score, missing } = scoreChecks(checks);
  return { score, missing };
}
