import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../../src/domain/artifact.js';
import type { CardAssessment } from '../../../src/rating/llm/card-assessor.js';
import { EvidenceService } from '../../../src/services/evidence-service.js';
import { LineageService } from '../../../src/services/lineage-service.js';
import { packageModelMetadata } from '../../../src/services/package-evidence.js';
import { rateLimitedError } from '../../../src/sources/upstream-fetch.js';
import { makeZip, safetensorsBytes } from '../../support/zips.js';
import { cardText } from '../rating/evidence-builder.js';
import { type ArtifactServices, artifactServices } from '../support/artifact-services.js';
import { actor, body, type RegistryParts, registryParts } from '../support/registry-parts.js';

let parts: RegistryParts;
let services: ArtifactServices;

beforeEach(async () => {
  parts = await registryParts({ GATE_ENABLED: 'false' });
  services = artifactServices(parts);
});
afterEach(() => parts.close());

async function uploadModel(name: string, readme: string, config?: object): Promise<ArtifactRecord> {
  const zip = await makeZip([
    { path: 'README.md', content: readme },
    ...(config ? [{ path: 'config.json', content: JSON.stringify(config) }] : []),
    { path: 'model.safetensors', content: safetensorsBytes(4096), store: true },
    { path: 'train.py', content: 'print(1)\n' },
  ]);
  return services.artifacts.upload('model', { name, version: '1.2.0', body: body(zip) }, actor('alice'));
}

const README = cardText(
  [
    'license: mit',
    'datasets:',
    '- acme/reviews',
    '- acme/missing',
    '- "not a valid id!"',
    'pipeline_tag: text-classification',
  ],
  'Code at https://github.com/acme/trainer.\n',
);

describe('evidence of an uploaded model, read from its package', () => {
  it('is hub-shaped: card facts, config, files and sizes, links; no hub statistics', async () => {
    const record = await uploadModel('sentiment', README, {
      model_type: 'bert',
      architectures: ['BertModel'],
    });
    const model = packageModelMetadata(record);
    expect(model).toMatchObject({
      kind: 'hf-model',
      repoId: 'sentiment',
      sha: record.packageDigest,
      author: 'alice',
      downloads: 0,
      likes: 0,
      pipelineTag: 'text-classification',
      version: '1.2.0',
      weightsBytes: 4096,
      gitTags: [],
      linkedGithub: { owner: 'acme', repo: 'trainer' },
    });
    expect(model.card.text).toBe(README);
    expect(model.config).not.toBeNull();
    expect(model.datasets).toEqual(['acme/reviews', 'acme/missing']);
    expect(model.totalBytes).toBe(record.facts.files.reduce((sum, file) => sum + file.size, 0));
    expect(services.evidence.modelMetadata(record)).toEqual(model);
  });
});

describe('gathering', () => {
  it('fetches the linked repository and the named datasets; the missing ones are absent', async () => {
    services.github.repos.set('acme/trainer', {
      files: { 'README.md': '# trainer' },
      metadata: { stars: 7 },
    });
    services.hub.datasets.set('acme/reviews', { files: { 'train.csv': 'a\n' } });
    const record = await uploadModel('sentiment', README);
    const evidence = await services.evidence.gather(record);
    expect(evidence.github).toMatchObject({ kind: 'github', fullName: 'acme/trainer', stars: 7 });
    expect(evidence.datasets.map((dataset) => dataset.repoId)).toEqual(['acme/reviews']);
    expect(evidence.parents).toEqual([]);
    expect(evidence).not.toHaveProperty('cardAssessment');
    expect(services.hub.requested).toEqual(['acme/reviews', 'acme/missing']);
  });

  it('without named datasets, reads the ones the card was evaluated on; no link, no repository', async () => {
    services.hub.datasets.set('acme/bench', { files: { 'test.csv': 'a\n' } });
    const card = cardText(
      [
        'model-index:',
        '- name: m',
        '  results:',
        '  - task: {type: text-classification}',
        '    dataset: {name: bench, type: acme/bench}',
        '    metrics: [{type: accuracy, value: 0.9}]',
      ],
      'No links here.',
    );
    const evidence = await services.evidence.gather(await uploadModel('evaluated', card));
    expect(evidence.datasets.map((dataset) => dataset.repoId)).toEqual(['acme/bench']);
    expect(evidence.github).toBeNull();
  });

  it('fails when a linked source cannot be read (rather than scoring it as absent)', async () => {
    services.github.failure = rateLimitedError('GitHub', 30);
    await expect(services.evidence.gather(await uploadModel('sentiment', README))).rejects.toMatchObject({
      statusCode: 503,
    });
  });

  it('asks the card assessor about a card with text, and passes its answer on', async () => {
    const assessment: CardAssessment = { rampUp: null, performanceClaims: null, model: 'judge-1' };
    const asked: string[] = [];
    const withAssessor = new EvidenceService(
      parts.store,
      new LineageService(parts.store),
      services.hub,
      services.github,
      {
        assess: async (text) => {
          asked.push(text);
          return assessment;
        },
      },
    );
    const evidence = await withAssessor.gather(await uploadModel('judged', '# Judged\n\nUse it.'), []);
    expect(evidence.cardAssessment).toEqual(assessment);
    expect(asked).toEqual(['# Judged\n\nUse it.']);
    const blank = await withAssessor.gather(await uploadModel('blank', '   '), []);
    expect(blank).not.toHaveProperty('cardAssessment');
  });
});

describe('parents', () => {
  it('are the lineage parents with the net score the registry holds, or none for an unknown one', async () => {
    const base = await uploadModel('base', '# base');
    const child = await uploadModel(
      'child',
      cardText(['base_model:', '- base', '- acme/elsewhere'], 'Fine-tuned.'),
    );
    const before = await services.evidence.parents(child);
    expect(before).toEqual(
      expect.arrayContaining([
        { id: base.id, name: 'base', netScore: null },
        { id: null, name: 'acme/elsewhere', netScore: null },
      ]),
    );
    await parts.store.putRating(base.id, {
      body: { name: 'base', net_score: 0.75 },
      inputs: 'x',
      scoringVersion: 'unit',
      computedAt: new Date(),
    });
    const after = await services.evidence.parents(child);
    expect(after.find((parent) => parent.id === base.id)?.netScore).toBe(0.75);
  });
});
