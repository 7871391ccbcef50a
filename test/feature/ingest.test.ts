import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.js';
import { type AppOnFixtures, type FixtureSources, startAppOnFixtures } from '../support/fixture-sources.js';
import { createFromUrl } from '../support/requests.js';
import { zipFileNames } from '../support/zips.js';

describe('ingest from Hugging Face and GitHub through the real clients', () => {
  let sources: FixtureSources;
  let t: TestApp;
  let token: string;

  let fixtures: AppOnFixtures;
  beforeAll(async () => {
    // These tests are about stored files and metadata, not about the ingest gate (tested in rating.test.ts).
    fixtures = await startAppOnFixtures({ GATE_ENABLED: 'false' });
    ({ sources, t, token } = fixtures);
  });
  afterAll(() => fixtures.close());

  const create = (type: string, url: string) => createFromUrl(t.app, token, type, url);

  it.each([
    ['model', 'https://huggingface.co/google-bert/bert-base-uncased', 'bert-base-uncased'],
    ['model', 'https://huggingface.co/openai/whisper-tiny/tree/main', 'whisper-tiny'],
    ['model', 'https://huggingface.co/arnir0/Tiny-LLM', 'Tiny-LLM'],
    ['dataset', 'https://huggingface.co/datasets/stanfordnlp/imdb', 'imdb'],
    ['code', 'https://github.com/google-research/bert', 'bert'],
  ])('stores %s %s with every file of the repository', async (type, url, name) => {
    const response = await create(type, url);
    expect(response.statusCode, response.body).toBe(201);
    const { metadata, data } = response.json();
    expect(metadata).toMatchObject({ name, type });

    const record = await t.app.registry.store.getArtifact(metadata.id);
    const evidence = record?.sourceMetadata as {
      files?: { path: string }[];
      tree?: { files: { path: string }[] };
    };
    const listed = (evidence.files ?? evidence.tree?.files ?? []).map((f) => f.path).sort();
    expect(listed.length).toBeGreaterThan(0);

    const download = await t.app.inject({
      url: new URL(data.download_url).pathname,
      headers: { 'x-authorization': token },
    });
    expect(download.statusCode).toBe(200);
    expect(await zipFileNames(download.rawPayload)).toEqual(listed);
  });

  it('ingests every fixture repository that can be ingested, file for file, with its version', async () => {
    // Gated, too big, or weights that run code when loaded (weights-scan.test.ts).
    const refused = new Set([
      'meta-llama/gated-llama',
      'big-org/huge-model',
      'huge-org/monorepo',
      'pickle-lab/evil-checkpoint',
    ]);
    const hubRepos = sources.hub.repos.filter((repo) => !refused.has(repo.id));
    const githubRepos = sources.github.repos.filter((repo) => !refused.has(`${repo.owner}/${repo.name}`));
    const targets = [
      ...hubRepos.map((repo) => ({
        type: repo.type,
        url: `https://huggingface.co/${repo.type === 'dataset' ? 'datasets/' : ''}${repo.id}`,
        files: repo.files.map((file) => file.path),
        tags: repo.gitTags,
      })),
      ...githubRepos.map((repo) => ({
        type: 'code',
        url: `https://github.com/${repo.owner}/${repo.name}`,
        files: repo.files.map((file) => file.path),
        tags: [] as string[],
      })),
    ];
    expect(targets.length).toBeGreaterThanOrEqual(8 + 3 + 3);
    for (const target of targets) {
      const response = await create(target.type, target.url);
      expect(response.statusCode, `${target.url}: ${response.body}`).toBe(201);
      const { id } = response.json().metadata;
      const download = await t.app.inject({
        url: `/download/${target.type}/${id}`,
        headers: { 'x-authorization': token },
      });
      expect(await zipFileNames(download.rawPayload), target.url).toEqual([...target.files].sort());
      const record = await t.app.registry.store.getArtifact(id);
      const semverTags = target.tags.filter((tag) => /^v?\d+\.\d+\.\d+$/.test(tag));
      expect(record?.version === null, target.url).toBe(semverTags.length === 0);
    }
  }, 120_000); // every fixture repository in one test: minutes of work on a loaded machine

  it('takes the version from the repository tags and records the evidence rating needs', async () => {
    const response = await create('model', 'https://huggingface.co/google-bert/bert-base-uncased');
    const record = await t.app.registry.store.getArtifact(response.json().metadata.id);
    expect(record?.version?.text).toBe('1.0.0');
    expect(record?.sourceUrl).toBe('https://huggingface.co/google-bert/bert-base-uncased');
    expect(record?.sourceMetadata).toMatchObject({
      kind: 'hf-model',
      repoId: 'google-bert/bert-base-uncased',
    });
    expect(record?.facts.readme).toMatch(/BERT/);
    const versioned = await t.app.inject({
      method: 'POST',
      url: '/artifacts',
      headers: { 'x-authorization': token },
      payload: [{ name: 'bert-base-uncased', version: '^1.0.0' }],
    });
    expect(versioned.json().length).toBeGreaterThan(0);
  });

  it.each([
    [
      'an unknown model',
      'model',
      'https://huggingface.co/nobody/nothing-here',
      404,
      'NOT_FOUND',
      /^model "nobody\/nothing-here" does not exist on Hugging Face/,
    ],
    [
      'an unknown GitHub repository',
      'code',
      'https://github.com/nobody/nothing-here',
      404,
      'NOT_FOUND',
      /^GitHub repository nobody\/nothing-here does not exist/,
    ],
    [
      'a gated model',
      'model',
      'https://huggingface.co/meta-llama/gated-llama',
      424,
      'UPSTREAM_ERROR',
      /is gated on Hugging Face: accept its conditions there and configure an HF_TOKEN/,
    ],
    [
      'an oversized model',
      'model',
      'https://huggingface.co/big-org/huge-model',
      413,
      'PAYLOAD_TOO_LARGE',
      /^model "big-org\/huge-model" holds more than \d+ MB, the most one package may hold\.$/,
    ],
    [
      'a dataset url registered as a model',
      'model',
      'https://huggingface.co/datasets/stanfordnlp/imdb',
      400,
      'BAD_REQUEST',
      /names a Hugging Face dataset; register it with POST \/artifact\/dataset/,
    ],
    [
      'a model url registered as a dataset',
      'dataset',
      'https://huggingface.co/openai/whisper-tiny',
      400,
      'BAD_REQUEST',
      /names a Hugging Face model; register it with POST \/artifact\/model/,
    ],
    [
      'a malformed hub url',
      'model',
      'https://huggingface.co/',
      400,
      'BAD_REQUEST',
      /^"https:\/\/huggingface\.co\/" is not a Hugging Face model or dataset page\.$/,
    ],
  ])('answers %s with %s and stores nothing', async (_case, type, url, status, error, message) => {
    const before = await t.app.inject({
      method: 'POST',
      url: '/artifacts',
      headers: { 'x-authorization': token },
      payload: [{ name: '*' }],
    });
    const response = await create(type, url);
    expect(response.statusCode, response.body).toBe(status);
    expect(response.json()).toEqual({ error, message: expect.stringMatching(message) });
    const after = await t.app.inject({
      method: 'POST',
      url: '/artifacts',
      headers: { 'x-authorization': token },
      payload: [{ name: '*' }],
    });
    expect(after.json()).toEqual(before.json());
  });

  it('answers 503 with the retry time when the hub keeps rate-limiting', async () => {
    sources.hub.failNext(50, 429, 120);
    try {
      const response = await create('model', 'https://huggingface.co/openai/whisper-tiny');
      expect(response.statusCode).toBe(503);
      expect(response.json().message).toMatch(/rate limit/i);
    } finally {
      sources.hub.clearFailures();
    }
  });
});
