import type { HuggingFaceMetadata } from '../sources/source.js';

/** Architecture class suffixes (transformers naming) and the task they are built for. */
const TASK_BY_HEAD: [RegExp, string][] = [
  [/ForMaskedLM$/, 'fill-mask'],
  [/ForCausalLM$/, 'text-generation'],
  [/ForSequenceClassification$/, 'text-classification'],
  [/ForTokenClassification$/, 'token-classification'],
  [/ForQuestionAnswering$/, 'question-answering'],
  [/ForImageClassification$/, 'image-classification'],
  [/For(CTC|SpeechSeq2Seq)$/, 'automatic-speech-recognition'],
];

/**
 * The rating's category: the model's task as the hub names it (pipeline_tag, from the hub or the
 * card), else the task its architecture head implies, else the generic "MODEL". A task is what a
 * user filters by; "MODEL" alone would say nothing the artifact type does not.
 */
export function modelCategory(model: HuggingFaceMetadata): string {
  const tag = model.pipelineTag ?? model.card.facts.pipelineTag;
  if (tag) return tag;
  for (const architecture of model.config?.architectures ?? []) {
    const task = TASK_BY_HEAD.find(([head]) => head.test(architecture))?.[1];
    if (task) return task;
  }
  return 'MODEL';
}
