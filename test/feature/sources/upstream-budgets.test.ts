import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { type FixtureSources, startFixtureSources } from '../../support/fixture-sources.js';
import { createFromUrl, uploadOk } from '../../support/requests.js';
import { createPgS3Storage, testStorageKind } from '../../support/test-storage.js';
import { modelZip } from '../../support/zips.js';

/**
 * Ingest against fixture servers that behave like the real GitHub and Hugging Face APIs: request
 * budgets, statistics that are computing or refused, and card text that must not reach URLs.
 * Each test counts the requests the fixtures received.
 */
let sources: FixtureSources;
beforeAll(async () => {
  sources = await startFixtureSources();
});
afterAll(() => sources.close());
afterEach(() => {
  sources.github.clearFailures();
  sources.github.resetBudgets();
  sources.hub.clearFailures();
});

/** The registry as a new user starts it: no GITHUB_TOKEN, the ingest gate on. */
function anonymousEnv(extra: Record<string, string> = {}): Record<string, string> {
  const { GITHUB_TOKEN: _token, ...env } = sources.env;
  return { ...env, ...extra };
}

/** API requests the GitHub fixture received since `from` (the download host is not the API). */
function apiRequestsSince(from: number): string[] {
  return sources.github.requests
    .slice(from)
    .map((request) => request.url)
    .filter((url) => !url.startsWith('/_codeload/'));
}

async function withApp<T>(env: Record<string, string>, work: (t: TestApp, token: string) => Promise<T>) {
  const t = await startTestApp(env);
  try {
    return await work(t, await t.token());
  } finally {
    await t.close();
  }
}

const BERT = 'https://huggingface.co/google-bert/bert-base-uncased';

/** Storage that outlives an app, so the registry can be restarted on it. */
async function durableStorage() {
  if (testStorageKind() === 'pg-s3') {
    const storage = await createPgS3Storage();
    return {
      start: (env: Record<string, string>) => startTestApp(env, storage.overrides()),
      dispose: () => storage.dispose(),
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'modelguard-restart-'));
  return {
    start: (env: Record<string, string>) => startTestApp({ ...env, DATA_DIR: dataDir }),
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
}

describe('GitHub without a token', () => {
  it('ingests a model whose card links its repository within 20 requests', async () => {
    const from = sources.github.requests.length;
    await withApp(anonymousEnv(), async (t, token) => {
      const response = await createFromUrl(t.app, token, 'model', BERT);
      expect(response.statusCode, response.body).toBe(201);
    });
    const requests = apiRequestsSince(from);
    expect(requests.some((url) => url.startsWith('/repos/google-research/bert'))).toBe(true);
    expect(requests.length).toBeLessThanOrEqual(20);
    expect(sources.github.budget(null).used).toBe(requests.length);
  });

  it('rates the same model again after a restart with revalidations only (304s GitHub does not count)', async () => {
    const storage = await durableStorage();
    try {
      const first = await storage.start(anonymousEnv());
      const firstToken = await first.token();
      const created = await createFromUrl(first.app, firstToken, 'model', BERT);
      expect(created.statusCode, created.body).toBe(201);
      await first.close();
      const spent = sources.github.budget(null).used;
      expect(spent).toBeGreaterThan(0);

      const from = sources.github.requests.length;
      const second = await storage.start(anonymousEnv());
      try {
        const again = await createFromUrl(second.app, await second.token(), 'model', BERT);
        expect(again.statusCode, again.body).toBe(201);
      } finally {
        await second.close();
      }
      const revalidations = apiRequestsSince(from);
      expect(revalidations.length).toBe(spent);
      expect(sources.github.budget(null).used).toBe(spent);
    } finally {
      await storage.dispose();
    }
  });

  it('answers 503 with Retry-After when the budget is spent, and stores nothing', async () => {
    sources.github.setBudget(null, 0, 1800);
    await withApp(anonymousEnv(), async (t, token) => {
      const response = await createFromUrl(t.app, token, 'model', BERT);
      expect(response.statusCode, response.body).toBe(503);
      expect(response.json()).toMatchObject({
        error: 'UPSTREAM_ERROR',
        message: expect.stringMatching(/^GitHub rate limit reached; retry after 1[78]\d\d seconds\.$/),
      });
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(1700);
      const stored = await t.app.registry.store.queryArtifacts([{ name: '*' }], { limit: 10 });
      expect(stored.items).toEqual([]);
    });
  });
});

describe('code packages through the zipball', () => {
  it('ingests a repository of 2,000 small files with a handful of requests', async () => {
    const from = sources.github.requests.length;
    await withApp(anonymousEnv(), async (t, token) => {
      const response = await createFromUrl(t.app, token, 'code', 'https://github.com/bulk-lab/many-files');
      expect(response.statusCode, response.body).toBe(201);
      const id = response.json().metadata.id as string;
      const download = await t.app.inject({
        url: `/artifacts/code/${id}`,
        headers: { 'x-authorization': token },
      });
      expect(download.statusCode, download.body).toBe(200);
      const stored = await t.app.registry.store.getArtifact(id);
      expect(stored?.facts.files).toHaveLength(2001);
      expect(stored?.facts.files.map((file) => file.path)).toContain('pkg/mod_1999.py');
    });
    const requests = apiRequestsSince(from);
    expect(requests.filter((url) => url.includes('/git/blobs/'))).toEqual([]);
    expect(requests.filter((url) => url.includes('/zipball/'))).toHaveLength(1);
    expect(requests.length).toBeLessThanOrEqual(8);
    expect(sources.github.requests.slice(from).some((r) => r.url.startsWith('/_codeload/'))).toBe(true);
  });

  it('ingests a model and its linked repository as code within 20 requests', async () => {
    const from = sources.github.requests.length;
    await withApp(anonymousEnv(), async (t, token) => {
      const model = await createFromUrl(t.app, token, 'model', BERT);
      expect(model.statusCode, model.body).toBe(201);
      const code = await createFromUrl(t.app, token, 'code', 'https://github.com/google-research/bert');
      expect(code.statusCode, code.body).toBe(201);
      const stored = await t.app.registry.store.getArtifact(code.json().metadata.id);
      expect(stored?.facts.files.map((file) => file.path).sort()).toContain('modeling.py');
    });
    const requests = apiRequestsSince(from);
    expect(requests.length).toBeLessThanOrEqual(20);
    // Six pull requests sampled (two requests each), as the reviewedness reason says.
    expect(requests.filter((url) => /\/pulls\/\d+\/reviews/.test(url))).toHaveLength(6);
  });

  it('with a token samples 30 pull requests for the same ingest', async () => {
    const from = sources.github.requests.length;
    await withApp(sources.env, async (t, token) => {
      const model = await createFromUrl(t.app, token, 'model', BERT);
      expect(model.statusCode, model.body).toBe(201);
      const code = await createFromUrl(t.app, token, 'code', 'https://github.com/google-research/bert');
      expect(code.statusCode, code.body).toBe(201);
    });
    const requests = apiRequestsSince(from);
    expect(requests.filter((url) => /\/pulls\/\d+\/reviews/.test(url))).toHaveLength(30);
    expect(sources.github.budget(null).used).toBe(0);
  });
});

describe('optional GitHub statistics', () => {
  it.each([
    ['404', () => sources.github.refuse(/\/(stats\/code_frequency|contributors|pulls)/, 404)],
    ['422', () => sources.github.refuse(/\/(stats\/code_frequency|contributors|pulls)/, 422)],
    ['202', () => sources.github.setStatistics('google-research/bert', 'computing')],
  ])('a %s on every optional endpoint still ingests the model and the code', async (_status, arrange) => {
    arrange();
    await withApp(sources.env, async (t, token) => {
      const model = await createFromUrl(t.app, token, 'model', BERT);
      expect(model.statusCode, model.body).toBe(201);
      const code = await createFromUrl(t.app, token, 'code', 'https://github.com/google-research/bert');
      expect(code.statusCode, code.body).toBe(201);
    });
  });
});

describe('Hugging Face rate limits', () => {
  it('waits out a short 429 (Retry-After) and ingests', async () => {
    sources.hub.setBudget(null, 0, 1);
    await withApp({ ...sources.env, GATE_ENABLED: 'false' }, async (t, token) => {
      const response = await createFromUrl(
        t.app,
        token,
        'model',
        'https://huggingface.co/openai/whisper-tiny',
      );
      expect(response.statusCode, response.body).toBe(201);
    });
  });

  it('answers 503 with Retry-After when the hub budget is spent for longer, storing nothing', async () => {
    const from = sources.hub.requests.length;
    sources.hub.setBudget(null, 0, 3600);
    await withApp({ ...sources.env, GATE_ENABLED: 'false' }, async (t, token) => {
      const response = await createFromUrl(t.app, token, 'model', BERT);
      expect(response.statusCode, response.body).toBe(503);
      expect(response.json().message).toMatch(
        /^Hugging Face rate limit reached; retry after 3[56]\d\d seconds\.$/,
      );
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(3500);
      const stored = await t.app.registry.store.queryArtifacts([{ name: '*' }], { limit: 10 });
      expect(stored.items).toEqual([]);
    });
    // A wait longer than the policy allows is not retried: one request, one refusal.
    expect(sources.hub.requests.length - from).toBe(1);
  });
});

describe('the total ingest deadline', () => {
  it('fails a source that drips bytes past INGEST_DEADLINE_MS with 504, storing nothing', async () => {
    let closedEarly = false;
    const drip = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/zip', 'content-length': '100000' });
      // Never silent for long, so only a total deadline stops it.
      const timer = setInterval(() => response.write('x'), 100);
      response.on('close', () => {
        clearInterval(timer);
        closedEarly = !response.writableFinished;
      });
    });
    await new Promise<void>((resolve) => drip.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(drip.address() as AddressInfo).port}/slow.zip`;
    try {
      const env = {
        ...sources.env,
        INGEST_ALLOW_PRIVATE_NETWORK: 'true',
        INGEST_TIMEOUT_MS: '1000',
        INGEST_DEADLINE_MS: '1500',
      };
      await withApp(env, async (t, token) => {
        const response = await createFromUrl(t.app, token, 'code', url);
        expect(response.statusCode, response.body).toBe(504);
        expect(response.json()).toEqual({
          error: 'UPSTREAM_ERROR',
          message: `Ingesting ${url} took longer than the ingest deadline of 1500 ms (INGEST_DEADLINE_MS); nothing was stored.`,
        });
        const stored = await t.app.registry.store.queryArtifacts([{ name: '*' }], { limit: 10 });
        expect(stored.items).toEqual([]);
        await expect.poll(() => closedEarly).toBe(true);
      });
    } finally {
      drip.closeAllConnections();
      await new Promise((resolve) => drip.close(resolve));
    }
  });
});

describe('names from model cards', () => {
  it('dataset and base-model names that are not hub repo ids make no hub request', async () => {
    const readme = [
      '---',
      'license: apache-2.0',
      'datasets:',
      '  - ../../../api/whoami-v2',
      '  - "a/b?x=1#"',
      '  - "c#d"',
      'base_model: ../../api/whoami-v2',
      '---',
      '# hostile card',
      '',
    ].join('\n');
    await withApp({ ...sources.env, GATE_ENABLED: 'false' }, async (t, token) => {
      const id = await uploadOk(t.app, token, 'hostile-card', await modelZip('hostile-card', readme));
      const from = sources.hub.requests.length;
      const rating = await t.app.inject({
        url: `/artifact/model/${id}/rate`,
        headers: { 'x-authorization': token },
      });
      expect(rating.statusCode, rating.body).toBe(200);
      expect(sources.hub.requests.slice(from)).toEqual([]);
    });
  });
});
