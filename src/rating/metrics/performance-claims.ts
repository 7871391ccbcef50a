import { cardBody, codeBlocks, headings, proseOf } from '../card-text.js';
import type { RatingEvidence } from '../evidence.js';
import { withCardAssessment } from '../llm/blend.js';
import { type Check, checksReason, type MetricResult, scoreChecks } from '../metric.js';

const EVAL_HEADING = /\b(evaluation|results|benchmarks?|performance|metrics|accuracy|scores?)\b/;
const METRIC_WORD =
  '(?:accuracy|acc|f1|precision|recall|bleu|rouge(?:-?[l12])?|wer|cer|word error rate|perplexity|ppl|exact match|em|auc|map|mrr|ndcg|spearman|pearson|mae|rmse|top-?[15])';
/** A metric named next to a number, either way round ("WER: 7.5", "84.6 accuracy"). */
const METRIC_WITH_VALUE = new RegExp(
  `\\b${METRIC_WORD}\\b[^\\n\\d]{0,40}\\d+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?\\s*%?\\s*${METRIC_WORD}\\b`,
  'i',
);
const CITATION =
  /arxiv\.org\/(?:abs|pdf)\/|\bdoi\.org\/|\bdoi:\s*10\.|@(?:article|inproceedings|misc|techreport)\s*\{/i;
/** A Markdown table row holding at least one number. */
const NUMERIC_TABLE_ROW = /^\s*\|.*\|\s*\d+(?:\.\d+)?\s*%?\s*\|/m;

/**
 * The evidence behind stated performance: structured model-index results carry the most (they are
 * machine-readable and comparable), then a results table, an evaluation section, metrics quoted
 * with values, and a citable paper or report.
 */
export function performanceClaims({ model, cardAssessment }: RatingEvidence): MetricResult {
  const body = cardBody(model);
  const prose = proseOf(body);
  const results = model.card.facts.evalResults.filter((result) => result.value !== null);
  const verified = results.filter((result) => result.verified).length;
  const bibtex = codeBlocks(body).some((block) => block.language === 'bibtex' || CITATION.test(block.code));
  const checks: Check[] = [
    {
      label: `structured evaluation results (${results.length} model-index metrics)`,
      weight: 0.4,
      earned: results.length > 0 ? 1 : 0,
    },
    { label: 'a results table', weight: 0.2, earned: NUMERIC_TABLE_ROW.test(prose) ? 1 : 0 },
    {
      label: 'an evaluation section',
      weight: 0.15,
      earned: headings(body).some((title) => EVAL_HEADING.test(title)) ? 1 : 0,
    },
    { label: 'metrics quoted with values', weight: 0.1, earned: METRIC_WITH_VALUE.test(prose) ? 1 : 0 },
    {
      label: 'a citation (paper, DOI or BibTeX)',
      weight: 0.15,
      earned: bibtex || CITATION.test(prose) ? 1 : 0,
    },
  ];
  const { score, found, missing } = scoreChecks(checks);
  const verifiedNote = verified > 0 ? ` ${verified} result(s) are hub-verified.` : '';
  return withCardAssessment(
    { score, reason: `${checksReason('The model card', found, missing)}${verifiedNote}` },
    cardAssessment,
    'performanceClaims',
  );
}
