import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { licenseRoutes } from '../../../../src/http/routes/license.js';
import { LicenseService } from '../../../../src/services/license-service.js';
import { createGitHubSource } from '../../../../src/sources/github.js';
import { makeZip } from '../../../support/zips.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';
import { uploadZip } from '../../support/unit-registry.js';

/** GitHub's REST API for `GET /repos/{owner}/{repo}`: known repositories with their license. */
const REPOS: Record<string, string | null> = {
  'acme/mit-tool': 'MIT',
  'acme/gpl2-tool': 'GPL-2.0',
  'acme/unlicensed': null,
};

const githubFetch: typeof fetch = async (input) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const name = /^\/repos\/([^/]+\/[^/]+)$/.exec(url.pathname)?.[1];
  if (name === 'acme/down') return new Response('{"message":"Server Error"}', { status: 500 });
  if (!name || !(name in REPOS)) {
    return Response.json({ message: 'Not Found' }, { status: 404 });
  }
  const spdx = REPOS[name];
  return Response.json({
    full_name: name,
    default_branch: 'main',
    license: spdx == null ? null : { key: spdx.toLowerCase(), spdx_id: spdx, name: spdx },
  });
};

let h: RouteHarness;
let app: FastifyInstance;
let token: string;
let apacheModel: string;

beforeAll(async () => {
  h = await routeHarness(
    [licenseRoutes],
    {},
    {
      adapt: (registry) => {
        const github = createGitHubSource(registry.config.sources, {
          fetch: githubFetch,
          policy: { retries: 0 },
        });
        return { ...registry, licenses: new LicenseService(github) };
      },
    },
  );
  app = h.app;
  token = await h.adminToken();
  const card = '---\nlicense: apache-2.0\n---\n# “Quoted” model\n';
  apacheModel = (
    await uploadZip(h, 'model', 'apache-model', await makeZip([{ path: 'README.md', content: card }]))
  ).id;
});
afterAll(() => h.close());

const check = (id: string, github_url: unknown) =>
  app.inject({
    method: 'POST',
    url: `/artifact/model/${id}/license-check`,
    headers: { 'x-authorization': token },
    payload: { github_url },
  });

describe('POST /artifact/model/{id}/license-check', () => {
  it('answers true for permissive code, with the reason in plain ASCII in X-License-Reason', async () => {
    const response = await check(apacheModel, 'https://github.com/acme/mit-tool');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toBe(true);
    const reason = String(response.headers['x-license-reason']);
    expect(reason).toMatch(/^[\x20-\x7e]+$/);
    expect(reason).toContain('Apache-2.0');
  });

  it('answers false for conflicting or missing code licenses', async () => {
    const gpl2 = await check(apacheModel, 'https://github.com/acme/gpl2-tool');
    expect(gpl2.json()).toBe(false);
    expect(gpl2.headers['x-license-reason']).toContain('GPL-2.0');
    expect((await check(apacheModel, 'https://github.com/acme/unlicensed')).json()).toBe(false);
  });

  it('answers 400 for a URL that is not a GitHub repository, 404 for unknown ones, 502 when GitHub fails', async () => {
    const notGithub = await check(apacheModel, 'https://example.com/acme/tool');
    expect(notGithub.statusCode).toBe(400);
    expect((await check(apacheModel, 'https://github.com/acme/missing')).statusCode).toBe(404);
    expect((await check('no-such-model', 'https://github.com/acme/mit-tool')).statusCode).toBe(404);
    const down = await check(apacheModel, 'https://github.com/acme/down');
    expect(down.statusCode).toBe(502);
    expect(down.json().error).toBe('UPSTREAM_ERROR');
    expect((await check(apacheModel, 42)).statusCode).toBe(400);
  });
});
