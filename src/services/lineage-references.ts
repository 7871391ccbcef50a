import type { ArtifactRecord, ArtifactType } from '../domain/artifact.js';
import { BadRequestError } from '../domain/errors.js';
import { type GitHubRepoRef, githubLinks, primaryGithubRepo } from '../sources/card-links.js';
import { parseModelCard, stringList } from '../sources/model-card.js';
import { type ModelConfigFacts, readModelConfig } from '../sources/model-config.js';
import type { HuggingFaceMetadata } from '../sources/source.js';

/** Where a reference was declared: the lineage node's `source`. */
export type ReferenceSource = 'model_card' | 'adapter_config' | 'config_json';

/**
 * The role the upstream artifact plays for the one that names it: the lineage edge's
 * `relationship`, read "from-node is the <relationship> of to-node".
 */
export type Relationship =
  | 'base_model'
  | 'adapter_base_model'
  | 'merge_source_model'
  | 'quantization_source_model'
  | 'distillation_teacher_model'
  | 'training_dataset'
  | 'fine_tuning_dataset'
  | 'code_repository';

/** One upstream artifact a model names: a parent model, a dataset or its code. */
export interface LineageReference {
  type: ArtifactType;
  /** As declared: a Hugging Face id (`org/name`, or a legacy `name`) or a GitHub `owner/repo`. */
  name: string;
  relationship: Relationship;
  source: ReferenceSource;
}

/** The structured metadata lineage reads, whichever way the model entered the registry. */
interface LineageEvidence {
  /** The model's own id as other cards would name it (Hugging Face repo id, else registry name). */
  self: string;
  card: { metadata: Record<string, unknown> | null; error: string | null } | null;
  config: ModelConfigFacts | null;
  adapter: ModelConfigFacts | null;
  linkedGithub: GitHubRepoRef | null;
}

/** The card's `base_model_relation` values (Hugging Face model tree) and the edge each one means. */
const CARD_RELATIONS: Record<string, Relationship> = {
  finetune: 'base_model',
  adapter: 'adapter_base_model',
  merge: 'merge_source_model',
  quantized: 'quantization_source_model',
};

/** config.json keys whose parent is not a plain base model. */
const CONFIG_KEY_RELATIONS: Record<string, Relationship> = {
  teacher_model: 'distillation_teacher_model',
};

/** A Hugging Face repo id: optional owner, then a name; hub naming rules, no paths or URLs. */
const HUB_PART = '[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?';
const HUB_ID = new RegExp(`^(?:${HUB_PART}/)?${HUB_PART}$`);

/**
 * The upstream artifacts a record declares, in priority order (card, adapter config, config.json),
 * one per artifact. Only models declare any; datasets and code are leaves. Throws BadRequestError
 * when the model's metadata is malformed, as lineage must then answer 400.
 */
export function lineageReferences(record: ArtifactRecord): LineageReference[] {
  if (record.type !== 'model') return [];
  const evidence = lineageEvidence(record);
  assertWellFormed(evidence);
  const card = evidence.card?.metadata ?? {};

  const models = qualifyLegacyIds([
    ...cardBaseModels(card),
    ...configParents(evidence.adapter, 'adapter_config', 'adapter_base_model'),
    ...configParents(evidence.config, 'config_json', 'base_model'),
  ]).filter((ref) => isHubId(ref.name) && !sameHubId(ref.name, evidence.self));

  // Data a model was derived from was used to fine-tune it; data of a model with no parent trained it.
  const datasetRelationship: Relationship = models.length > 0 ? 'fine_tuning_dataset' : 'training_dataset';
  const datasets = qualifyLegacyIds(
    stringList(card.datasets).map((name) => ({
      type: 'dataset',
      name,
      relationship: datasetRelationship,
      source: 'model_card',
    })),
  ).filter((ref) => isHubId(ref.name));

  const code: LineageReference[] = evidence.linkedGithub
    ? [
        {
          type: 'code',
          name: `${evidence.linkedGithub.owner}/${evidence.linkedGithub.repo}`,
          relationship: 'code_repository',
          source: 'model_card',
        },
      ]
    : [];

  return dedupe([...models, ...datasets, ...code]);
}

function lineageEvidence(record: ArtifactRecord): LineageEvidence {
  const meta = record.sourceMetadata;
  if (meta.kind === 'hf-model') {
    const hf = meta as HuggingFaceMetadata;
    return {
      self: hf.repoId,
      card: hf.card,
      config: hf.config,
      adapter: hf.adapter,
      linkedGithub: hf.linkedGithub,
    };
  }
  // Uploads and plain zip URLs: the package's own README front matter and config.json.
  const card = record.facts.readme === null ? null : parseModelCard(record.facts.readme);
  return {
    self: record.name,
    card,
    config: record.facts.configJson === null ? null : readModelConfig(record.facts.configJson),
    adapter: null,
    linkedGithub: card ? primaryGithubRepo(githubLinks(card.metadata, card.body)) : null,
  };
}

function assertWellFormed(evidence: LineageEvidence): void {
  const problems = [
    evidence.card?.error ? `the model card's front matter: ${evidence.card.error}` : null,
    evidence.config?.error ? `config.json: ${evidence.config.error}` : null,
    evidence.adapter?.error ? `adapter_config.json: ${evidence.adapter.error}` : null,
  ].filter((problem) => problem !== null);
  if (problems.length > 0) {
    throw new BadRequestError(
      `The lineage graph cannot be computed because the model's metadata is malformed: ${problems.join('; ')}`,
      'MALFORMED_METADATA',
    );
  }
}

function cardBaseModels(card: Record<string, unknown>): LineageReference[] {
  const relation = stringList(card.base_model_relation)[0]?.toLowerCase();
  const relationship = (relation && CARD_RELATIONS[relation]) || 'base_model';
  return stringList(card.base_model).map((name) => ({
    type: 'model',
    name,
    relationship,
    source: 'model_card',
  }));
}

function configParents(
  facts: ModelConfigFacts | null,
  source: ReferenceSource,
  relationship: Relationship,
): LineageReference[] {
  if (!facts) return [];
  const named = Object.entries(facts.baseModelFields).map(([key, name]) => ({
    name,
    relationship: CONFIG_KEY_RELATIONS[key] ?? relationship,
  }));
  // `_name_or_path` is the checkpoint the weights were loaded from before saving: the parent,
  // unless it is the model itself or a local path (both filtered by the caller).
  const loadedFrom = facts.nameOrPath === null ? [] : [{ name: facts.nameOrPath, relationship }];
  return [...named, ...loadedFrom].map((ref) => ({ type: 'model', source, ...ref }));
}

function isHubId(name: string): boolean {
  return HUB_ID.test(name) && !/--|\.\./.test(name);
}

/** Whether `name` names the repo `id`; a legacy unqualified name matches the last segment. */
export function sameHubId(name: string, id: string): boolean {
  const a = name.toLowerCase();
  const b = id.toLowerCase();
  if (a === b) return true;
  if (a.includes('/') && b.includes('/')) return false;
  return lastSegment(a) === lastSegment(b);
}

export function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/**
 * A legacy id (`bert-base-uncased` in an old config.json) and the qualified id the card gives
 * (`google-bert/bert-base-uncased`) name one model: the qualified spelling is kept for both.
 */
function qualifyLegacyIds(refs: LineageReference[]): LineageReference[] {
  return refs.map((ref) => {
    if (ref.name.includes('/')) return ref;
    const qualified = refs.find(
      (other) => other.type === ref.type && other.name.includes('/') && sameHubId(ref.name, other.name),
    );
    return qualified ? { ...ref, name: qualified.name } : ref;
  });
}

/**
 * One reference per artifact. The first keeps its source (the card is the most deliberate
 * declaration); a later, more specific relationship (an adapter_config.json naming the same model
 * the card calls a plain base_model) refines its relationship.
 */
function dedupe(refs: LineageReference[]): LineageReference[] {
  const seen = new Map<string, LineageReference>();
  for (const ref of refs) {
    const key = `${ref.type}:${ref.name.toLowerCase()}`;
    const first = seen.get(key);
    if (!first) seen.set(key, ref);
    else if (first.relationship === 'base_model') seen.set(key, { ...first, relationship: ref.relationship });
  }
  return [...seen.values()];
}
