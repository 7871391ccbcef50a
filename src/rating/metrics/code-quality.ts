import type { RatingEvidence } from '../evidence.js';
import { type Check, checksReason, type MetricResult, scoreChecks } from '../metric.js';

/**
 * Engineering practice visible in the linked code repository's tree: tests, CI, lint and type
 * checking configuration, packaging, and a README. No linked repository means no code to judge,
 * which scores 0 (the model ships no maintained code). An archived repository keeps at most half.
 */
export function codeQuality({ github }: RatingEvidence): MetricResult {
  if (github === null)
    return { score: 0, reason: 'No code repository is linked, so there is no code to judge.' };
  const { tree } = github;
  const codeFiles = tree.files.filter((file) => file.aspect === 'code').length;
  if (codeFiles === 0) return { score: 0, reason: `${github.fullName} holds no source code files.` };
  const checks: Check[] = [
    { label: 'tests', weight: 0.3, earned: tree.hasTests ? 1 : 0 },
    { label: 'CI workflows', weight: 0.2, earned: tree.ciWorkflows.length > 0 ? 1 : 0 },
    { label: 'lint configuration', weight: 0.15, earned: tree.lintConfigs.length > 0 ? 1 : 0 },
    { label: 'type-checking configuration', weight: 0.1, earned: tree.typeConfigs.length > 0 ? 1 : 0 },
    { label: 'packaging or dependency files', weight: 0.15, earned: tree.packagingFiles.length > 0 ? 1 : 0 },
    {
      label: 'a README',
      weight: 0.1,
      earned: tree.files.some((file) => /^readme(\.[a-z]+)?$/i.test(file.path)) ? 1 : 0,
    },
  ];
  const { score, found, missing } = scoreChecks(checks);
  const archived = github.archived ? ' The repository is archived (unmaintained): capped at 0.5.' : '';
  return {
    score: github.archived ? Math.min(score, 0.5) : score,
    reason: `${checksReason(github.fullName, found, missing)}${archived}`,
  };
}
