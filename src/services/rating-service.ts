import type { ArtifactRecord } from '../domain/artifact.js';
import { DisqualifiedError } from '../domain/errors.js';
import type { ParentEvidence } from '../rating/evidence.js';
import { evaluateGate, type GatePolicy } from '../rating/gate.js';
import {
  type ExplainedRating,
  explain,
  type ModelRating,
  type RateOptions,
  type RatingReasons,
  rate,
} from '../rating/pipeline.js';
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
    return (await this.explained(record)).rating;
  }

  /** The rating with the reason behind each score (kept together, so both always agree). */
  async explained(record: ArtifactRecord): Promise<ExplainedRating> {
    const parents = await this.evidence.parents(record);
    const inputs = fingerprint(record, parents);
    const kept = await this.store.getRating(record.id);
    const { scoringVersion } = this.options;
    if (kept && kept.inputs === inputs && kept.scoringVersion === scoringVersion && hasReasons(kept.body)) {
      const { reasons, ...rating } = kept.body;
      return { rating: rating as ModelRating, reasons };
    }
    const evidence = await this.evidence.gather(record);
    const explained = explain(
      await rate({ ...evidence, parents }, { ...this.options.rateOptions, name: record.name }),
    );
    await this.store.putRating(record.id, {
      body: storedBody(explained),
      inputs,
      scoringVersion,
      computedAt: new Date(),
    });
    return explained;
  }

  /**
   * The ingest gate for a public model about to be stored (`candidate` is its record as it would
   * be): rates it and answers 424, naming each failing metric with its reason, when the policy
   * refuses it.
   */
  async admit(candidate: ArtifactRecord): Promise<ExplainedRating> {
    const evidence = await this.evidence.gather(candidate);
    let explained: ExplainedRating;
    try {
      explained = explain(await rate(evidence, { ...this.options.rateOptions, name: candidate.name }));
    } catch (error) {
      throw new DisqualifiedError(
        `${candidate.name} cannot be rated, so it is not admitted: ${(error as Error).message}`,
      );
    }
    const verdict = evaluateGate(explained.rating, this.options.gate);
    if (!verdict.passed) {
      const reasons: Record<string, string> = { ...explained.reasons, net_score: NET_SCORE_REASON };
      const failing = verdict.failing.map((f) => ({
        ...f,
        reason: reasons[f.metric.split('.')[0] ?? ''] ?? '',
      }));
      throw new DisqualifiedError(
        `${candidate.name} is not admitted by the ingest gate: ${failing
          .map((f) => `${f.metric} ${f.score.toFixed(2)} < ${f.threshold} (${f.reason})`)
          .join('; ')}.`,
        failing,
      );
    }
    return explained;
  }

  /** Keep the rating computed at admission for the artifact that was stored. */
  async keep(record: ArtifactRecord, admitted: ExplainedRating): Promise<void> {
    const parents = await this.evidence.parents(record);
    await this.store.putRating(record.id, {
      body: storedBody({ rating: { ...admitted.rating, name: record.name }, reasons: admitted.reasons }),
      inputs: fingerprint(record, parents),
      scoringVersion: this.options.scoringVersion,
      computedAt: new Date(),
    });
  }
}

const NET_SCORE_REASON = 'The weighted combination of the metrics (docs/metrics.md).';

/** Kept as the contract's ModelRating (parents' net_score is read from it) plus `reasons`. */
function storedBody({ rating, reasons }: ExplainedRating): Record<string, unknown> {
  return { ...rating, reasons };
}

/** Ratings kept before reasons were kept with them are recomputed once. */
function hasReasons(
  body: Record<string, unknown>,
): body is Record<string, unknown> & { reasons: RatingReasons } {
  return typeof body.reasons === 'object' && body.reasons !== null;
}

function fingerprint(record: ArtifactRecord, parents: ParentEvidence[]): string {
  const parentScores = parents.map((p) => `${p.id ?? p.name}=${p.netScore ?? '-'}`).sort();
  return JSON.stringify([record.packageDigest, record.updatedAt.getTime(), parentScores]);
}
