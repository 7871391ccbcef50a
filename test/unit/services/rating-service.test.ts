import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import type { ArtifactRecord } from '../../../src/domain/artifact.js';
import { DisqualifiedError } from '../../../src/domain/errors.js';
import { DEFAULT_GATE_POLICY, type GatePolicy } from '../../../src/rating/gate.js';
import type { MetricSet } from '../../../src/rating/pipeline.js';
import { EvidenceService } from '../../../src/services/evidence-service.js';
import { LineageService } from '../../../src/services/lineage-service.js';
import { RatingService, type RatingServiceOptions } from '../../../src/services/rating-service.js';
import { createGitHubSource } from '../../../src/sources/github.js';
import { createHuggingFaceSource } from '../../../src/sources/huggingface.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { uploadedModel } from '../lineage/records.js';
import { memoryStore } from '../support/metadata-records.js';

const README = `---
license: apache-2.0
---
# A classifier

Install with \`pip install transformers\`, then:

\`\`\`python
from transformers import pipeline
classifier = pipeline("text-classification", model="acme/classifier")
\`\`\`

Accuracy 0.91 on IMDB (test split).
`;

/** No upstream calls: the uploaded models here link no repository or dataset. */
const noNetwork: typeof fetch = () => Promise.reject(new Error('unit tests have no network'));

let store: MetadataStore;
let evidence: EvidenceService;
/** How many times the rating's license metric was computed (each time a rating is computed). */
let computed = 0;
const countingMetrics: Partial<MetricSet> = {
  license: () => {
    computed++;
    return { score: 1, reason: 'Apache-2.0 is compatible with LGPL-2.1.' };
  },
};

beforeEach(async () => {
  store = await memoryStore();
  const { sources } = loadConfig({});
  evidence = new EvidenceService(
    store,
    new LineageService(store),
    createHuggingFaceSource(sources, { fetch: noNetwork }),
    createGitHubSource(sources, { fetch: noNetwork }),
  );
  computed = 0;
});

afterEach(() => store.close());

function ratings(options: Partial<RatingServiceOptions> = {}) {
  return new RatingService(store, evidence, {
    gate: DEFAULT_GATE_POLICY,
    scoringVersion: 'scoring-1',
    rateOptions: { metrics: countingMetrics },
    ...options,
  });
}

/** An uploaded model with the README and a 400 MB weights file (lineage reads the README). */
async function model(name: string, readme = README): Promise<ArtifactRecord> {
  const uploaded = uploadedModel(name, { readme });
  const weights = {
    path: 'model.safetensors',
    size: 400_000_000,
    compressedSize: 400_000_000,
    aspect: 'weights' as const,
  };
  const record = { ...uploaded, facts: { ...uploaded.facts, files: [weights] } };
  await store.insertArtifact(record);
  return record;
}

describe('RatingService.explained', () => {
  it('computes a rating with a reason per metric, and keeps it with its inputs and scoring version', async () => {
    const record = await model('classifier');
    const { rating, reasons } = await ratings().explained(record);
    expect(rating.name).toBe('classifier');
    expect(rating.license).toBe(1);
    expect(rating.net_score).toBeGreaterThan(0);
    expect(rating.net_score).toBeLessThanOrEqual(1);
    expect(reasons.license).toBe('Apache-2.0 is compatible with LGPL-2.1.');
    expect(Object.keys(reasons)).toContain('ramp_up_time');

    const kept = await store.getRating(record.id);
    expect(kept?.scoringVersion).toBe('scoring-1');
    expect(kept?.inputs).toContain(record.packageDigest);
    expect(kept?.body).toMatchObject({ name: 'classifier', net_score: rating.net_score, reasons });
  });

  it('reuses the kept rating while nothing it depends on changed', async () => {
    const record = await model('classifier');
    const service = ratings();
    const first = await service.rating(record);
    const second = await service.explained(record);
    expect(computed).toBe(1);
    expect(second.rating).toEqual(first);
    expect(second.reasons.license).toBe('Apache-2.0 is compatible with LGPL-2.1.');
  });

  it('recomputes under another scoring version', async () => {
    const record = await model('classifier');
    await ratings().rating(record);
    await ratings({ scoringVersion: 'scoring-2' }).rating(record);
    expect(computed).toBe(2);
    expect((await store.getRating(record.id))?.scoringVersion).toBe('scoring-2');
  });

  it('recomputes when the artifact changed since', async () => {
    const record = await model('classifier');
    await ratings().rating(record);
    await ratings().rating({ ...record, updatedAt: new Date(record.updatedAt.getTime() + 1000) });
    expect(computed).toBe(2);
  });

  it('recomputes a kept rating from before reasons were kept', async () => {
    const record = await model('classifier');
    await ratings().rating(record);
    const kept = await store.getRating(record.id);
    const { reasons: _, ...withoutReasons } = kept?.body ?? {};
    await store.putRating(record.id, {
      ...(kept ?? { inputs: '', scoringVersion: '', computedAt: new Date() }),
      body: withoutReasons,
    });
    const { reasons } = await ratings().explained(record);
    expect(computed).toBe(2);
    expect(reasons.license).toBeDefined();
    expect((await store.getRating(record.id))?.body.reasons).toEqual(reasons);
  });

  it("recomputes a model's rating when a parent's score changed", async () => {
    const parent = await model('base-classifier');
    const child = await model(
      'tuned-classifier',
      `---\nbase_model: base-classifier\nlicense: apache-2.0\n---\n# Tuned\n`,
    );
    const service = ratings();
    await service.rating(parent);
    const before = await service.rating(child);
    expect(computed).toBe(2);
    expect(before.tree_score).toBe((await service.rating(parent)).net_score);

    const kept = await store.getRating(parent.id);
    if (!kept) throw new Error('the parent has no kept rating');
    await store.putRating(parent.id, { ...kept, body: { ...kept.body, net_score: 0.05 } });
    const after = await service.rating(child);
    expect(computed).toBe(3);
    expect(after.tree_score).toBe(0.05);
  });
});

it('rates a model whose parent is not in the registry, and reuses that rating', async () => {
  const child = await model(
    'orphan-tune',
    `---\nbase_model: someone/unknown-base\nlicense: apache-2.0\n---\n# Tuned\n`,
  );
  const service = ratings();
  const first = await service.rating(child);
  expect(await service.rating(child)).toEqual(first);
  expect(computed).toBe(1);
  expect((await store.getRating(child.id))?.inputs).toContain('someone/unknown-base=-');
});

describe('RatingService.admit', () => {
  const lenient: GatePolicy = { ...DEFAULT_GATE_POLICY, threshold: 0, excluded: [] };

  it('admits a model the gate passes, without keeping anything yet', async () => {
    const record = await model('classifier');
    const { rating } = await ratings({ gate: lenient }).admit(record);
    expect(rating.name).toBe('classifier');
    expect(await store.getRating(record.id)).toBeNull();
  });

  it('refuses with 424, naming each failing metric with its score, threshold and reason', async () => {
    const record = await model('classifier');
    const strict: GatePolicy = {
      ...DEFAULT_GATE_POLICY,
      threshold: 0,
      thresholds: { license: 1.5, net_score: 1 },
    };
    const error = await ratings({ gate: strict })
      .admit(record)
      .then(
        () => null,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(DisqualifiedError);
    const refusal = error as DisqualifiedError;
    expect(refusal.statusCode).toBe(424);
    const prefix = 'classifier is not admitted by the ingest gate: ';
    expect(refusal.message.startsWith(prefix)).toBe(true);
    const failures = refusal.message.slice(prefix.length, -1).split('; ');
    expect(failures).toContain('license 1.00 < 1.5 (Apache-2.0 is compatible with LGPL-2.1.)');
    expect(failures).toContainEqual(
      expect.stringMatching(
        /^net_score 0\.\d\d < 1 \(The weighted combination of the metrics \(docs\/metrics\.md\)\.\)$/,
      ),
    );
    expect(refusal.details).toEqual(
      expect.arrayContaining([
        { metric: 'license', score: 1, threshold: 1.5, reason: 'Apache-2.0 is compatible with LGPL-2.1.' },
      ]),
    );
  });

  it('names a failing device of size_score with the size reason', async () => {
    const record = await model('classifier');
    const perDevice: GatePolicy = { ...lenient, sizeDevice: 'any', thresholds: { size_score: 0.99 } };
    const error = (await ratings({ gate: perDevice })
      .admit(record)
      .catch((caught: unknown) => caught)) as DisqualifiedError;
    const { size_score: sizeReason } = (await ratings({ gate: lenient }).admit(record)).reasons;
    expect(error.details).toContainEqual(
      expect.objectContaining({ metric: 'size_score.raspberry_pi', threshold: 0.99, reason: sizeReason }),
    );
  });

  it('refuses a model that cannot be rated, with the reason', async () => {
    const record = await model('classifier');
    const broken = ratings({
      gate: lenient,
      rateOptions: {
        metrics: {
          license: () => {
            throw new Error('the license text is unreadable');
          },
        },
      },
    });
    await expect(broken.admit(record)).rejects.toMatchObject({
      statusCode: 424,
      message:
        'classifier cannot be rated, so it is not admitted: Rating failed: license: the license text is unreadable',
    });
  });

  it('keeps the admitting rating under the stored name, so the first /rate reuses it', async () => {
    const candidate = await model('candidate-name');
    const service = ratings({ gate: lenient });
    const admitted = await service.admit(candidate);
    const stored = { ...candidate, name: 'stored-name' };
    await service.keep(stored, admitted);
    const kept = await store.getRating(candidate.id);
    expect(kept?.body).toMatchObject({ name: 'stored-name', reasons: admitted.reasons });
    const rating = await service.rating(stored);
    expect(computed).toBe(1);
    expect(rating).toEqual({ ...admitted.rating, name: 'stored-name' });
  });
});
