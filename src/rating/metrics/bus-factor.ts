import type { RatingEvidence } from '../evidence.js';
import { type MetricResult, unitScore } from '../metric.js';

const DAY_MS = 86_400_000;
/** Activity counts fully within a year of the last change and fades to nothing over four years. */
const ACTIVE_DAYS = 365;
const STALE_DAYS = 4 * 365;
const PEOPLE_WEIGHT = 0.8;
const ACTIVITY_WEIGHT = 0.2;

/**
 * How many people really carry the project. The spread of contributions is the effective number
 * of contributors (inverse Simpson index, 1 / sum of squared shares: ten people where one did 95%
 * count as about one), mapped to 1 - 1/N (1 person -> 0, 2 -> 0.5, 4 -> 0.75, 10 -> 0.9). It is
 * taken over the model repo's commit authors and over the linked code repo's contributors, and
 * the better of the two counts: the model survives if either group can carry it on.
 * Recent activity adds the remaining 20%.
 */
export function busFactor({ model, github, now }: RatingEvidence): MetricResult {
  const groups = [
    { where: 'model repo commits', counts: model.commits.authors.map((author) => author.commits) },
    {
      where: 'code repo contributors',
      counts: github?.contributors.map((contributor) => contributor.contributions) ?? [],
    },
  ].map((group) => ({ ...group, people: effectivePeople(group.counts) }));
  const best = groups.reduce((a, b) => (b.people > a.people ? b : a));
  const spread = best.people > 0 ? 1 - 1 / best.people : 0;

  const latest = latestActivity([
    model.commits.latest,
    model.lastModified,
    github?.pushedAt ?? null,
    github?.recentCommits[0]?.date ?? null,
  ]);
  const ageDays = latest === null ? null : Math.max(0, (now.getTime() - latest) / DAY_MS);
  const activity =
    ageDays === null ? 0 : 1 - Math.min(1, Math.max(0, (ageDays - ACTIVE_DAYS) / (STALE_DAYS - ACTIVE_DAYS)));

  const score = unitScore(PEOPLE_WEIGHT * spread + ACTIVITY_WEIGHT * activity);
  const people =
    best.people === 0
      ? 'No contributor history is known'
      : `About ${best.people.toFixed(1)} effective contributors (${best.where}, ${best.counts.length} people)`;
  const recency =
    ageDays === null ? 'no date of the last change' : `last change ${Math.round(ageDays)} days ago`;
  const unknown = github?.unknown?.contributors;
  const contributors = unknown ? ` Code repo contributors unknown: ${unknown}` : '';
  return { score, reason: `${people}; ${recency}.${contributors}` };
}

/** Inverse Simpson index of the contribution counts; 0 when there are none. */
function effectivePeople(counts: readonly number[]): number {
  const positive = counts.filter((count) => count > 0);
  const total = positive.reduce((sum, count) => sum + count, 0);
  if (total === 0) return 0;
  return 1 / positive.reduce((sum, count) => sum + (count / total) ** 2, 0);
}

function latestActivity(dates: readonly (string | null)[]): number | null {
  const times = dates.map((date) => (date === null ? Number.NaN : Date.parse(date))).filter(Number.isFinite);
  return times.length === 0 ? null : Math.max(...times);
}
