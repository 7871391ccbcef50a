import type { MetadataStore } from '../storage/metadata/metadata-store.js';
import type { ModelPopularity } from '../storage/metadata/popularity-store.js';
import { type BotSignal, botPattern, MIN_DOWNLOADS } from './confusion-bots.js';
import { TargetIndex } from './confusion-index.js';
import { label, type NameIdentity, type NameReason, nameReasons } from './confusion-names.js';
import { lowerPopularity, MIN_TARGET_POPULARITY, popularityOf } from './confusion-popularity.js';

/** How the audit is bounded and when it flags; see docs/security.md. */
export const CONFUSION_POLICY = {
  /** The most popular models indexed as possible targets (memory is O(this × name length)). */
  maxTargets: 10_000,
  /** Rows read per round trip while scanning the registry's models. */
  pageSize: 500,
  /** Targets kept per index key (the most popular): a name shared by thousands stays cheap to look up. */
  maxTargetsPerKey: 20,
  /** Recent accesses read per suspect for the bot-farm signal. */
  recentAccesses: 2_000,
  /** Accesses older than this are dropped from the log when the audit runs (counters stay). */
  accessRetentionMs: 90 * 86_400_000,
  /** Flag at or above this score. */
  threshold: 0.6,
  /** The name signal needs support from popularity or bot evidence at least this strong. */
  minEvidence: 0.3,
};

export interface SuspectedModel {
  artifact_id: string;
  name: string;
  source_url: string;
  metadata: {
    score: number;
    imitates: { artifact_id: string; name: string; source_url: string };
    reasons: Array<{
      signal: 'name' | 'popularity' | 'bot-downloads';
      kind: string;
      detail: string;
      strength: number;
    }>;
  };
}

interface Model extends ModelPopularity {
  identity: NameIdentity;
  popularityScore: number;
}

/**
 * The package-confusion audit: models whose name imitates a far more popular model's, scored by
 * three independent signals (confusion-names, confusion-popularity, confusion-bots). Two
 * passes over the models in registry order: the first keeps the most popular as targets and
 * indexes their names, the second looks every model up in that index. Time O(N·L) for N
 * models with names up to L characters, memory O(K·L) for K targets, plus one bounded read of
 * recent accesses per model whose name matched.
 */
export class ConfusionAudit {
  constructor(private readonly store: MetadataStore) {}

  async run(now = new Date()): Promise<SuspectedModel[]> {
    await this.store.popularity.pruneAccessBefore(
      new Date(now.getTime() - CONFUSION_POLICY.accessRetentionMs),
    );
    const targets = await this.popularTargets();
    const index = new TargetIndex(targets, CONFUSION_POLICY.maxTargetsPerKey);
    const suspected: SuspectedModel[] = [];
    for await (const model of this.models()) {
      const verdict = await this.judge(model, index);
      if (verdict) suspected.push(verdict);
    }
    return suspected.sort((a, b) => b.metadata.score - a.metadata.score || cmp(a.name, b.name));
  }

  private async judge(model: Model, index: TargetIndex<Model>): Promise<SuspectedModel | null> {
    const matches: Array<{ target: Model; reasons: NameReason[] }> = [];
    for (const target of index.candidates(model.identity.name)) {
      if (target.id === model.id || target.popularityScore <= model.popularityScore) continue;
      const reasons = nameReasons(model.identity, target.identity);
      if (reasons.length > 0) matches.push({ target, reasons });
    }
    for (const [a, b] of index.combinations(model.identity.name)) {
      const target = a.popularityScore >= b.popularityScore ? a : b;
      if (target.id === model.id || target.popularityScore <= model.popularityScore) continue;
      const detail = `"${model.identity.name}" joins the names of ${label(a.identity)} and ${label(b.identity)}`;
      matches.push({ target, reasons: [{ kind: 'combination', detail, strength: 0.7 }] });
    }
    if (matches.length === 0) return null;
    // The access log is read only when there are enough downloads for the bot signal to exist.
    const bots =
      model.popularity.downloads >= MIN_DOWNLOADS
        ? botPattern(await this.store.popularity.recentAccess(model.id, CONFUSION_POLICY.recentAccesses))
        : { strength: 0, indicators: [] };
    let best: SuspectedModel | null = null;
    for (const { target, reasons } of matches) {
      const scored = score(model, target, reasons, bots);
      if (scored && (!best || scored.metadata.score > best.metadata.score)) best = scored;
    }
    return best;
  }

  /** The most popular models (at least MIN_TARGET_POPULARITY), at most maxTargets, most popular first. */
  private async popularTargets(): Promise<Model[]> {
    let kept: Model[] = [];
    for await (const model of this.models()) {
      if (model.popularityScore < MIN_TARGET_POPULARITY) continue;
      kept.push(model);
      if (kept.length >= 2 * CONFUSION_POLICY.maxTargets) kept = mostPopular(kept);
    }
    return mostPopular(kept);
  }

  private async *models(): AsyncGenerator<Model> {
    let after: string | undefined;
    do {
      const page = await this.store.popularity.scanModels({ after, limit: CONFUSION_POLICY.pageSize });
      for (const row of page.items) {
        yield { ...row, identity: identityOf(row), popularityScore: popularityOf(row) };
      }
      after = page.next ?? undefined;
    } while (after !== undefined);
  }
}

function mostPopular(models: Model[]): Model[] {
  return models.sort((a, b) => b.popularityScore - a.popularityScore).slice(0, CONFUSION_POLICY.maxTargets);
}

/** Score = 0.6 × name + 0.4 × the stronger of lower popularity and bot downloads. */
function score(model: Model, target: Model, reasons: NameReason[], bots: BotSignal): SuspectedModel | null {
  const name = Math.max(...reasons.map((reason) => reason.strength));
  const popularity = lowerPopularity(model, target);
  const evidence = Math.max(popularity.strength, bots.strength);
  const total = Math.round((0.6 * name + 0.4 * evidence) * 1000) / 1000;
  if (evidence < CONFUSION_POLICY.minEvidence || total < CONFUSION_POLICY.threshold) return null;
  return {
    artifact_id: model.id,
    name: model.name,
    source_url: model.sourceUrl,
    metadata: {
      score: total,
      imitates: { artifact_id: target.id, name: target.name, source_url: target.sourceUrl },
      reasons: [
        ...reasons.map((reason) => ({ signal: 'name' as const, ...reason })),
        ...(popularity.strength > 0
          ? [
              {
                signal: 'popularity' as const,
                kind: 'lower-popularity',
                detail: popularity.detail,
                strength: round(popularity.strength),
              },
            ]
          : []),
        ...bots.indicators.map((indicator) => ({
          signal: 'bot-downloads' as const,
          kind: indicator.name,
          detail: indicator.detail,
          strength: round(indicator.strength),
        })),
      ],
    },
  };
}

/** Organisation and name: from the Hugging Face or GitHub URL, or an `org/name` artifact name. */
export function identityOf(model: Pick<ModelPopularity, 'name' | 'sourceUrl'>): NameIdentity {
  const hosted = /^https:\/\/(?:huggingface\.co|github\.com)\/([^/]+)\/[^/]+/.exec(model.sourceUrl);
  if (hosted?.[1]) return { org: hosted[1], name: model.name };
  const slash = model.name.lastIndexOf('/');
  return slash > 0
    ? { org: model.name.slice(0, slash), name: model.name.slice(slash + 1) }
    : { org: null, name: model.name };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
