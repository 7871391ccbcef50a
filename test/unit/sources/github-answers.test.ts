import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourcesConfig } from '../../../src/config.js';
import { createGitHubSource } from '../../../src/sources/github.js';
import type { GitHubMetadata } from '../../../src/sources/source.js';
import { type GitHubFixtureServer, startGitHubServer } from '../../fixtures/github-server.js';

/**
 * GitHub answers that leave optional fields out or null (deleted users, anonymous contributors,
 * commits by unlinked e-mail addresses): the fixture's answer for one path is reshaped.
 */
let api: GitHubFixtureServer;

beforeAll(async () => {
  api = await startGitHubServer({ inProcess: true });
});
afterAll(() => api.close());

type Reshape = (body: unknown, url: string) => { body: unknown; headers?: Record<string, string> };

/** `fetch` as the fixture answers, except that JSON for URLs matching `path` goes through `reshape`. */
function reshaping(path: RegExp, reshape: Reshape): typeof fetch {
  return async (input, init) => {
    const response = await api.fetch(input, init);
    const url = String(input instanceof Request ? input.url : input);
    if (!path.test(url) || !response.ok) return response;
    const changed = reshape(await response.json(), url);
    const headers = new Headers(response.headers);
    headers.delete('etag');
    headers.delete('content-length');
    for (const [name, value] of Object.entries(changed.headers ?? {})) headers.set(name, value);
    return new Response(JSON.stringify(changed.body), { status: response.status, headers });
  };
}

function source(fetch: typeof globalThis.fetch, token: string | null = 'ghp_fixture') {
  const config: SourcesConfig = {
    hfEndpoint: 'http://127.0.0.1:1',
    hfToken: null,
    githubApiUrl: api.url,
    githubToken: token,
  };
  return createGitHubSource(config, { fetch, policy: { retryDelayMs: 1, retries: 0, timeoutMs: 10_000 } });
}

async function metadata(
  fetch: typeof globalThis.fetch,
  owner = 'openai',
  repo = 'whisper',
): Promise<GitHubMetadata> {
  const fetched = await source(fetch).fetchRepo(owner, repo);
  if (fetched.metadata.kind !== 'github') throw new Error('expected GitHub metadata');
  return fetched.metadata;
}

type Json = Record<string, unknown>;

describe('GitHub source: answers with fields left out', () => {
  it('a commit by an unlinked address is credited to its git author name, or to nobody', async () => {
    let gitName: unknown;
    const meta = await metadata(
      reshaping(/\/commits\?/, (body) => {
        const [first = {}, second = {}, ...rest] = body as Json[];
        gitName = ((first.commit as Json).author as Json).name;
        return {
          body: [
            { ...first, author: null },
            { ...second, author: null, commit: { ...(second.commit as Json), author: null } },
            ...rest,
          ],
        };
      }),
    );
    const [first, second] = meta.recentCommits;
    expect(gitName).toEqual(expect.any(String));
    expect(first?.author).toBe(gitName);
    expect(second).toMatchObject({ author: null, date: null });
  });

  it('a repository with no commits cannot be fetched (502)', async () => {
    await expect(
      source(reshaping(/\/commits\?/, () => ({ body: [] }))).fetchRepo('openai', 'whisper'),
    ).rejects.toMatchObject({
      statusCode: 502,
      message: 'GitHub repository openai/whisper has no commits to fetch.',
    });
  });

  it('anonymous contributors are named by their git name, else "anonymous"', async () => {
    const meta = await metadata(
      reshaping(/\/contributors\?/, () => ({
        body: [
          { type: 'Anonymous', name: 'Jane Doe', contributions: 7 },
          { type: 'Anonymous', contributions: 2 },
        ],
      })),
    );
    expect(meta.contributors).toEqual([
      { login: 'Jane Doe', contributions: 7 },
      { login: 'anonymous', contributions: 2 },
    ]);
    expect(meta.contributorsTruncated).toBe(false);
  });

  it('a licence GitHub cannot identify (NOASSERTION) or no licence object is no licence', async () => {
    const noAssertion = reshaping(/\/repos\/openai\/whisper$/, (body) => ({
      body: { ...(body as Json), license: { key: 'other', spdx_id: 'NOASSERTION' } },
    }));
    expect(await source(noAssertion).getLicense('openai', 'whisper')).toBeNull();
    const none = reshaping(/\/repos\/openai\/whisper$/, (body) => ({
      body: { ...(body as Json), license: null },
    }));
    expect((await metadata(none)).license).toBeNull();
  });

  it('pull requests by deleted users (user null) and reviews by deleted users', async () => {
    const plain = await metadata(api.fetch);
    expect(plain.pullRequests.items.length).toBeGreaterThan(0);
    const meta = await metadata(
      reshaping(/\/pulls(\?|\/\d+\/reviews)/, (body, url) => ({
        body: /\/reviews/.test(url)
          ? (body as Json[]).map((review) => ({ ...review, user: null }))
          : (body as Json[]).map((pull) => ({ ...pull, user: null })),
      })),
    );
    for (const pull of meta.pullRequests.items) {
      expect(pull.author).toBeNull();
      // A review by a deleted user is by someone other than the (unknown) author, but has no login.
      expect(pull.reviewers).toEqual([]);
    }
    expect(meta.pullRequests.items.some((pull) => pull.reviews > 0)).toBe(true);
  });

  it('tree entries without a size count as empty', async () => {
    const meta = await metadata(
      reshaping(/\/git\/trees\//, (body) => ({
        body: {
          ...(body as Json),
          tree: ((body as Json).tree as Json[]).map((entry) => ({ ...entry, size: undefined })),
        },
      })),
    );
    expect(meta.tree.fileCount).toBeGreaterThan(0);
    expect(meta.tree.files.every((file) => file.size === 0)).toBe(true);
  });

  it('a blob GitHub gives as text (not base64) is opened as its UTF-8 bytes', async () => {
    const fetched = await source(
      reshaping(/\/git\/blobs\//, (body) => ({
        body: { ...(body as Json), content: 'plain text', encoding: 'utf-8' },
      })),
    ).fetchRepo('openai', 'whisper');
    const file = fetched.files[0];
    if (!file) throw new Error('expected a file');
    const chunks: Buffer[] = [];
    for await (const chunk of await file.open()) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString('utf8')).toBe('plain text');
  });

  it('an archive GitHub refuses is 404 when missing and 502 otherwise', async () => {
    const refusing =
      (status: number): typeof globalThis.fetch =>
      async (input, init) =>
        /\/zipball\//.test(String(input instanceof Request ? input.url : input))
          ? new Response('{"message":"no"}', { status, statusText: 'Refused' })
          : api.fetch(input, init);
    const missing = await source(refusing(404)).fetchRepo('openai', 'whisper');
    await expect(missing.archive?.()).rejects.toMatchObject({
      statusCode: 404,
      message: 'the archive of GitHub repository openai/whisper does not exist (or is private).',
    });
    const broken = await source(refusing(500)).fetchRepo('openai', 'whisper');
    await expect(broken.archive?.()).rejects.toMatchObject({
      statusCode: 502,
      message: 'GitHub answered 500 for the archive of GitHub repository openai/whisper: 500 Refused',
    });
  });
});
