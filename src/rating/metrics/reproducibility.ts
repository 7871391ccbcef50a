import { cardBody, codeBlocks, isProgramBlock, isPythonBlock } from '../card-text.js';
import type { RatingEvidence } from '../evidence.js';
import type { Metric, MetricResult } from '../metric.js';
import { checkPythonDemo, type DemoTarget } from '../python/demo-check.js';

/** The card's demo as one program (its Python blocks in order, notebook-style). */
export interface DemoProgram {
  language: 'python';
  code: string;
  modelId: string;
}

/**
 * Runs a demo for real (in a sandbox, with the model available). Not part of the default
 * pipeline: execution costs minutes and needs isolation; plug one in through the rating options.
 */
export interface ReproducibilityExecutor {
  run(program: DemoProgram): Promise<{ ran: boolean; detail: string }>;
}

const HEURISTIC = 'Static check, heuristic: it reads the code, it does not run it.';

/**
 * Can the model be run with only the demo code in its card? 0: no demo code, or code that never
 * loads a model; 0.5: a demo that needs fixes (syntax, placeholders, wrong or local model id,
 * missing imports, shell lines, `...` elisions); 1: nothing found that would stop it running.
 */
export function reproducibility(evidence: RatingEvidence): MetricResult {
  return judgeStatically(evidence).result;
}

/** Reproducibility with a real run deciding between 1 and 0.5 once the static check found a demo. */
export function reproducibilityWith(executor: ReproducibilityExecutor): Metric {
  return async (evidence) => {
    const { result, program } = judgeStatically(evidence);
    if (program === null || result.score === 0) return result;
    const { ran, detail } = await executor.run(program);
    return ran
      ? { score: 1, reason: `The card's demo ran as written: ${detail}` }
      : {
          score: 0.5,
          reason: `The card's demo failed when run (${detail}); it needs fixes. ${result.reason}`,
        };
  };
}

function judgeStatically({ model, parents }: RatingEvidence): {
  result: MetricResult;
  program: DemoProgram | null;
} {
  const blocks = codeBlocks(cardBody(model));
  const python = blocks.filter(isPythonBlock).map((block) => block.code);
  if (python.length === 0) {
    const other = blocks.filter(isProgramBlock).map((block) => block.language);
    const result =
      other.length > 0
        ? {
            score: 0.5,
            reason: `The demo is in ${[...new Set(other)].join(', ')}, which is not checked; counted as needing verification.`,
          }
        : { score: 0, reason: 'The model card has no demo code.' };
    return { result, program: null };
  }
  const program: DemoProgram = { language: 'python', code: python.join('\n\n'), modelId: model.repoId };
  const verdict = checkPythonDemo(python, demoTarget(model, parents));
  if (!verdict.loadsModel) {
    return { result: { score: 0, reason: `The demo code never loads a model. ${HEURISTIC}` }, program };
  }
  if (verdict.issues.length > 0) {
    const reason = `The demo needs fixes: ${verdict.issues.join('; ')}. ${HEURISTIC}`;
    return { result: { score: 0.5, reason }, program };
  }
  return {
    result: {
      score: 1,
      reason: `The demo loads ${model.repoId} and looks runnable as written. ${HEURISTIC}`,
    },
    program,
  };
}

function demoTarget(model: RatingEvidence['model'], parents: RatingEvidence['parents']): DemoTarget {
  const relatives = [
    ...model.baseModels,
    ...parents.map((parent) => parent.name),
    model.config?.nameOrPath,
    ...Object.values(model.adapter?.baseModelFields ?? {}),
  ].filter((id): id is string => typeof id === 'string' && id.length > 0);
  return { repoId: model.repoId, relatives };
}
