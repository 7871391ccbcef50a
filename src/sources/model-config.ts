import { isRecord } from './model-card.js';

/** Facts from a `config.json` (or `adapter_config.json`) that lineage and size rating read. */
export type ModelConfigFacts = {
  /** Why the file could not be read as a JSON object; the other fields are then empty. */
  error: string | null;
  modelType: string | null;
  architectures: string[];
  /** `_name_or_path`: the checkpoint the model was saved from, often its parent. */
  nameOrPath: string | null;
  /** Keys naming a parent model, e.g. `base_model_name_or_path` in PEFT adapters. */
  baseModelFields: Record<string, string>;
  torchDtype: string | null;
  numParameters: number | null;
  peftType: string | null;
};

const BASE_MODEL_KEYS = [
  'base_model_name_or_path',
  'base_model',
  'base_model_id',
  'parent_model',
  'teacher_model',
  'pretrained_model_name_or_path',
  'model_name_or_path',
];

export function readModelConfig(text: string): ModelConfigFacts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return emptyFacts(`Not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(parsed)) return emptyFacts('Not a JSON object.');
  const baseModelFields: Record<string, string> = {};
  for (const key of BASE_MODEL_KEYS) {
    const value = parsed[key];
    if (typeof value === 'string' && value.trim()) baseModelFields[key] = value.trim();
  }
  return {
    error: null,
    modelType: stringOrNull(parsed.model_type),
    architectures: Array.isArray(parsed.architectures)
      ? parsed.architectures.filter((item): item is string => typeof item === 'string')
      : [],
    nameOrPath: stringOrNull(parsed._name_or_path),
    baseModelFields,
    torchDtype: stringOrNull(parsed.torch_dtype ?? parsed.dtype),
    numParameters: countOrNull(parsed.num_parameters ?? parsed.n_parameters ?? parsed.num_params),
    peftType: stringOrNull(parsed.peft_type),
  };
}

function emptyFacts(error: string): ModelConfigFacts {
  return {
    error,
    modelType: null,
    architectures: [],
    nameOrPath: null,
    baseModelFields: {},
    torchDtype: null,
    numParameters: null,
    peftType: null,
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

function countOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}
