import type { PullRequestEvidence, PullRequestSample } from '../../sources/source.js';
import type { RatingEvidence } from '../evidence.js';
import { type MetricResult, unitScore } from '../metric.js';

/** The score for "no GitHub repository linked": not applicable, as the contract's -1. */
export const NOT_APPLICABLE = -1;

/**
 * Share of the code lines (files classed as code; weights, data and docs excluded) added on the
 * default branch that came through merged pull requests reviewed by someone other than their
 * author. The numerator comes from the bounded sample of recent merged PRs; the denominator is
 * the repository's whole history (GitHub's code frequency) scaled by the code share of the
 * sampled PR lines, since that statistic counts lines of every file. Without history statistics
 * the sample alone is used. Reviewed PRs outside the sample count as unreviewed, so the score is a
 * lower bound whenever the sample is truncated, and the reason says so.
 */
export function reviewedness({ github }: RatingEvidence): MetricResult {
  if (github === null) return { score: NOT_APPLICABLE, reason: 'No GitHub repository is linked.' };
  const unknownPulls = github.unknown?.pullRequests;
  if (unknownPulls) {
    // Without pull requests there is nothing to measure: unknown, which counts as not applicable.
    return { score: NOT_APPLICABLE, reason: `Unknown for ${github.fullName}: ${unknownPulls}` };
  }
  const { items } = github.pullRequests;
  const reviewedItems = items.filter((pull) => pull.reviews > 0);
  const reviewedLines = sumOf(reviewedItems, codeAdditions);
  const sampleCode = sumOf(items, codeAdditions);
  const sampleAll = sumOf(items, allAdditions);

  const history = github.codeFrequency?.additions ?? 0;
  const codeShare = sampleAll > 0 ? sampleCode / sampleAll : 1;
  const fromHistory = history > 0;
  const denominator = Math.max(fromHistory ? Math.round(history * codeShare) : 0, sampleCode);

  const sample = `${reviewedItems.length} of ${items.length} sampled merged pull requests were reviewed by someone other than their author${sampleNote(github.pullRequests)}`;
  if (denominator === 0) {
    return { score: 0, reason: `${sample}; no code lines came in through pull requests.` };
  }
  const missingHistory = github.unknown?.codeFrequency ?? 'history statistics unavailable';
  const basis = fromHistory
    ? `of about ${denominator} code lines added on ${github.defaultBranch} (${history} lines of history x ${(codeShare * 100).toFixed(0)}% code share in the sample)`
    : `of the ${denominator} code lines in the sampled pull requests (${missingHistory.replace(/\.$/, '')})`;
  const bounds = [
    github.pullRequests.truncated
      ? 'only the most recent merged pull requests were sampled, so this is a lower bound'
      : '',
    items.some((pull) => pull.filesTruncated) ? 'some pull requests list only their first files' : '',
  ].filter(Boolean);
  return {
    score: unitScore(reviewedLines / denominator),
    reason: `${reviewedLines} reviewed code lines ${basis}; ${sample}.${bounds.length ? ` Note: ${bounds.join('; ')}.` : ''}`,
  };
}

/** How many were seen of those listed, and why the sample was cut when it was. */
function sampleNote(sample: PullRequestSample): string {
  if (sample.listed === undefined) return '';
  const cut = sample.cut ? `, sample cut: ${sample.cut}` : '';
  return ` (${sample.sampled} of ${sample.listed} listed${cut})`;
}

function codeAdditions(pull: PullRequestEvidence): number {
  return pull.files.filter((file) => file.aspect === 'code').reduce((sum, file) => sum + file.additions, 0);
}

function allAdditions(pull: PullRequestEvidence): number {
  return pull.files.reduce((sum, file) => sum + file.additions, 0);
}

function sumOf(pulls: readonly PullRequestEvidence[], lines: (pull: PullRequestEvidence) => number): number {
  return pulls.reduce((sum, pull) => sum + lines(pull), 0);
}
