import type { ArtifactRecord } from '../domain/artifact.js';
import { BadRequestError, NotFoundError } from '../domain/errors.js';
import type { ParentEvidence, RatingEvidence } from '../rating/evidence.js';
import type { CardAssessment, CardAssessor } from '../rating/llm/card-assessor.js';
import type { GitHubSource } from '../sources/github.js';
import type { HuggingFaceSource } from '../sources/huggingface.js';
import type { GitHubMetadata, HuggingFaceMetadata } from '../sources/source.js';
import type { MetadataStore } from '../storage/metadata/metadata-store.js';
import type { LineageService } from './lineage-service.js';
import { packageModelMetadata } from './package-evidence.js';

/** Linked datasets fetched per rating: enough to judge the data, bounded in upstream calls. */
const MAX_DATASETS = 3;

/** Lineage relationships that make the upstream node a parent model (tree_score). */
const PARENT_RELATIONSHIPS = new Set([
  'base_model',
  'adapter_base_model',
  'merge_source_model',
  'quantization_source_model',
  'distillation_teacher_model',
]);

/**
 * Gathers what the rating metrics read: the model's own evidence, the code repository and
 * datasets its card links (fetched through the real clients, cached), and its lineage parents
 * with their stored net scores. A linked repository or dataset that does not exist is simply
 * absent; one that cannot be fetched fails the rating rather than being scored as absent.
 */
export class EvidenceService {
  constructor(
    private readonly store: MetadataStore,
    private readonly lineage: LineageService,
    private readonly huggingFace: HuggingFaceSource,
    private readonly github: GitHubSource,
    /** Optional LLM reading of the card for the card-reading metrics; none by default. */
    private readonly cardAssessor: CardAssessor | null = null,
  ) {}

  /** The hub-shaped evidence of a stored model, whichever way it entered the registry. */
  modelMetadata(record: ArtifactRecord): HuggingFaceMetadata {
    const meta = record.sourceMetadata;
    return meta.kind === 'hf-model' ? (meta as HuggingFaceMetadata) : packageModelMetadata(record);
  }

  /** Parents in the lineage graph, with the net score the registry holds for each. */
  async parents(record: ArtifactRecord): Promise<ParentEvidence[]> {
    const { graph, records } = await this.lineage.walk(record, { strict: false });
    const upstream = graph.edges.filter(
      (edge) => edge.to_node_artifact_id === record.id && PARENT_RELATIONSHIPS.has(edge.relationship),
    );
    return Promise.all(
      upstream.map(async (edge) => {
        const node = graph.nodes.find((n) => n.artifact_id === edge.from_node_artifact_id);
        const parent = records.get(edge.from_node_artifact_id);
        if (!parent) return { id: null, name: node?.name ?? edge.from_node_artifact_id, netScore: null };
        const rating = await this.store.getRating(parent.id);
        const netScore = rating?.body.net_score;
        return { id: parent.id, name: parent.name, netScore: typeof netScore === 'number' ? netScore : null };
      }),
    );
  }

  /** Everything the metrics read; `parents` may be passed when the caller already has them. */
  async gather(record: ArtifactRecord, knownParents?: ParentEvidence[]): Promise<RatingEvidence> {
    const model = this.modelMetadata(record);
    const now = new Date();
    const [github, datasets, parents, cardAssessment] = await Promise.all([
      this.linkedRepository(model),
      this.linkedDatasets(model),
      knownParents ?? this.parents(record),
      this.assessCard(model),
    ]);
    return {
      model,
      github,
      datasets,
      parents,
      now,
      ...(cardAssessment === undefined ? {} : { cardAssessment }),
    };
  }

  /** Absent without an assessor or a card; null when the assessor failed (it never throws). */
  private async assessCard(model: HuggingFaceMetadata): Promise<CardAssessment | null | undefined> {
    if (!this.cardAssessor || !model.card.text?.trim()) return undefined;
    return this.cardAssessor.assess(model.card.text);
  }

  private async linkedRepository(model: HuggingFaceMetadata): Promise<GitHubMetadata | null> {
    if (!model.linkedGithub) return null;
    const fetched = await absentIfMissing(
      this.github.fetchRepo(model.linkedGithub.owner, model.linkedGithub.repo),
    );
    return fetched?.metadata.kind === 'github' ? fetched.metadata : null;
  }

  /** The training datasets the card names; when it names none, the datasets it was evaluated on. */
  private async linkedDatasets(model: HuggingFaceMetadata): Promise<HuggingFaceMetadata[]> {
    const evaluated = model.card.facts.evalResults.map((result) => result.dataset).filter((d) => d !== null);
    const names = model.datasets.length > 0 ? model.datasets : [...new Set(evaluated)];
    const fetched = await Promise.all(
      names.slice(0, MAX_DATASETS).map((name) => absentIfMissing(this.huggingFace.fetchDataset(name))),
    );
    const unique = new Map<string, HuggingFaceMetadata>();
    for (const source of fetched) {
      if (source?.metadata.kind === 'hf-dataset') unique.set(source.metadata.repoId, source.metadata);
    }
    return [...unique.values()];
  }
}

async function absentIfMissing<T>(pending: Promise<T>): Promise<T | null> {
  try {
    return await pending;
  } catch (error) {
    // A reference that names nothing fetchable (unknown, or not a valid id) is absent evidence.
    if (error instanceof NotFoundError || error instanceof BadRequestError) return null;
    throw error;
  }
}
