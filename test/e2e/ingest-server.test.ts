import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD } from '../../src/services/auth-service.js';
import { type FixtureSources, startFixtureSources } from '../support/fixture-sources.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';

describe('the real server process ingesting over HTTP from the fixture Hugging Face and GitHub servers', () => {
  let dataDir: string;
  let sources: FixtureSources;
  let server: ServerProcess;
  let token: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'modelguard-e2e-ingest-'));
    sources = await startFixtureSources();
    // The gate is exercised by the feature suite; here the fine-tune must get in to show lineage.
    server = await startServerProcess({ DATA_DIR: dataDir, ...sources.env, GATE_ENABLED: 'false' });
    const response = await fetch(`${server.url}/authenticate`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user: { name: DEFAULT_ADMIN_NAME, is_admin: true },
        secret: { password: DEFAULT_ADMIN_PASSWORD },
      }),
    });
    token = (await response.json()) as string;
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await sources?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const create = async (type: string, url: string) => {
    const response = await fetch(`${server.url}/artifact/${type}`, {
      method: 'POST',
      headers: { 'x-authorization': token, 'content-type': 'application/json' },
      body: JSON.stringify({ url }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    return ((await response.json()) as { metadata: { id: string } }).metadata.id;
  };
  const get = async (path: string) =>
    (await fetch(`${server.url}${path}`, { headers: { 'x-authorization': token } })).json();

  it('ingests a fine-tune, its base model and its dataset, and links them in lineage and cost', async () => {
    const child = await create('model', 'https://huggingface.co/textattack/bert-base-uncased-imdb');
    const base = await create('model', 'https://huggingface.co/google-bert/bert-base-uncased');
    const dataset = await create('dataset', 'https://huggingface.co/datasets/stanfordnlp/imdb');

    const lineage = (await get(`/artifact/model/${child}/lineage`)) as {
      nodes: { artifact_id: string }[];
      edges: { from_node_artifact_id: string; to_node_artifact_id: string; relationship: string }[];
    };
    const ids = lineage.nodes.map((node) => node.artifact_id);
    expect(ids).toEqual(expect.arrayContaining([child, base, dataset]));
    expect(lineage.edges).toEqual(
      expect.arrayContaining([
        { from_node_artifact_id: base, to_node_artifact_id: child, relationship: 'base_model' },
        { from_node_artifact_id: dataset, to_node_artifact_id: child, relationship: 'fine_tuning_dataset' },
      ]),
    );

    const cost = (await get(`/artifact/model/${child}/cost?dependency=true`)) as Record<
      string,
      { standalone_cost: number; total_cost: number }
    >;
    expect(Object.keys(cost)).toEqual(expect.arrayContaining([child, base, dataset]));
    const root = cost[child] as { standalone_cost: number; total_cost: number };
    expect(root.total_cost).toBeGreaterThan(root.standalone_cost);

    const rating = (await get(`/artifact/model/${base}/rate`)) as { net_score: number };
    expect(rating.net_score).toBeGreaterThan(0.5);
  }, 120_000);
});
