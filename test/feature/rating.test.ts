import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FixtureSources, startFixtureSources } from '../support/fixture-sources.js';
import { createFromUrl, ingestOk, uploadOk } from '../support/requests.js';
import { makeZip, modelZip } from '../support/zips.js';

const METRICS = [
  'ramp_up_time',
  'bus_factor',
  'performance_claims',
  'license',
  'dataset_and_code_score',
  'dataset_quality',
  'code_quality',
  'reproducibility',
  'reviewedness',
  'tree_score',
] as const;

let sources: FixtureSources;
beforeAll(async () => {
  sources = await startFixtureSources();
});
afterAll(() => sources.close());

describe('the ingest gate', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp(sources.env);
    token = await t.token();
  });
  afterAll(() => t.close());

  const create = (repo: string) => createFromUrl(t.app, token, 'model', `https://huggingface.co/${repo}`);

  it.each(['google-bert/bert-base-uncased', 'openai/whisper-tiny'])(
    'admits the well-documented %s',
    async (repo) => {
      const response = await create(repo);
      expect(response.statusCode, response.body).toBe(201);
    },
  );

  it.each([
    [
      'lonely-dev/untitled-model',
      'unlicensed, undocumented, single author',
      ['license', 'bus_factor', 'ramp_up_time'],
    ],
    ['arnir0/Tiny-LLM', 'no evaluation, no linked data or code', ['performance_claims', 'dataset_quality']],
    [
      'textattack/bert-base-uncased-imdb',
      'a thin card without runnable code',
      ['reproducibility', 'code_quality'],
    ],
    ['acme/bert-lora-adapter', 'an adapter with no evidence', ['performance_claims']],
  ])('refuses %s (%s) with 424 naming the failing metrics, storing nothing', async (repo, _why, metrics) => {
    const before = await t.app.registry.store.queryArtifacts([{ name: '*' }], { limit: 100 });
    const response = await create(repo);
    expect(response.statusCode, response.body).toBe(424);
    for (const metric of metrics) expect(response.json().message).toContain(metric);
    // Extension: each failing metric with its score, threshold and the reason behind the score.
    const failing = response.json().failing as {
      metric: string;
      score: number;
      threshold: number;
      reason: string;
    }[];
    for (const metric of metrics) {
      const entry = failing.find((f) => f.metric === metric);
      expect(entry, metric).toBeDefined();
      expect(entry?.score).toBeLessThan(entry?.threshold ?? 0);
      expect(entry?.reason.length, metric).toBeGreaterThan(10);
      expect(response.json().message).toContain(entry?.reason);
    }
    expect(await t.app.registry.store.queryArtifacts([{ name: '*' }], { limit: 100 })).toEqual(before);
  });

  it('refuses a model that cannot be rated, saying why', async () => {
    const response = await create('broken-org/bad-card');
    expect(response.statusCode).toBe(424);
    expect(response.json().message).toMatch(/cannot be rated.*size_score/);
  });
});

describe('GET /artifact/model/{id}/rate', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    // Without the gate, so that models which would be refused can be rated too.
    t = await startTestApp({ ...sources.env, GATE_ENABLED: 'false' });
    token = await t.token();
  });
  afterAll(() => t.close());

  const auth = () => ({ 'x-authorization': token });
  const ingest = (repo: string) => ingestOk(t.app, token, 'model', `https://huggingface.co/${repo}`);
  const rate = (id: string) => t.app.inject({ url: `/artifact/model/${id}/rate`, headers: auth() });

  it('answers every contract field, scores in range, each metric with its own latency', async () => {
    const id = await ingest('google-bert/bert-base-uncased');
    const response = await rate(id);
    expect(response.statusCode).toBe(200);
    const rating = response.json();
    expect(rating).toMatchObject({ name: 'bert-base-uncased', category: 'fill-mask' });
    for (const metric of [...METRICS, 'net_score']) {
      expect(rating[metric], metric).toBeGreaterThanOrEqual(metric === 'reviewedness' ? -1 : 0);
      expect(rating[metric], metric).toBeLessThanOrEqual(1);
      expect(rating[`${metric}_latency`], metric).toBeGreaterThanOrEqual(0);
    }
    expect(Object.keys(rating.size_score).sort()).toEqual([
      'aws_server',
      'desktop_pc',
      'jetson_nano',
      'raspberry_pi',
    ]);
    // The metrics ran concurrently: their latencies add up to more than the whole run's.
    const sum = [...METRICS, 'size_score'].reduce((total, metric) => total + rating[`${metric}_latency`], 0);
    expect(sum).toBeGreaterThan(rating.net_score_latency);

    const audit = await t.app.inject({ url: `/artifact/model/${id}/audit`, headers: auth() });
    expect(audit.json().map((entry: { action: string }) => entry.action)).toEqual(['RATE', 'CREATE']);
  });

  it('explains each score with explain=true, and answers exactly the contract fields without it', async () => {
    await t.app.inject({ method: 'DELETE', url: '/reset', headers: auth() });
    const id = await ingest('google-bert/bert-base-uncased');
    const plain = (await rate(id)).json();
    expect(plain.reasons).toBeUndefined();
    const explained = await t.app.inject({ url: `/artifact/model/${id}/rate?explain=true`, headers: auth() });
    expect(explained.statusCode).toBe(200);
    const { reasons, ...rating } = explained.json();
    expect(rating).toEqual(plain);
    expect(Object.keys(reasons).sort()).toEqual([...METRICS, 'size_score'].sort());
    expect(reasons.license).toMatch(/apache-2\.0/i);
    for (const metric of [...METRICS, 'size_score'])
      expect(reasons[metric].length, metric).toBeGreaterThan(10);
    const bad = await t.app.inject({ url: `/artifact/model/${id}/rate?explain=maybe`, headers: auth() });
    expect(bad.statusCode).toBe(400);
  });

  it('scores tree_score from the parents in the registry, and recomputes when a parent arrives', async () => {
    await t.app.inject({ method: 'DELETE', url: '/reset', headers: auth() });
    const child = await ingest('textattack/bert-base-uncased-imdb');
    expect((await rate(child)).json().tree_score).toBe(0);
    const parent = await ingest('google-bert/bert-base-uncased');
    const parentScore = (await rate(parent)).json().net_score;
    expect((await rate(child)).json().tree_score).toBeCloseTo(parentScore, 3);
  });

  it('reuses a kept rating only while it carries the current scoring version', async () => {
    const id = await ingest('google-bert/bert-base-uncased');
    const computed = (await rate(id)).json();
    const store = t.app.registry.store;
    const kept = await store.getRating(id);
    if (!kept) throw new Error('the rating was not kept');
    const marked = { ...kept, body: { ...kept.body, net_score: 0.01234 } };
    await store.putRating(id, marked);
    expect((await rate(id)).json().net_score).toBe(0.01234);

    await store.putRating(id, { ...marked, scoringVersion: 'computed-by-older-metrics' });
    expect((await rate(id)).json().net_score).toBe(computed.net_score);
    expect((await store.getRating(id))?.scoringVersion).toBe(kept.scoringVersion);
  });

  it('rates an uploaded model from its package', async () => {
    const id = await uploadOk(t.app, token, 'private-model', await modelZip('private-model'));
    const response = await rate(id);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().reviewedness).toBe(-1);
  });

  it('answers 500 naming the metric that cannot be computed, and 404 for an unknown model', async () => {
    const id = await uploadOk(
      t.app,
      token,
      'no-weights',
      await makeZip([{ path: 'README.md', content: '# nothing' }]),
    );
    const response = await rate(id);
    expect(response.statusCode).toBe(500);
    expect(response.json().message).toMatch(/size_score/);
    expect((await rate('no-such-model')).statusCode).toBe(404);
  });

  it('rates only models', async () => {
    const id = await uploadOk(t.app, token, 'some-data', await modelZip('some-data'), { type: 'dataset' });
    expect((await rate(id)).statusCode).toBe(404);
  });
});
