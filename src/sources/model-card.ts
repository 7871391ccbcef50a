import { parse as parseYaml } from 'yaml';

/**
 * A README / model card split into its YAML front matter and Markdown body. Malformed front matter
 * is recorded in `error` instead of thrown: the card is still worth keeping, and lineage answers
 * 400 for it later.
 */
export interface ParsedCard {
  body: string;
  /** The parsed front matter; `{}` when there is none, null when it is malformed. */
  metadata: Record<string, unknown> | null;
  error: string | null;
}

/** The card facts rating and lineage read, coerced from the loosely typed YAML. */
export type CardFacts = {
  license: string | null;
  /** `license_name` / `license_link` accompany `license: other`. */
  licenseName: string | null;
  licenseLink: string | null;
  baseModels: string[];
  datasets: string[];
  tags: string[];
  language: string[];
  pipelineTag: string | null;
  libraryName: string | null;
  evalResults: EvalResult[];
};

/** One metric of one `model-index` result, flattened. */
export type EvalResult = {
  model: string | null;
  task: string | null;
  dataset: string | null;
  metric: string;
  value: number | string | null;
  verified: boolean;
};

/** Bound on flattened eval results kept from a model-index, so a huge index cannot bloat metadata. */
const MAX_EVAL_RESULTS = 200;
/** `yaml`'s guard against alias expansion bombs ("billion laughs"). */
const MAX_YAML_ALIASES = 50;

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

export function parseModelCard(text: string): ParsedCard {
  if (!/^\uFEFF?---[ \t]*\r?\n/.test(text)) return { body: text, metadata: {}, error: null };
  const match = FRONT_MATTER.exec(text);
  if (!match) {
    return { body: text, metadata: null, error: 'Front matter starts with "---" but is never closed.' };
  }
  const body = text.slice(match[0].length);
  try {
    const parsed: unknown = parseYaml(match[1] ?? '', { maxAliasCount: MAX_YAML_ALIASES });
    if (parsed === null || parsed === undefined) return { body, metadata: {}, error: null };
    if (!isRecord(parsed)) {
      return { body, metadata: null, error: 'Front matter is not a YAML mapping of keys to values.' };
    }
    return { body, metadata: parsed, error: null };
  } catch (error) {
    return {
      body,
      metadata: null,
      error: `Front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

export function cardFacts(metadata: Record<string, unknown> | null): CardFacts {
  const meta = metadata ?? {};
  return {
    license: firstString(meta.license),
    licenseName: firstString(meta.license_name),
    licenseLink: firstString(meta.license_link),
    baseModels: stringList(meta.base_model),
    datasets: stringList(meta.datasets),
    tags: stringList(meta.tags),
    language: stringList(meta.language),
    pipelineTag: firstString(meta.pipeline_tag),
    libraryName: firstString(meta.library_name),
    evalResults: evalResults(meta['model-index']),
  };
}

function evalResults(modelIndex: unknown): EvalResult[] {
  const results: EvalResult[] = [];
  for (const entry of asArray(modelIndex).filter(isRecord)) {
    const model = firstString(entry.name);
    for (const result of asArray(entry.results).filter(isRecord)) {
      const task = isRecord(result.task) ? firstString(result.task.type ?? result.task.name) : null;
      const dataset = isRecord(result.dataset)
        ? firstString(result.dataset.type ?? result.dataset.name)
        : null;
      for (const metric of asArray(result.metrics).filter(isRecord)) {
        const name = firstString(metric.type ?? metric.name);
        if (name === null) continue;
        results.push({
          model,
          task,
          dataset,
          metric: name,
          value: metricValue(metric.value),
          verified: metric.verified === true,
        });
        if (results.length >= MAX_EVAL_RESULTS) return results;
      }
    }
  }
  return results;
}

function metricValue(value: unknown): number | string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') return value;
  return null;
}

/** A YAML value that may be one string or a list of them, as the hub accepts for most keys. */
export function stringList(value: unknown): string[] {
  return asArray(value)
    .map((item) => (typeof item === 'string' || typeof item === 'number' ? String(item).trim() : ''))
    .filter((item) => item.length > 0);
}

function firstString(value: unknown): string | null {
  return stringList(value)[0] ?? null;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
