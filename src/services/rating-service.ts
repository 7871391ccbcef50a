import type { ArtifactRecord } from '../domain/artifact.js';
import { DisqualifiedError } from '../domain/errors.js';
import type { ParentEvidence } from '../rating/evidence.js';
import { evaluateGate, type GatePolicy } from '../rating/gate.js';
import { type ModelRating, type RateOptions, rate, toModelRating } from '../rating/pipeline.js';
import type { MetadataStore } from '../storage/metadata/metadata-store.js';
import type { EvidenceService } from './evidence-service.js';

export interface RatingServiceOptions {
  gate: GatePolicy;
  /** Stored with every rating; a kept rating under another version is recomputed. */
  scoringVersion: string;
  /** Passed to the pipeline (e.g. an execution checker for reproducibility). */
  rateOptions?: Omit<RateOptions, 'name'>;
}

/**
 * Ratings of stored models, computed from gathered evidence and kept with the artifact. A kept
 * rating is reused while the artifact and its parents' scores are unchanged (the fingerprint)
 * and it was computed under the current scoring version, so `/rate` is cheap; a change to any of
 * them recomputes it.
 */
export class RatingService {
  constructor(
    private readonly store: MetadataStore,
    private readonly evidence: EvidenceService,
    private readonly options: RatingServiceOptions,
  ) {}

  async rating(record: ArtifactRecord): Promise<ModelRating> {
    const parents = await this.evidence.parents(record);
    const inputs = fingerprint(record, parents);
    const kept = await this.store.getRating(record.id);
    const { scoringVersion } = this.options;
    if (kept && kept.inputs === inputs && kept.scoringVersion === scoringVersion) {
      return kept.body as ModelRating;
    }
    const evidence = await this.evidence.gather(record);
    const rating = toModelRating(
      await rate({ ...evidence, parents }, { ...this.options.rateOptions, name: record.name }),
    );
    await this.store.putRating(record.id, { body: rating, inputs, scoringVersion, computedAt: new Date() });
    return rating;
  }

  /**
   * The ingest gate for a public model about to be stored (`candidate` is its record as it would
   * be): rates it and answers 424, naming each failing metric, when the policy refuses it.
   */
  async admit(candidate: ArtifactRecord): Promise<ModelRating> {
    const evidence = await this.evidence.gather(candidate);
    let rating: ModelRating;
    try {
      rating = toModelRating(await rate(evidence, { ...this.options.rateOptions, name: candidate.name }));
    } catch (error) {
      throw new DisqualifiedError(
        `${candidate.name} cannot be rated, so it is not admitted: ${(error as Error).message}`,
      );
    }
    const verdict = evaluateGate(rating, this.options.gate);
    if (!verdict.passed) {
      const failing = verdict.failing
        .map((f) => `${f.metric} ${f.score.toFixed(2)} < ${f.threshold}`)
        .join(', ');
      throw new DisqualifiedError(
        `${candidate.name} is not admitted by the ingest gate: ${failing}.`,
        verdict.failing,
      );
    }
    return rating;
  }

  /** Keep the rating computed at admission for the artifact that was stored. */
  async keep(record: ArtifactRecord, rating: ModelRating): Promise<void> {
    const parents = await this.evidence.parents(record);
    await this.store.putRating(record.id, {
      body: { ...rating, name: record.name },
      inputs: fingerprint(record, parents),
      scoringVersion: this.options.scoringVersion,
      computedAt: new Date(),
    });
  }
}

function fingerprint(record: ArtifactRecord, parents: ParentEvidence[]): string {
  const parentScores = parents.map((p) => `${p.id ?? p.name}=${p.netScore ?? '-'}`).sort();
  return JSON.stringify([record.packageDigest, record.updatedAt.getTime(), parentScores]);
}
