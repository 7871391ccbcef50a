import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SourcesConfig } from '../../../src/config.js';
import { NotFoundError, PayloadTooLargeError, UpstreamError } from '../../../src/domain/errors.js';
import { ResponseCache } from '../../../src/sources/http-cache.js';
import { createHuggingFaceSource, type HuggingFaceSourceOptions } from '../../../src/sources/huggingface.js';
import type { FetchedSource, HuggingFaceMetadata } from '../../../src/sources/source.js';
import { GRANTED_HF_TOKEN, type HfFixtureServer, startHfServer } from '../../fixtures/hf-server.js';
import { bytesOf, digestOf } from './stream-digest.js';

let hub: HfFixtureServer;

/** Retries wait 1 ms per second of Retry-After so rate-limit tests stay fast. */
const FAST = {
  policy: { retryDelayMs: 1, retries: 2, timeoutMs: 10_000 },
} satisfies HuggingFaceSourceOptions;

function config(token: string | null = null): SourcesConfig {
  return { hfEndpoint: hub.url, hfToken: token, githubApiUrl: 'http://127.0.0.1:1', githubToken: null };
}

function source(opts: HuggingFaceSourceOptions = {}, token: string | null = null) {
  return createHuggingFaceSource(config(token), { ...FAST, fetch: hub.fetch, ...opts });
}

function hf(fetched: FetchedSource): HuggingFaceMetadata {
  if (fetched.metadata.kind === 'github') throw new Error('expected Hugging Face metadata');
  return fetched.metadata;
}

beforeAll(async () => {
  hub = await startHfServer({ inProcess: true });
});
afterAll(() => hub.close());
afterEach(() => hub.clearFailures());

describe('Hugging Face source: metadata', () => {
  it('follows the legacy id bert-base-uncased to google-bert/bert-base-uncased and reads its evidence', async () => {
    const fetched = await source().fetchModel('bert-base-uncased');
    const meta = hf(fetched);
    expect(fetched.name).toBe('bert-base-uncased');
    expect(fetched.canonicalUrl).toBe('https://huggingface.co/google-bert/bert-base-uncased');
    expect(fetched.version).toBe('1.0.0');
    expect(meta).toMatchObject({
      kind: 'hf-model',
      repoId: 'google-bert/bert-base-uncased',
      author: 'google-bert',
      private: false,
      gated: false,
      downloads: 55_000_000,
      likes: 2100,
      pipelineTag: 'fill-mask',
      libraryName: 'transformers',
      gitTags: ['v1.0.0'],
      linkedGithub: { owner: 'google-research', repo: 'bert' },
      config: { modelType: 'bert', architectures: ['BertForMaskedLM'], torchDtype: 'float32', error: null },
      adapter: null,
      baseModels: [],
    });
    expect(meta.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(meta.card.facts).toMatchObject({
      license: 'apache-2.0',
      datasets: ['bookcorpus', 'wikipedia'],
      language: ['en'],
    });
    expect(meta.card.facts.evalResults.map((result) => result.value)).toEqual([84.6, 93.5]);
    expect(meta.card.text).toContain('pip install transformers');
    expect(meta.card.truncated).toBe(false);
    expect(meta.datasets).toEqual([
      'bookcorpus',
      'wikipedia',
      'bookcorpus/bookcorpus',
      'legacy-datasets/wikipedia',
    ]);
    expect(meta.tags).toEqual(expect.arrayContaining(['license:apache-2.0', 'dataset:bookcorpus']));
    expect(meta.commits).toMatchObject({ sampled: 100, truncated: true });
    expect(meta.commits.authors).toHaveLength(8);
    expect(Date.parse(meta.lastModified ?? '')).toBeGreaterThan(Date.parse(meta.createdAt ?? ''));
  });

  it('lists every file with its real (LFS) size and aspect, and totals the weights', async () => {
    const meta = hf(await source().fetchModel('google-bert/bert-base-uncased'));
    const repo = hub.repos.find((candidate) => candidate.id === 'google-bert/bert-base-uncased');
    expect(meta.files.map((file) => [file.path, file.size])).toEqual(
      repo?.files.map((file) => [file.path, file.content.size]),
    );
    expect(meta.files.find((file) => file.path === 'model.safetensors')).toMatchObject({
      lfs: true,
      aspect: 'weights',
    });
    expect(meta.files.find((file) => file.path === 'config.json')).toMatchObject({
      lfs: false,
      aspect: 'docs',
    });
    expect(meta.weightsBytes).toBe(
      hub.file('model', 'google-bert/bert-base-uncased', 'model.safetensors').content.size,
    );
    expect(meta.totalBytes).toBe(repo?.files.reduce((sum, file) => sum + file.content.size, 0));
  });

  it('fetches every fixture model and dataset that is neither gated nor oversized', async () => {
    const hfSource = source();
    const fetchable = hub.repos.filter((repo) => !repo.gated && repo.id !== 'big-org/huge-model');
    expect(fetchable.length).toBeGreaterThanOrEqual(13);
    for (const repo of fetchable) {
      const fetched = await (repo.type === 'model'
        ? hfSource.fetchModel(repo.id)
        : hfSource.fetchDataset(repo.id));
      expect(hf(fetched).repoId).toBe(repo.id);
      expect(hf(fetched).kind).toBe(repo.type === 'model' ? 'hf-model' : 'hf-dataset');
      expect(fetched.files.map((file) => file.size)).toEqual(repo.files.map((file) => file.content.size));
    }
  });

  it('reads versions from vX.Y.Z and X.Y.Z tags, highest first', async () => {
    const hfSource = source();
    expect((await hfSource.fetchModel('arnir0/Tiny-LLM')).version).toBe('2.1.0');
    expect((await hfSource.fetchModel('openai/whisper-tiny')).version).toBe('1.2.0');
    expect((await hfSource.fetchDataset('stanfordnlp/imdb')).version).toBe('2.0.0');
    expect((await hfSource.fetchModel('textattack/bert-base-uncased-imdb')).version).toBeNull();
  });

  it('records the parent of a fine-tune from the card and config.json, and its dataset', async () => {
    const meta = hf(await source().fetchModel('textattack/bert-base-uncased-imdb'));
    expect(meta.baseModels).toEqual(['google-bert/bert-base-uncased']);
    expect(meta.config?.nameOrPath).toBe('bert-base-uncased');
    expect(meta.datasets).toEqual(['stanfordnlp/imdb']);
    expect(meta.card.facts.license).toBe('mit');
    expect(meta.files.find((file) => file.path === 'pytorch_model.bin')?.aspect).toBe('weights');
  });

  it('records the base model of a LoRA adapter from adapter_config.json', async () => {
    const meta = hf(await source().fetchModel('acme/bert-lora-adapter'));
    expect(meta.config).toBeNull();
    expect(meta.adapter).toMatchObject({
      peftType: 'LORA',
      baseModelFields: { base_model_name_or_path: 'google-bert/bert-base-uncased' },
    });
    expect(meta.baseModels).toEqual(['google-bert/bert-base-uncased']);
  });

  it('shows an unlicensed single-author upload for what it is', async () => {
    const meta = hf(await source().fetchModel('lonely-dev/untitled-model'));
    expect(meta.card).toMatchObject({ metadata: {}, error: null, facts: { license: null, evalResults: [] } });
    expect(meta.commits.authors).toEqual([{ name: 'lonely-dev', commits: 1 }]);
    expect(meta.linkedGithub).toBeNull();
    expect(meta.datasets).toEqual([]);
  });

  it('records malformed config.json and malformed card front matter as errors, not failures', async () => {
    const badConfig = hf(await source().fetchModel('broken-org/bad-config'));
    expect(badConfig.config?.error).toMatch(/^Not valid JSON/);
    const badCard = hf(await source().fetchModel('broken-org/bad-card'));
    expect(badCard.card.metadata).toBeNull();
    expect(badCard.card.error).toMatch(/not valid YAML/);
  });

  it('reads dataset cards, and datasets without any card', async () => {
    const bookcorpus = await source().fetchDataset('bookcorpus');
    expect(bookcorpus.canonicalUrl).toBe('https://huggingface.co/datasets/bookcorpus/bookcorpus');
    expect(bookcorpus.files).toHaveLength(62); // 60 shards (two listing pages), README.md, .gitattributes
    expect(hf(bookcorpus).card.facts.license).toBe('unknown');
    expect(hf(bookcorpus).config).toBeNull();
    const mystery = hf(await source().fetchDataset('anon-uploader/mystery-data'));
    expect(mystery.card).toMatchObject({ text: null, metadata: {}, facts: { license: null } });
  });

  it('cuts an overlong card at maxCardBytes and says so', async () => {
    const meta = hf(await source({ maxCardBytes: 100 }).fetchModel('google-bert/bert-base-uncased'));
    expect(meta.card.truncated).toBe(true);
    expect(Buffer.byteLength(meta.card.text ?? '')).toBe(100);
  });
});

describe('Hugging Face source: files', () => {
  it('streams files only when opened, byte for byte (SHA-256)', async () => {
    const fetched = await source().fetchModel('google-bert/bert-base-uncased');
    const before = hub.requests.length;
    const weights = fetched.files.find((file) => file.path === 'model.safetensors');
    expect(hub.requests.length).toBe(before);
    const expected = hub.file('model', 'google-bert/bert-base-uncased', 'model.safetensors').content;
    expect(await digestOf(await (weights?.open() ?? Promise.reject()))).toEqual({
      sha256: expected.sha256(),
      size: expected.size,
    });
    const config = fetched.files.find((file) => file.path === 'config.json');
    expect(
      JSON.parse((await bytesOf(await (config?.open() ?? Promise.reject()))).toString()).model_type,
    ).toBe('bert');
  });

  it('streams the ~50 MB Tiny-LLM safetensors with its declared size and digest', async () => {
    const fetched = await source().fetchModel('arnir0/Tiny-LLM');
    const file = fetched.files.find((candidate) => candidate.path === 'model.safetensors');
    const expected = hub.file('model', 'arnir0/Tiny-LLM', 'model.safetensors').content;
    expect(file?.size).toBe(expected.size);
    expect(expected.size).toBeGreaterThan(45_000_000);
    const bytes = await bytesOf(await (file?.open() ?? Promise.reject()));
    expect(bytes.length).toBe(expected.size);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(JSON.parse(bytes.subarray(8, 8 + headerLength).toString()).__metadata__).toEqual({ format: 'pt' });
    expect((await digestOf((await import('node:stream')).Readable.from([bytes]))).sha256).toBe(
      expected.sha256(),
    );
  });

  it('serves a benign PyTorch zip checkpoint and a raw pickle that calls os.system', async () => {
    const benign = await source().fetchModel('textattack/bert-base-uncased-imdb');
    const zip = await bytesOf(
      await (benign.files.find((file) => file.path === 'pytorch_model.bin')?.open() ?? Promise.reject()),
    );
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    expect(zip.includes('pytorch_model/data.pkl')).toBe(true);
    expect(zip.includes('ctorch._utils\n_rebuild_tensor_v2\n')).toBe(true);
    const evil = await source().fetchModel('pickle-lab/evil-checkpoint');
    const pickle = await bytesOf(
      await (evil.files.find((file) => file.path === 'pytorch_model.bin')?.open() ?? Promise.reject()),
    );
    expect(pickle.subarray(0, 2)).toEqual(Buffer.from([0x80, 2]));
    expect(pickle.includes('cos\nsystem\n')).toBe(true);
    expect(pickle.at(-1)).toBe(0x2e); // STOP
  });
});

describe('Hugging Face source: errors', () => {
  it('answers 502 when a download fails after the metadata was read', async () => {
    const fetched = await source().fetchModel('openai/whisper-tiny');
    hub.failNext(100, 500, null);
    await expect(
      fetched.files.find((file) => file.path === 'model.safetensors')?.open(),
    ).rejects.toMatchObject({
      statusCode: 502,
      message: expect.stringMatching(
        /^Hugging Face answered 500 for file "model.safetensors" of model "openai\/whisper-tiny"/,
      ),
    });
  });

  it('answers 404 for an unknown repo, with or without a token', async () => {
    await expect(source().fetchModel('nobody/nothing')).rejects.toThrow(NotFoundError);
    await expect(source({}, 'hf_any').fetchDataset('nobody/nothing')).rejects.toMatchObject({
      statusCode: 404,
      message: 'dataset "nobody/nothing" does not exist on Hugging Face (or is private).',
    });
    // A model id asked for as a dataset is unknown too.
    await expect(source().fetchDataset('openai/whisper-tiny')).rejects.toThrow(NotFoundError);
  });

  it('answers 424 for a gated repo without access, and reads it with a granted token', async () => {
    await expect(source().fetchModel('meta-llama/gated-llama')).rejects.toMatchObject({
      statusCode: 424,
      code: 'UPSTREAM_ERROR',
      message: expect.stringMatching(/is gated on Hugging Face/),
    });
    await expect(source({}, 'hf_not_granted').fetchModel('meta-llama/gated-llama')).rejects.toMatchObject({
      statusCode: 424,
    });
    const granted = await source({}, GRANTED_HF_TOKEN).fetchModel('meta-llama/gated-llama');
    expect(hf(granted)).toMatchObject({ gated: 'manual', config: { modelType: 'llama' } });
    expect(hub.requests.at(-1)?.authorization).toBe(`Bearer ${GRANTED_HF_TOKEN}`);
  });

  it('refuses an oversized repo with 413 before downloading anything', async () => {
    const before = hub.requests.length;
    await expect(source().fetchModel('big-org/huge-model')).rejects.toThrow(PayloadTooLargeError);
    expect(hub.requests.slice(before).some((request) => request.url.includes('/resolve/'))).toBe(false);
    await expect(source({ maxTotalBytes: 1000 }).fetchModel('openai/whisper-tiny')).rejects.toMatchObject({
      statusCode: 413,
    });
    await expect(source({ maxFiles: 10 }).fetchDataset('bookcorpus/bookcorpus')).rejects.toThrow(
      /more than 10 files/,
    );
  });

  it('retries after 429 (honouring Retry-After) and 503, then succeeds', async () => {
    hub.failNext(1, 429, 1);
    hub.failNext(1, 503, null);
    const before = hub.requests.length;
    const fetched = await source().fetchModel('openai/whisper-tiny');
    expect(hf(fetched).repoId).toBe('openai/whisper-tiny');
    const [first, second, third] = hub.requests.slice(before, before + 3).map((request) => request.url);
    expect(first).toMatch(/^\/api\/models\/openai\/whisper-tiny\/revision\/HEAD/);
    expect([second, third]).toEqual([first, first]);
  });

  it('answers 503 with the wait when the rate limit outlasts the retries', async () => {
    hub.failNext(100, 429, 7);
    const error = await source()
      .fetchModel('openai/whisper-tiny')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      statusCode: 503,
      message: 'Hugging Face rate limit reached; retry after 7 seconds.',
    });
  });

  it('does not wait out a Retry-After longer than the policy allows', async () => {
    hub.failNext(1, 429, 3600);
    const before = hub.requests.length;
    await expect(source().fetchModel('openai/whisper-tiny')).rejects.toMatchObject({
      statusCode: 503,
      message: expect.stringMatching(/retry after 3600 seconds/),
    });
    expect(hub.requests.length - before).toBe(1);
  });

  it('answers 502 for other upstream failures that outlast the retries', async () => {
    hub.failNext(100, 500, null);
    await expect(source().fetchModel('openai/whisper-tiny')).rejects.toMatchObject({
      statusCode: 502,
      message: expect.stringMatching(/^Hugging Face answered 500 for model "openai\/whisper-tiny"/),
    });
  });
});

describe('Hugging Face source: response cache', () => {
  it('answers a repeated fetch from the cache without asking the hub again', async () => {
    const cache = new ResponseCache({
      ttlMs: 60_000,
      maxEntries: 100,
      maxBodyBytes: 1 << 20,
      maxTotalBytes: 1 << 24,
    });
    const hfSource = source({ cache });
    const first = await hfSource.fetchModel('openai/whisper-tiny');
    const before = hub.requests.length;
    const second = await hfSource.fetchModel('openai/whisper-tiny');
    expect(hub.requests.length).toBe(before);
    expect(second.metadata).toEqual(first.metadata);
    expect(cache.hits).toBeGreaterThanOrEqual(5);
  });

  it('asks again once entries expire', async () => {
    let now = 0;
    const cache = new ResponseCache({
      ttlMs: 1000,
      maxEntries: 100,
      maxBodyBytes: 1 << 20,
      maxTotalBytes: 1 << 24,
      now: () => now,
    });
    const hfSource = source({ cache });
    await hfSource.fetchModel('openai/whisper-tiny');
    now = 1001;
    const before = hub.requests.length;
    await hfSource.fetchModel('openai/whisper-tiny');
    expect(hub.requests.length).toBeGreaterThan(before);
  });
});
