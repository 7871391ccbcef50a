import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.js';
import { type AppOnFixtures, startAppOnFixtures } from '../support/fixture-sources.js';
import { ingestOk, uploadOk } from '../support/requests.js';
import { makeZip, safetensorsBytes } from '../support/zips.js';

type Costs = Record<string, { standalone_cost?: number; total_cost: number }>;

/** Cost with and without dependencies over artifacts ingested from the fixture hub and GitHub. */
describe('GET /artifact/{type}/{id}/cost', () => {
  let t: TestApp;
  let token: string;
  const ids: Record<string, string> = {};
  /** Stored package sizes in bytes, by the keys of `ids`. */
  const bytes: Record<string, number> = {};

  const megabytes = (...keys: string[]) =>
    Math.round((keys.reduce((sum, key) => sum + (bytes[key] ?? Number.NaN), 0) / 1e6) * 1000) / 1000;

  let fixtures: AppOnFixtures;
  beforeAll(async () => {
    // These tests are about stored files and metadata, not about the ingest gate (tested in rating.test.ts).
    fixtures = await startAppOnFixtures({ GATE_ENABLED: 'false' });
    ({ t, token } = fixtures);
  });
  afterAll(() => fixtures.close());

  async function ingest(key: string, type: string, url: string): Promise<void> {
    await remember(key, await ingestOk(t.app, token, type, url));
  }

  async function remember(key: string, id: string): Promise<void> {
    ids[key] = id;
    bytes[key] = (await t.app.registry.store.getArtifact(id))?.packageSize ?? Number.NaN;
  }

  async function costOf(type: string, id: string, query = ''): Promise<Costs> {
    const response = await t.app.inject({
      url: `/artifact/${type}/${id}/cost${query}`,
      headers: { 'x-authorization': token },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  it('answers the package size alone without dependency, and with dependency=false', async () => {
    await ingest('tune', 'model', 'https://huggingface.co/textattack/bert-base-uncased-imdb');
    const expected = { [ids.tune as string]: { total_cost: megabytes('tune') } };
    expect(await costOf('model', ids.tune as string)).toEqual(expected);
    expect(await costOf('model', ids.tune as string, '?dependency=false')).toEqual(expected);
    expect(megabytes('tune')).toBeGreaterThan(0);
  });

  it('leaves out dependencies that are not in the registry', async () => {
    expect(await costOf('model', ids.tune as string, '?dependency=true')).toEqual({
      [ids.tune as string]: { standalone_cost: megabytes('tune'), total_cost: megabytes('tune') },
    });
  });

  it('sums the transitive closure once parents, datasets and code are ingested, each with its own total', async () => {
    await ingest('bert', 'model', 'https://huggingface.co/google-bert/bert-base-uncased');
    await ingest('imdb', 'dataset', 'https://huggingface.co/datasets/stanfordnlp/imdb');
    await ingest('books', 'dataset', 'https://huggingface.co/datasets/bookcorpus/bookcorpus');
    await ingest('wiki', 'dataset', 'https://huggingface.co/datasets/legacy-datasets/wikipedia');
    await ingest('code', 'code', 'https://github.com/google-research/bert');

    const entry = (key: string, ...closure: string[]) => ({
      standalone_cost: megabytes(key),
      total_cost: megabytes(key, ...closure),
    });
    expect(await costOf('model', ids.tune as string, '?dependency=true')).toEqual({
      [ids.tune as string]: entry('tune', 'bert', 'imdb', 'books', 'wiki', 'code'),
      [ids.bert as string]: entry('bert', 'books', 'wiki', 'code'),
      [ids.imdb as string]: entry('imdb'),
      [ids.books as string]: entry('books'),
      [ids.wiki as string]: entry('wiki'),
      [ids.code as string]: entry('code'),
    });
  });

  it('counts an artifact reached along several paths once', async () => {
    // A merge of the IMDB fine-tune and the LoRA adapter: both descend from bert-base-uncased.
    await ingest('adapter', 'model', 'https://huggingface.co/acme/bert-lora-adapter');
    const readme =
      '---\nbase_model: [textattack/bert-base-uncased-imdb, acme/bert-lora-adapter]\nbase_model_relation: merge\n---\n';
    const zip = await makeZip([
      { path: 'README.md', content: readme },
      { path: 'model.safetensors', content: safetensorsBytes(300_000), store: true },
    ]);
    await remember('merge', await uploadOk(t.app, token, 'merged-bert', zip));

    const costs = await costOf('model', ids.merge as string, '?dependency=true');
    expect(costs[ids.merge as string]).toEqual({
      standalone_cost: megabytes('merge'),
      total_cost: megabytes('merge', 'tune', 'adapter', 'bert', 'imdb', 'books', 'wiki', 'code'),
    });
    expect(costs[ids.adapter as string]?.total_cost).toBe(
      megabytes('adapter', 'bert', 'books', 'wiki', 'code'),
    );
    expect(Object.keys(costs)).toHaveLength(8);
  });

  it('gives a dataset or code artifact a closure of itself', async () => {
    expect(await costOf('dataset', ids.imdb as string, '?dependency=true')).toEqual({
      [ids.imdb as string]: { standalone_cost: megabytes('imdb'), total_cost: megabytes('imdb') },
    });
    expect(await costOf('code', ids.code as string)).toEqual({
      [ids.code as string]: { total_cost: megabytes('code') },
    });
  });

  it('still costs a model whose metadata is malformed (its declared dependencies are unreadable)', async () => {
    await ingest('broken', 'model', 'https://huggingface.co/broken-org/bad-config');
    expect(await costOf('model', ids.broken as string, '?dependency=true')).toEqual({
      [ids.broken as string]: { standalone_cost: megabytes('broken'), total_cost: megabytes('broken') },
    });
  });

  it.each([
    ['an unknown id', 'model', '00000000-0000-0000-0000-000000000000', '', 404],
    ['a type that does not match the id', 'dataset', 'tune', '', 404],
    ['an unknown type', 'weights', 'tune', '', 400],
    ['a malformed id', 'model', 'bad_id!', '', 400],
    ['a non-boolean dependency', 'model', 'tune', '?dependency=maybe', 400],
  ])('answers %s with %s', async (_case, type, idOrKey, query, status) => {
    const id = ids[idOrKey] ?? idOrKey;
    const response = await t.app.inject({
      url: `/artifact/${type}/${id}/cost${query}`,
      headers: { 'x-authorization': token },
    });
    expect(response.statusCode, response.body).toBe(status);
  });
});
