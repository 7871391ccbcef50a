import type { GitHubMetadata, HuggingFaceMetadata } from '../sources/source.js';
import type { CardAssessment } from './llm/card-assessor.js';

/** A lineage parent as the registry knows it. */
export interface ParentEvidence {
  /** Registry artifact id; null when the parent is not in the registry. */
  id: string | null;
  name: string;
  /** The parent's stored net_score; null when it has not been rated. */
  netScore: number | null;
}

/**
 * Everything a metric may read. Gathered before rating (by the sources clients, or built from an
 * uploaded package), so metrics stay pure functions and rating does no I/O of its own.
 * Uploaded private models carry an equivalent HuggingFaceMetadata with empty hub statistics
 * (0 downloads, no commits): metrics must treat missing fields as "no evidence", not fail.
 */
export interface RatingEvidence {
  model: HuggingFaceMetadata;
  /** The code repository the card links, when there is one and it could be fetched. */
  github: GitHubMetadata | null;
  /** The linked datasets that could be fetched. */
  datasets: HuggingFaceMetadata[];
  parents: ParentEvidence[];
  /** Injected clock for recency, so results do not depend on when the test runs. */
  now: Date;
  /**
   * The optional LLM reading of the card (docs/metrics.md, "LLM assistance"): absent when no LLM
   * is configured or there is no card, null when the LLM was asked and failed.
   */
  cardAssessment?: CardAssessment | null;
}
