import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalId, type LineageGraph } from '../../src/services/lineage-service.js';
import type { TestApp } from '../support/app.js';
import { type AppOnFixtures, startAppOnFixtures } from '../support/fixture-sources.js';
import { ingestOk, uploadOk } from '../support/requests.js';
import { makeZip } from '../support/zips.js';

/**
 * Lineage through the HTTP API over models ingested from the fixture hub. The tests in the
 * first block share one registry and run in order: the fine-tune is ingested before its parents.
 */
describe('GET /artifact/model/{id}/lineage', () => {
  let t: TestApp;
  let token: string;

  let fixtures: AppOnFixtures;
  beforeAll(async () => {
    // These tests are about stored files and metadata, not about the ingest gate (tested in rating.test.ts).
    fixtures = await startAppOnFixtures({ GATE_ENABLED: 'false' });
    ({ t, token } = fixtures);
  });
  afterAll(() => fixtures.close());

  const ingest = (type: string, url: string) => ingestOk(t.app, token, type, url);

  const lineageOf = (id: string, auth = token) =>
    t.app.inject({ url: `/artifact/model/${id}/lineage`, headers: { 'x-authorization': auth } });

  async function graphOf(id: string): Promise<LineageGraph> {
    const response = await lineageOf(id);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  /** Edges as "from-name -relationship-> to-name", sorted, for readable comparisons. */
  function edgeNames(graph: LineageGraph): string[] {
    const name = (id: string) => graph.nodes.find((node) => node.artifact_id === id)?.name ?? `?${id}`;
    return graph.edges
      .map((e) => `${name(e.from_node_artifact_id)} -${e.relationship}-> ${name(e.to_node_artifact_id)}`)
      .sort();
  }

  describe('a fine-tune ingested before its parents', () => {
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      ids.tune = await ingest('model', 'https://huggingface.co/textattack/bert-base-uncased-imdb');
    });

    it('shows the base model and the dataset as external nodes', async () => {
      const graph = await graphOf(ids.tune as string);
      const base = externalId({ type: 'model', name: 'google-bert/bert-base-uncased' });
      expect(graph.nodes).toEqual([
        expect.objectContaining({
          artifact_id: ids.tune,
          name: 'bert-base-uncased-imdb',
          source: 'registry',
        }),
        {
          artifact_id: base,
          name: 'google-bert/bert-base-uncased',
          source: 'model_card',
          metadata: {
            type: 'model',
            in_registry: false,
            repository_url: 'https://huggingface.co/google-bert/bert-base-uncased',
          },
        },
        expect.objectContaining({
          name: 'stanfordnlp/imdb',
          metadata: expect.objectContaining({ in_registry: false }),
        }),
      ]);
      expect(edgeNames(graph)).toEqual([
        'google-bert/bert-base-uncased -base_model-> bert-base-uncased-imdb',
        'stanfordnlp/imdb -fine_tuning_dataset-> bert-base-uncased-imdb',
      ]);
    });

    it('switches the parent to its registry id once the base model is ingested, and follows it', async () => {
      ids.bert = await ingest('model', 'https://huggingface.co/google-bert/bert-base-uncased');
      const graph = await graphOf(ids.tune as string);
      expect(graph.nodes.find((node) => node.name === 'bert-base-uncased')).toEqual({
        artifact_id: ids.bert,
        name: 'bert-base-uncased',
        source: 'model_card',
        metadata: expect.objectContaining({
          in_registry: true,
          repository_url: 'https://huggingface.co/google-bert/bert-base-uncased',
          declared_as: 'google-bert/bert-base-uncased',
          sha: expect.stringMatching(/^[0-9a-f]+$/),
        }),
      });
      expect(graph.nodes.some((node) => node.name === 'google-bert/bert-base-uncased')).toBe(false);
      expect(edgeNames(graph)).toEqual([
        'bert-base-uncased -base_model-> bert-base-uncased-imdb',
        'bookcorpus -training_dataset-> bert-base-uncased',
        'google-research/bert -code_repository-> bert-base-uncased',
        'stanfordnlp/imdb -fine_tuning_dataset-> bert-base-uncased-imdb',
        'wikipedia -training_dataset-> bert-base-uncased',
      ]);
    });

    it('resolves datasets (legacy ids included) and code once they are in the registry', async () => {
      ids.imdb = await ingest('dataset', 'https://huggingface.co/datasets/stanfordnlp/imdb');
      ids.books = await ingest('dataset', 'https://huggingface.co/datasets/bookcorpus/bookcorpus');
      ids.code = await ingest('code', 'https://github.com/google-research/bert');
      const graph = await graphOf(ids.tune as string);
      const inRegistry = graph.nodes
        .filter((node) => node.metadata?.in_registry)
        .map((node) => node.artifact_id);
      expect(inRegistry.sort()).toEqual([ids.tune, ids.bert, ids.imdb, ids.books, ids.code].sort());
      expect(graph.nodes.find((node) => node.artifact_id === ids.books)?.metadata?.declared_as).toBe(
        'bookcorpus',
      );
      expect(edgeNames(graph)).toEqual([
        'bert -code_repository-> bert-base-uncased',
        'bert-base-uncased -base_model-> bert-base-uncased-imdb',
        'bookcorpus -training_dataset-> bert-base-uncased',
        'imdb -fine_tuning_dataset-> bert-base-uncased-imdb',
        'wikipedia -training_dataset-> bert-base-uncased',
      ]);
      expect(graph.nodes.every((node) => /^[a-zA-Z0-9-]+$/.test(node.artifact_id))).toBe(true);
    });

    it('reads an adapter base from adapter_config.json', async () => {
      const adapter = await ingest('model', 'https://huggingface.co/acme/bert-lora-adapter');
      const graph = await graphOf(adapter);
      expect(graph.edges).toEqual([
        { from_node_artifact_id: ids.bert, to_node_artifact_id: adapter, relationship: 'adapter_base_model' },
        expect.objectContaining({ to_node_artifact_id: ids.bert, relationship: 'training_dataset' }),
        expect.objectContaining({ to_node_artifact_id: ids.bert, relationship: 'training_dataset' }),
        expect.objectContaining({ to_node_artifact_id: ids.bert, relationship: 'code_repository' }),
      ]);
    });

    it('shows the linked GitHub repository of whisper-tiny, skipping shared tooling', async () => {
      const whisper = await ingest('model', 'https://huggingface.co/openai/whisper-tiny');
      expect(edgeNames(await graphOf(whisper))).toEqual(['openai/whisper -code_repository-> whisper-tiny']);
    });

    it('gives a model without any declared lineage a graph of itself', async () => {
      const lonely = await ingest('model', 'https://huggingface.co/lonely-dev/untitled-model');
      expect(await graphOf(lonely)).toEqual({
        nodes: [expect.objectContaining({ artifact_id: lonely, name: 'untitled-model' })],
        edges: [],
      });
    });
  });

  it('reads an uploaded package from its README front matter and config.json', async () => {
    const base = await uploadOk(
      t.app,
      token,
      'house-base',
      await makeZip([{ path: 'README.md', content: '# base' }]),
    );
    const zip = await makeZip([
      { path: 'README.md', content: '---\ndatasets: [house/reviews]\n---\n# tuned\n' },
      { path: 'config.json', content: JSON.stringify({ _name_or_path: 'house-base', model_type: 'bert' }) },
    ]);
    const tuned = await uploadOk(t.app, token, 'house-tuned', zip);
    const graph = await graphOf(tuned);
    expect(graph.edges).toEqual([
      { from_node_artifact_id: base, to_node_artifact_id: tuned, relationship: 'base_model' },
      {
        from_node_artifact_id: externalId({ type: 'dataset', name: 'house/reviews' }),
        to_node_artifact_id: tuned,
        relationship: 'fine_tuning_dataset',
      },
    ]);
    expect(graph.nodes[1]).toMatchObject({ artifact_id: base, source: 'config_json' });
  });

  describe('errors', () => {
    it.each([
      ['config.json is cut off', 'https://huggingface.co/broken-org/bad-config', /config\.json/],
      ['the card front matter is not YAML', 'https://huggingface.co/broken-org/bad-card', /front matter/],
    ])('answers 400 when %s', async (_case, url, message) => {
      const id = await ingest('model', url);
      const response = await lineageOf(id);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().message).toMatch(message);
    });

    it('answers 400 for an uploaded package with malformed config.json', async () => {
      const zip = await makeZip([{ path: 'config.json', content: '{"model_type": ' }]);
      const id = await uploadOk(t.app, token, 'broken-upload', zip);
      expect((await lineageOf(id)).statusCode).toBe(400);
    });

    it('answers 404 for an unknown id or a dataset id, 400 for a malformed id, 403 without a token', async () => {
      const dataset = await uploadOk(
        t.app,
        token,
        'd',
        await makeZip([{ path: 'a.csv', content: 'a\n1\n' }]),
        {
          type: 'dataset',
        },
      );
      expect((await lineageOf('00000000-0000-0000-0000-000000000000')).statusCode).toBe(404);
      expect((await lineageOf(dataset)).statusCode).toBe(404);
      expect((await lineageOf('not_an_id!')).statusCode).toBe(400);
      expect((await lineageOf(dataset, '')).statusCode).toBe(403);
    });
  });
});
