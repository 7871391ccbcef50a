import {
  cardBody,
  codeBlocks,
  headings,
  isProgramBlock,
  isShellBlock,
  proseOf,
  wordCount,
} from '../card-text.js';
import type { RatingEvidence } from '../evidence.js';
import { withCardAssessment } from '../llm/blend.js';
import { type Check, checksReason, type MetricResult, scoreChecks } from '../metric.js';

const USAGE_HEADING =
  /\b(how to use|usage|use this model|quick ?start|getting started|example|inference|how to get started)\b/;
const INSTALL = /\b(pip3? install|conda install|npm install|pip install -r|uv (?:pip )?add|poetry add)\b/;
/** Headings and words at which a card counts as fully structured / long enough to learn from. */
const FULL_HEADINGS = 4;
const FULL_WORDS = 300;

/**
 * How quickly a newcomer can start: a runnable example, a usage section, install steps, a known
 * loading library, and a card with enough structure and text to find one's way.
 */
export function rampUpTime({ model, cardAssessment }: RatingEvidence): MetricResult {
  const body = cardBody(model);
  if (body.trim() === '')
    return withCardAssessment(
      { score: 0, reason: 'The model has no model card to learn from.' },
      cardAssessment,
      'rampUp',
    );
  const blocks = codeBlocks(body);
  const examples = blocks.filter(isProgramBlock);
  const namesModel = examples.some((block) =>
    block.code.includes(model.repoId.split('/').pop() ?? model.repoId),
  );
  const titles = headings(body);
  const words = wordCount(proseOf(body));
  const library = model.libraryName ?? model.card.facts.libraryName;
  const checks: Check[] = [
    // An example that names this model is the fastest start; generic code still helps a little.
    {
      label: 'a usage example in code',
      weight: 0.35,
      earned: namesModel ? 1 : examples.length > 0 ? 0.5 : 0,
    },
    {
      label: 'a usage section',
      weight: 0.15,
      earned: titles.some((title) => USAGE_HEADING.test(title)) ? 1 : 0,
    },
    {
      label: 'install steps',
      weight: 0.1,
      earned: blocks.some(isShellBlock) || INSTALL.test(body) ? 1 : 0,
    },
    { label: 'a declared loading library', weight: 0.1, earned: library ? 1 : 0 },
    {
      label: `structure (${titles.length}/${FULL_HEADINGS} headings)`,
      weight: 0.15,
      earned: titles.length / FULL_HEADINGS,
    },
    { label: `substance (${words}/${FULL_WORDS} words of prose)`, weight: 0.15, earned: words / FULL_WORDS },
  ];
  const { score, found, missing } = scoreChecks(checks);
  return withCardAssessment(
    { score, reason: checksReason('The model card', found, missing) },
    cardAssessment,
    'rampUp',
  );
}
