import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchRoutes } from '../../../../src/http/routes/search.js';
import { modelZip } from '../../../support/zips.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';
import { uploadZip } from '../../support/unit-registry.js';

describe('search routes', () => {
  let h: RouteHarness;
  let searcher: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    h = await routeHarness([searchRoutes], { PAGE_SIZE: '2' });
    searcher = await h.userToken('searcher', { can_search: true });
    for (const name of ['alpha-model', 'beta-model', 'gamma-model']) {
      ids[name] = (
        await uploadZip(h, 'model', name, await modelZip(name, `# ${name}\n\nSpeaks ${name}ese.`))
      ).id;
    }
  });
  afterAll(() => h.close());

  const as = (token: string) => ({ 'x-authorization': token });
  const names = (body: { name: string }[]) => body.map((m) => m.name).sort();

  it('enumerates every artifact a page at a time with the next offset in a header', async () => {
    const first = await h.app.inject({
      method: 'POST',
      url: '/artifacts',
      headers: as(searcher),
      payload: [{ name: '*' }],
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toHaveLength(2);
    const offset = first.headers.offset;
    expect(offset).toEqual(expect.any(String));
    const second = await h.app.inject({
      method: 'POST',
      url: `/artifacts?offset=${encodeURIComponent(String(offset))}`,
      headers: as(searcher),
      payload: [{ name: '*' }],
    });
    expect(second.json()).toHaveLength(1);
    expect(second.headers.offset).toBeUndefined();
    expect(names([...first.json(), ...second.json()])).toEqual(['alpha-model', 'beta-model', 'gamma-model']);

    const none = await h.app.inject({
      method: 'POST',
      url: '/artifacts',
      headers: as(searcher),
      payload: [{ name: '*', types: ['dataset'] }],
    });
    expect(none.json()).toEqual([]);
  });

  it('refuses a body that is not a list of queries (400) and callers without search (403)', async () => {
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: '/artifacts',
          headers: as(searcher),
          payload: { name: '*' },
        })
      ).statusCode,
    ).toBe(400);
    const uploader = await h.userToken('uploader-only', { can_upload: true });
    const denied = await h.app.inject({
      method: 'POST',
      url: '/artifacts',
      headers: as(uploader),
      payload: [{ name: '*' }],
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({
      error: 'PERMISSION_DENIED',
      message: 'You do not have the search permission.',
    });
  });

  it('finds artifacts by exact name (404 for none) and counts the hits', async () => {
    const found = await h.app.inject({
      method: 'GET',
      url: '/artifact/byName/beta-model',
      headers: as(searcher),
    });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toEqual([{ name: 'beta-model', id: ids['beta-model'], type: 'model' }]);
    expect(
      (await h.app.inject({ method: 'GET', url: '/artifact/byName/nothing', headers: as(searcher) }))
        .statusCode,
    ).toBe(404);
  });

  it('finds artifacts by a regular expression over names and READMEs (400 for bad syntax)', async () => {
    const byName = await h.app.inject({
      method: 'POST',
      url: '/artifact/byRegEx',
      headers: as(searcher),
      payload: { regex: '^(alpha|gamma)-' },
    });
    expect(byName.statusCode).toBe(200);
    expect(names(byName.json())).toEqual(['alpha-model', 'gamma-model']);
    const byReadme = await h.app.inject({
      method: 'POST',
      url: '/artifact/byRegEx',
      headers: as(searcher),
      payload: { regex: 'beta-modelese' },
    });
    expect(names(byReadme.json())).toEqual(['beta-model']);
    const bad = await h.app.inject({
      method: 'POST',
      url: '/artifact/byRegEx',
      headers: as(searcher),
      payload: { regex: '(unclosed' },
    });
    expect(bad.statusCode).toBe(400);
    const none = await h.app.inject({
      method: 'POST',
      url: '/artifact/byRegEx',
      headers: as(searcher),
      payload: { regex: 'zzz-no-such' },
    });
    expect(none.statusCode).toBe(404);
  });
});
