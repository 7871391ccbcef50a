import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../../src/domain/artifact.js';
import { CONFUSION_POLICY, ConfusionAudit, identityOf } from '../../../src/services/confusion-audit.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import type { AccessEvent } from '../../../src/storage/metadata/popularity-store.js';
import { artifactRecord, memoryStore } from '../support/metadata-records.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

let store: MetadataStore;
let seq = 0;

beforeEach(async () => {
  store = await memoryStore();
});

afterEach(() => store.close());

/** A model ingested from Hugging Face with the hub's download count. */
async function hubModel(org: string, name: string, hubDownloads: number): Promise<ArtifactRecord> {
  const record = artifactRecord(`hub-${++seq}`, {
    name,
    sourceUrl: `https://huggingface.co/${org}/${name}`,
    sourceMetadata: { kind: 'hf-model', repoId: `${org}/${name}`, downloads: hubDownloads },
  });
  await store.insertArtifact(record);
  return record;
}

/** A model uploaded to the registry under `name`. */
async function uploadedModel(name: string, type: ArtifactRecord['type'] = 'model'): Promise<ArtifactRecord> {
  const record = artifactRecord(`up-${++seq}`, { name, type, sourceUrl: `upload:${name}` });
  await store.insertArtifact(record);
  return record;
}

/** `count` downloads of `id` by one account from one address, a second apart, the day before NOW. */
function botDownloads(id: string, count: number): AccessEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    artifactId: id,
    kind: 'download' as const,
    userName: 'farm',
    client: '10.0.0.9',
    at: new Date(NOW.getTime() - DAY + i * 1000),
  }));
}

describe('ConfusionAudit', () => {
  it('flags a look-alike of a far more popular model, naming the original and every signal', async () => {
    const original = await hubModel('google-bert', 'bert-base-uncased', 2_000_000);
    const copy = await uploadedModel('bert-base-uncsed');
    await uploadedModel('invoice-ocr');

    const suspected = await new ConfusionAudit(store).run(NOW);
    expect(suspected).toHaveLength(1);
    const [entry] = suspected;
    expect(entry).toMatchObject({
      artifact_id: copy.id,
      name: 'bert-base-uncsed',
      source_url: 'upload:bert-base-uncsed',
      metadata: {
        imitates: { artifact_id: original.id, name: 'bert-base-uncased', source_url: original.sourceUrl },
      },
    });
    const signals = entry?.metadata.reasons.map((reason) => reason.signal);
    expect(signals).toContain('name');
    expect(entry?.metadata.reasons).toContainEqual(
      expect.objectContaining({ signal: 'popularity', kind: 'lower-popularity', strength: 1 }),
    );
    expect(entry?.metadata.score).toBeGreaterThanOrEqual(CONFUSION_POLICY.threshold);
    expect(entry?.metadata.score).toBeLessThanOrEqual(1);
  });

  it('does not flag a look-alike that is itself about as popular as the original', async () => {
    await hubModel('google-bert', 'bert-base-uncased', 2_000_000);
    await hubModel('someone', 'bert-base-uncsed', 1_500_000);
    expect(await new ConfusionAudit(store).run(NOW)).toEqual([]);
  });

  it('does not treat a model below the minimum popularity as anybody’s target', async () => {
    await hubModel('small-lab', 'tiny-classifier', 50);
    await uploadedModel('tiny-classifler');
    expect(await new ConfusionAudit(store).run(NOW)).toEqual([]);
  });

  it('ignores datasets and code: only models are audited', async () => {
    await hubModel('google-bert', 'bert-base-uncased', 2_000_000);
    await uploadedModel('bert-base-uncsed', 'dataset');
    expect(await new ConfusionAudit(store).run(NOW)).toEqual([]);
  });

  it('flags a name joined from two popular names as imitating the more popular one', async () => {
    await hubModel('openai-community', 'gpt2', 5_000_000);
    const whisper = await hubModel('openai', 'whisper-tiny', 9_000_000);
    const joined = await uploadedModel('gpt2-whisper-tiny');
    const [entry] = await new ConfusionAudit(store).run(NOW);
    expect(entry?.artifact_id).toBe(joined.id);
    expect(entry?.metadata.imitates.artifact_id).toBe(whisper.id);
    expect(entry?.metadata.reasons[0]).toMatchObject({
      signal: 'name',
      kind: 'combination',
      strength: 0.7,
      detail: expect.stringMatching(/^"gpt2-whisper-tiny" joins the names of .*gpt2.* and .*whisper-tiny/),
    });
  });

  it('adds the bot-farm indicators of a copy whose downloads come from one source in a burst', async () => {
    await hubModel('openai', 'whisper-tiny', 3_000_000);
    const copy = await uploadedModel('whisper-tiny-official');
    await store.popularity.record(botDownloads(copy.id, 40));
    const [entry] = await new ConfusionAudit(store).run(NOW);
    expect(entry?.artifact_id).toBe(copy.id);
    const bots = entry?.metadata.reasons.filter((reason) => reason.signal === 'bot-downloads') ?? [];
    expect(bots.map((reason) => reason.kind)).toEqual(expect.arrayContaining(['few-sources', 'burst']));
    for (const reason of bots) expect(reason.strength).toBeGreaterThan(0);
  });

  it('orders the suspects by score, then by name', async () => {
    await hubModel('google-bert', 'bert-base-uncased', 2_000_000);
    await hubModel('openai', 'whisper-tiny', 3_000_000);
    await uploadedModel('whisper-tiny-v2');
    await uploadedModel('bert-base-uncased-v2');
    await uploadedModel('BERT_base_uncased');
    const suspected = await new ConfusionAudit(store).run(NOW);
    expect(suspected.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < suspected.length; i++) {
      const [before, after] = [suspected[i - 1], suspected[i]];
      const [a, b] = [before?.metadata.score ?? 0, after?.metadata.score ?? 0];
      expect(a > b || (a === b && (before?.name ?? '') < (after?.name ?? ''))).toBe(true);
    }
  });

  it('orders copies with equal scores by name', async () => {
    await hubModel('google-bert', 'bert-base-uncased', 2_000_000);
    for (const name of ['bert-base-uncasex', 'bert-base-uncasea', 'bert-base-uncaseb'])
      await uploadedModel(name);
    const suspected = await new ConfusionAudit(store).run(NOW);
    expect(new Set(suspected.map((entry) => entry.metadata.score)).size).toBe(1);
    expect(suspected.map((entry) => entry.name)).toEqual([
      'bert-base-uncasea',
      'bert-base-uncaseb',
      'bert-base-uncasex',
    ]);
  });

  it('judges a name joined from two popular names against the more popular, whichever comes first', async () => {
    const whisper = await hubModel('openai', 'whisper-tiny', 9_000_000);
    await hubModel('openai-community', 'gpt2', 5_000_000);
    await uploadedModel('whisper-tiny-gpt2');
    const [entry] = await new ConfusionAudit(store).run(NOW);
    expect(entry?.metadata.imitates.artifact_id).toBe(whisper.id);
  });

  it('keeps the strongest match when a name resembles several popular models', async () => {
    await hubModel('org-a', 'whisper-tiny', 200_000);
    const bigger = await hubModel('org-b', 'whisper-tiny', 50_000_000);
    const copy = await uploadedModel('whisper-tlny');
    const suspected = await new ConfusionAudit(store).run(NOW);
    // The less popular original is itself a same-name copy of the bigger one.
    const ofCopy = suspected.find((entry) => entry.artifact_id === copy.id);
    expect(ofCopy?.metadata.imitates.artifact_id).toBe(bigger.id);
  });

  it('drops accesses older than the retention period from the log when it runs', async () => {
    const copy = await uploadedModel('some-model');
    const old = new Date(NOW.getTime() - CONFUSION_POLICY.accessRetentionMs - DAY);
    const recent = new Date(NOW.getTime() - DAY);
    await store.popularity.record([
      { artifactId: copy.id, kind: 'view', userName: 'a', client: '1.1.1.1', at: old },
      { artifactId: copy.id, kind: 'view', userName: 'a', client: '1.1.1.1', at: recent },
    ]);
    await new ConfusionAudit(store).run(NOW);
    const kept = await store.popularity.recentAccess(copy.id, 10);
    expect(kept.map((event) => event.at.getTime())).toEqual([recent.getTime()]);
    expect((await store.popularity.get(copy.id)).views).toBe(2);
  });

  describe('with small bounds', () => {
    const saved = { ...CONFUSION_POLICY };
    afterEach(() => Object.assign(CONFUSION_POLICY, saved));

    it('reads the models page by page and keeps only the most popular as targets', async () => {
      CONFUSION_POLICY.pageSize = 2;
      CONFUSION_POLICY.maxTargets = 1;
      // Popular names that crowd the target list: only the most popular (whisper-tiny) stays a target.
      for (let i = 0; i < 4; i++) await hubModel('org', `filler-model-${i}`, 1000 + i);
      await hubModel('openai', 'whisper-tiny', 3_000_000);
      await hubModel('google-bert', 'bert-base-uncased', 2_000_000);
      const whisperCopy = await uploadedModel('whisper-tlny');
      await uploadedModel('bert-base-uncsed');
      const suspected = await new ConfusionAudit(store).run(NOW);
      expect(suspected.map((entry) => entry.artifact_id)).toEqual([whisperCopy.id]);
    });
  });
});

describe('identityOf', () => {
  it.each([
    [
      { name: 'gpt2', sourceUrl: 'https://huggingface.co/openai-community/gpt2' },
      { org: 'openai-community', name: 'gpt2' },
    ],
    [
      { name: 'transformers', sourceUrl: 'https://github.com/huggingface/transformers' },
      { org: 'huggingface', name: 'transformers' },
    ],
    [
      { name: 'acme/classifier', sourceUrl: 'upload:acme/classifier' },
      { org: 'acme', name: 'classifier' },
    ],
    [
      { name: 'classifier', sourceUrl: 'https://example.com/classifier.zip' },
      { org: null, name: 'classifier' },
    ],
    [
      { name: '/classifier', sourceUrl: 'upload:/classifier' },
      { org: null, name: '/classifier' },
    ],
  ])('reads %o as %o', (model, identity) => {
    expect(identityOf(model)).toEqual(identity);
  });
});
