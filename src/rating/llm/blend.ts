import { type MetricResult, unitScore } from '../metric.js';
import type { CardAssessment } from './card-assessor.js';

/**
 * Blends the LLM's judgement of a card into a deterministic card metric: the mean of the two
 * scores, the reason giving both. Without assistance the deterministic result stands unchanged;
 * when the LLM failed or gave no usable score for this metric, it stands with the reason saying so.
 */
export function withCardAssessment(
  deterministic: MetricResult,
  assessment: CardAssessment | null | undefined,
  aspect: 'rampUp' | 'performanceClaims',
): MetricResult {
  if (assessment === undefined) return deterministic;
  if (assessment === null)
    return {
      ...deterministic,
      reason: `${deterministic.reason} LLM assistance failed, so this is the deterministic score alone.`,
    };
  const judgement = assessment[aspect];
  if (judgement === null)
    return {
      ...deterministic,
      reason: `${deterministic.reason} The LLM (${assessment.model}) gave no usable score, so this is the deterministic score alone.`,
    };
  const rationale = judgement.rationale ? `: ${judgement.rationale}` : '';
  return {
    score: unitScore((deterministic.score + judgement.score) / 2),
    reason:
      `Mean of the deterministic ${deterministic.score} and the LLM's ${judgement.score}. ` +
      `Deterministic: ${deterministic.reason} LLM (${assessment.model})${rationale}`,
  };
}
