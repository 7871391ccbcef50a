import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, UpstreamError } from '../../src/domain/errors.js';
import { LicenseService } from '../../src/services/license-service.js';
import { createGitHubSource } from '../../src/sources/github.js';
import type { TestApp } from '../support/app.js';
import { type AppOnFixtures, type FixtureSources, startAppOnFixtures } from '../support/fixture-sources.js';
import { ingestOk, uploadOk } from '../support/requests.js';
import { makeZip } from '../support/zips.js';
import { hfModel } from '../unit/lineage/records.js';

/** A model package whose README front matter declares `frontMatter` (YAML lines). */
function licensedModelZip(frontMatter: string): Promise<Buffer> {
  return makeZip([
    { path: 'README.md', content: `---\n${frontMatter}\n---\n# model\n` },
    { path: 'config.json', content: '{"model_type": "bert"}' },
  ]);
}

/**
 * Model license (README front matter of an uploaded package) x GitHub project, and the verdict
 * for fine-tuning the model with the project's code and running inference with the result.
 */
const UPLOADED_PAIRS: [string, string, string, boolean][] = [
  ['license: apache-2.0', 'google-research/bert', 'Apache-2.0 + Apache-2.0: permissive both', true],
  ['license: apache-2.0', 'openai/whisper', 'Apache-2.0 + MIT: permissive both', true],
  ['license: mit', 'gnu-ml/gpl-toolkit', 'MIT model inside a GPL-3.0 program', true],
  ['license: apache-2.0', 'gnu-ml/gpl-toolkit', 'Apache-2.0 is compatible with GPL-3.0', true],
  ['license: apache-2.0', 'legacy-lab/gpl2-trainer', 'Apache-2.0 conflicts with GPL-2.0-only', false],
  ['license: gpl-3.0', 'legacy-lab/gpl2-trainer', 'GPL-3.0 and GPL-2.0-only cannot combine', false],
  ['license: mit', 'legacy-lab/gpl2-trainer', 'MIT fits into GPL-2.0', true],
  ['license: apache-2.0', 'net-co/agpl-server', 'Apache-2.0 model in an AGPL-3.0 service', true],
  ['license: apache-2.0', 'lgpl-org/inference-lib', 'LGPL-2.1 library with an Apache-2.0 model', true],
  ['license: bsd-3-clause', 'bsd-lab/fast-tokenizers', 'BSD both', true],
  ['license: apache-2.0', 'lonely-dev/scratch', 'code without a license grants nothing', false],
  ['license: apache-2.0', 'odd-corp/custom-license', 'code under an unidentified custom license', false],
  ['license: unknown', 'openai/whisper', 'model license unknown', false],
  ['license: cc-by-nd-4.0', 'openai/whisper', 'no derivatives: cannot fine-tune', false],
  ['license: cc-by-nc-4.0', 'openai/whisper', 'non-commercial, but no conflict between the licenses', true],
  ['license: creativeml-openrail-m', 'google-research/bert', 'OpenRAIL use restrictions pass on', true],
  ['license: llama3', 'openai/whisper', 'Llama 3 community license allows fine-tunes', true],
  ['license: other\nlicense_name: llama3', 'openai/whisper', '"other" read through license_name', true],
  ['license: [apache-2.0, mit]', 'openai/whisper', 'a list of licenses all applying', true],
  ['license: mit OR gpl-3.0', 'legacy-lab/gpl2-trainer', 'an OR expression picks MIT', true],
  ['tags: [bert]', 'openai/whisper', 'a model card without a license', false],
];

describe('POST /artifact/model/{id}/license-check against the fixture GitHub API', () => {
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

  const check = (id: string, payload: unknown, auth = token) =>
    t.app.inject({
      method: 'POST',
      url: `/artifact/model/${id}/license-check`,
      headers: { 'x-authorization': auth },
      payload: payload as object,
    });

  const ingest = (url: string) => ingestOk(t.app, token, 'model', url);

  it.each(UPLOADED_PAIRS)('model "%s" with %s (%s) -> %s', async (frontMatter, repo, _why, expected) => {
    const id = await uploadOk(
      t.app,
      token,
      `m-${repo.replace('/', '-')}`,
      await licensedModelZip(frontMatter),
    );
    const response = await check(id, { github_url: `https://github.com/${repo}` });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toBe(expected);
    expect(response.headers['x-license-reason']).toMatch(expected ? /^Compatible/ : /Not compatible/);
  });

  it.each([
    ['https://huggingface.co/textattack/bert-base-uncased-imdb', 'gnu-ml/gpl-toolkit', true],
    ['https://huggingface.co/google-bert/bert-base-uncased', 'legacy-lab/gpl2-trainer', false],
    ['https://huggingface.co/lonely-dev/untitled-model', 'openai/whisper', false],
  ])('reads the license of ingested %s from its card (with %s -> %s)', async (url, repo, expected) => {
    const id = await ingest(url);
    const response = await check(id, { github_url: `https://github.com/${repo}/tree/master` });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toBe(expected);
  });

  describe('errors', () => {
    let id: string;
    beforeAll(async () => {
      id = await uploadOk(t.app, token, 'error-model', await licensedModelZip('license: mit'));
    });

    it.each([
      ['no body field', {}],
      ['a non-string url', { github_url: 42 }],
      ['not a URL', { github_url: 'github.com/openai/whisper' }],
      ['not a GitHub URL', { github_url: 'https://gitlab.com/openai/whisper' }],
      ['a GitHub URL without a repository', { github_url: 'https://github.com/openai' }],
    ])('answers 400 for %s', async (_case, payload) => {
      const response = await check(id, payload);
      expect(response.statusCode, response.body).toBe(400);
    });

    it('answers 404 for an unknown model and for a repository GitHub does not have', async () => {
      const unknown = await check('00000000-0000-0000-0000-000000000000', {
        github_url: 'https://github.com/openai/whisper',
      });
      expect(unknown.statusCode).toBe(404);
      const missing = await check(id, { github_url: 'https://github.com/nobody/nothing-here' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().message).toMatch(/nobody\/nothing-here/);
    });

    it('answers 404 when the id is a dataset, not a model', async () => {
      const dataset = await uploadOk(t.app, token, 'some-data', await licensedModelZip('license: mit'), {
        type: 'dataset',
      });
      expect((await check(dataset, { github_url: 'https://github.com/openai/whisper' })).statusCode).toBe(
        404,
      );
    });

    it.each([
      ['a spent primary rate limit', 403],
      ['a secondary rate limit', 429],
    ])('answers 502 when GitHub refuses with %s', async (_case, status) => {
      // A repository no earlier test asked about, so no cached answer hides the failure.
      sources.github.failNext(10, status, 120);
      try {
        const response = await check(id, { github_url: 'https://github.com/huge-org/monorepo' });
        expect(response.statusCode, response.body).toBe(502);
        expect(response.json().message).toMatch(/rate limit/i);
      } finally {
        sources.github.clearFailures();
      }
    });

    it('answers 403 without a token', async () => {
      const response = await check(id, { github_url: 'https://github.com/openai/whisper' }, '');
      expect(response.statusCode).toBe(403);
    });
  });
});

describe('LicenseService when GitHub cannot be reached', () => {
  const unreachable = createGitHubSource(
    {
      hfEndpoint: 'http://127.0.0.1:1',
      hfToken: null,
      githubApiUrl: 'http://127.0.0.1:1',
      githubToken: null,
    },
    { policy: { retries: 1, retryDelayMs: 1, timeoutMs: 2000 } },
  );
  const model = hfModel({ repoId: 'acme/m', card: { license: 'mit' } });

  it('answers 502 (not 503 or 500) after the retries', async () => {
    const failure = await new LicenseService(unreachable)
      .check(model, 'https://github.com/openai/whisper')
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ statusCode: 502 });
    expect(failure).not.toBeInstanceOf(NotFoundError);
  });
});
