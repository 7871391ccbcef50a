import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../../src/domain/artifact.js';
import { BadRequestError } from '../../../src/domain/errors.js';
import {
  externalId,
  type LineageGraph,
  LineageService,
  pickReferencedArtifact,
} from '../../../src/services/lineage-service.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { createSqliteStore } from '../../../src/storage/metadata/sqlite.js';
import { githubCode, hfDataset, hfModel, uploadedModel } from './records.js';

let store: MetadataStore;
let lineage: LineageService;

beforeEach(async () => {
  store = createSqliteStore(':memory:');
  await store.migrate();
  lineage = new LineageService(store);
});
afterEach(() => store.close());

async function insert(...records: ArtifactRecord[]): Promise<void> {
  for (const record of records) await store.insertArtifact(record);
}

function edgesOf(graph: LineageGraph): string[] {
  return graph.edges.map((e) => `${e.from_node_artifact_id} -${e.relationship}-> ${e.to_node_artifact_id}`);
}

const bert = () =>
  hfModel({
    repoId: 'google-bert/bert-base-uncased',
    card: { license: 'apache-2.0', datasets: ['bookcorpus'] },
    linkedGithub: { owner: 'google-research', repo: 'bert' },
  });
const imdbTune = () =>
  hfModel({
    repoId: 'textattack/bert-base-uncased-imdb',
    card: { base_model: 'google-bert/bert-base-uncased', datasets: ['stanfordnlp/imdb'] },
    config: { _name_or_path: 'bert-base-uncased' },
  });

describe('LineageService.graph', () => {
  it('keeps parents that are not in the registry as external nodes with stable ids', async () => {
    const child = imdbTune();
    await insert(child);
    const graph = await lineage.graph(child);
    const baseId = externalId({ type: 'model', name: 'google-bert/bert-base-uncased' });
    const dataId = externalId({ type: 'dataset', name: 'stanfordnlp/imdb' });
    expect(graph.nodes).toEqual([
      {
        artifact_id: child.id,
        name: 'bert-base-uncased-imdb',
        source: 'registry',
        metadata: {
          type: 'model',
          in_registry: true,
          repository_url: 'https://huggingface.co/textattack/bert-base-uncased-imdb',
          sha: 'abc123',
        },
      },
      {
        artifact_id: baseId,
        name: 'google-bert/bert-base-uncased',
        source: 'model_card',
        metadata: {
          type: 'model',
          in_registry: false,
          repository_url: 'https://huggingface.co/google-bert/bert-base-uncased',
        },
      },
      {
        artifact_id: dataId,
        name: 'stanfordnlp/imdb',
        source: 'model_card',
        metadata: {
          type: 'dataset',
          in_registry: false,
          repository_url: 'https://huggingface.co/datasets/stanfordnlp/imdb',
        },
      },
    ]);
    expect(edgesOf(graph)).toEqual([
      `${baseId} -base_model-> ${child.id}`,
      `${dataId} -fine_tuning_dataset-> ${child.id}`,
    ]);
    expect(graph.nodes.every((node) => /^[a-zA-Z0-9-]+$/.test(node.artifact_id))).toBe(true);
  });

  it('switches to the registry id once the parent is ingested, and follows its own metadata', async () => {
    const child = imdbTune();
    await insert(child);
    const before = await lineage.graph(child);
    expect(before.nodes.map((n) => n.metadata?.in_registry)).toEqual([true, false, false]);

    const parent = bert();
    const code = githubCode('google-research/bert');
    const books = hfDataset('bookcorpus/bookcorpus');
    await insert(parent, code, books);
    const after = await lineage.graph(child);
    expect(after.nodes.find((n) => n.artifact_id === parent.id)).toMatchObject({
      name: 'bert-base-uncased',
      source: 'model_card',
      metadata: { in_registry: true, declared_as: 'google-bert/bert-base-uncased' },
    });
    expect(edgesOf(after)).toEqual([
      `${parent.id} -base_model-> ${child.id}`,
      `${externalId({ type: 'dataset', name: 'stanfordnlp/imdb' })} -fine_tuning_dataset-> ${child.id}`,
      `${books.id} -training_dataset-> ${parent.id}`,
      `${code.id} -code_repository-> ${parent.id}`,
    ]);
  });

  it('resolves ids case-insensitively and legacy names by their last segment', async () => {
    const parent = bert();
    const child = hfModel({ repoId: 'someone/tuned', config: { _name_or_path: 'bert-base-uncased' } });
    const shouting = hfModel({ repoId: 'other/x', card: { base_model: 'GOOGLE-BERT/bert-base-uncased' } });
    await insert(parent, child, shouting);
    expect((await lineage.graph(child)).edges[0]?.from_node_artifact_id).toBe(parent.id);
    expect((await lineage.graph(shouting)).edges[0]?.from_node_artifact_id).toBe(parent.id);
  });

  it('survives a cycle, listing each node and edge once', async () => {
    const a = hfModel({ repoId: 'loop/a', card: { base_model: 'loop/b' } });
    const b = hfModel({ repoId: 'loop/b', card: { base_model: 'loop/a' } });
    await insert(a, b);
    const graph = await lineage.graph(a);
    expect(graph.nodes.map((n) => n.artifact_id)).toEqual([a.id, b.id]);
    expect(edgesOf(graph)).toEqual([`${b.id} -base_model-> ${a.id}`, `${a.id} -base_model-> ${b.id}`]);
  });

  it('stops expanding at the depth bound', async () => {
    const chain = Array.from({ length: 5 }, (_, i) =>
      hfModel({ repoId: `chain/m${i}`, card: { base_model: `chain/m${i + 1}` } }),
    );
    await insert(...chain);
    const shallow = new LineageService(store, { maxDepth: 2 });
    const graph = await shallow.graph(chain[0] as ArtifactRecord);
    expect(graph.nodes.map((n) => n.name)).toEqual(['m0', 'm1', 'm2']);
  });

  it('answers 400 for a model whose own metadata is malformed, not for a malformed ancestor', async () => {
    const broken = hfModel({
      repoId: 'broken-org/bad-config',
      config: '{"model_type": "bert", "architectures": [',
    });
    const child = hfModel({ repoId: 'acme/on-broken', card: { base_model: 'broken-org/bad-config' } });
    await insert(broken, child);
    await expect(lineage.graph(broken)).rejects.toBeInstanceOf(BadRequestError);
    expect((await lineage.graph(child)).nodes.map((n) => n.artifact_id)).toEqual([child.id, broken.id]);
  });

  it('links uploaded models to uploaded parents by exact name', async () => {
    const base = uploadedModel('house-base', {});
    const tuned = uploadedModel('house-tuned', {
      configJson: JSON.stringify({ _name_or_path: 'house-base' }),
    });
    await insert(base, tuned);
    expect(edgesOf(await lineage.graph(tuned))).toEqual([`${base.id} -base_model-> ${tuned.id}`]);
  });
});

describe('pickReferencedArtifact', () => {
  const ref = (name: string) =>
    ({ type: 'model', name, relationship: 'base_model', source: 'model_card' }) as const;
  const google = hfModel({ repoId: 'google-bert/bert-base-uncased' });
  const fork = hfModel({ repoId: 'someone/bert-base-uncased' });
  const upload = uploadedModel('bert-base-uncased', {});

  it('prefers the exact upstream id over same-named artifacts', () => {
    expect(pickReferencedArtifact(ref('google-bert/bert-base-uncased'), [fork, upload, google])).toBe(google);
  });

  it('never matches a qualified id to a different owner or to an upload', () => {
    expect(pickReferencedArtifact(ref('other/bert-base-uncased'), [fork, upload, google])).toBeNull();
  });

  it('takes the first ingested repo for a legacy name, then an upload of that exact name', () => {
    expect(pickReferencedArtifact(ref('bert-base-uncased'), [fork, google, upload])).toBe(fork);
    expect(pickReferencedArtifact(ref('bert-base-uncased'), [upload])).toBe(upload);
    expect(pickReferencedArtifact(ref('BERT-base-uncased'), [upload])).toBeNull();
  });
});
