import type { RatingEvidence } from '../evidence.js';
import { type MetricResult, unitScore } from '../metric.js';

/**
 * Mean net_score of the lineage parents that are in the registry and rated.
 * - No parents (a root model): 1. Nothing upstream can pass risk on; the model's own metrics judge it.
 * - Parents, none of them rated in the registry: 0. The lineage cannot be vouched for; ingesting
 *   (and so rating) the parent first lifts it. A demanding user does not read "unknown" as "fine".
 * - Some rated: the mean over those; the reason names the parents left out.
 */
export function treeScore({ parents }: RatingEvidence): MetricResult {
  if (parents.length === 0) return { score: 1, reason: 'A root model: no parents in its lineage.' };
  const rated = parents.filter(
    (parent): parent is typeof parent & { netScore: number } =>
      parent.id !== null && parent.netScore !== null,
  );
  const unrated = parents.filter((parent) => !rated.includes(parent as (typeof rated)[number]));
  const left = unrated.length
    ? ` Not counted (not in the registry or not rated): ${unrated.map((parent) => parent.name).join(', ')}.`
    : '';
  if (rated.length === 0) {
    return { score: 0, reason: `None of the ${parents.length} parent(s) is rated in the registry.${left}` };
  }
  const mean = rated.reduce((sum, parent) => sum + parent.netScore, 0) / rated.length;
  const listed = rated.map((parent) => `${parent.name} ${parent.netScore.toFixed(2)}`).join(', ');
  return { score: unitScore(mean), reason: `Mean net score of rated parents: ${listed}.${left}` };
}
