import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transactionRoutes } from '../../../../src/http/routes/transactions.js';
import { makeZip, modelZip } from '../../../support/zips.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';
import { uploadZip } from '../../support/unit-registry.js';

describe('transaction routes', () => {
  let h: RouteHarness;
  let owner: string;
  let other: string;
  beforeAll(async () => {
    h = await routeHarness([transactionRoutes], { PUBLIC_URL: 'https://registry.example' });
    owner = await h.userToken('tx-owner', { can_upload: true });
    other = await h.userToken('tx-other', { can_upload: true });
    h.sources.serve('https://example.com/new.zip', { name: 'tx-new', zip: await modelZip('tx-new') });
  });
  afterAll(() => h.close());

  const as = (token: string) => ({ 'x-authorization': token });
  const open = async (token = owner) => {
    const response = await h.app.inject({ method: 'POST', url: '/transactions', headers: as(token) });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string; state: string; owner: string; commands: unknown[] }>();
  };

  it('opens, appends from a URL and an upload, and executes all commands together', async () => {
    const existing = await uploadZip(h, 'model', 'tx-old', await modelZip('tx-old'));
    const tx = await open();
    expect(tx).toMatchObject({ state: 'open', owner: 'tx-owner', commands: [] });

    const created = await h.app.inject({
      method: 'POST',
      url: `/transactions/${tx.id}/commands`,
      headers: as(owner),
      payload: { op: 'create', type: 'model', url: 'https://example.com/new.zip' },
    });
    expect(created.statusCode).toBe(201);
    const uploaded = await h.app.inject({
      method: 'POST',
      url: `/transactions/${tx.id}/commands/upload?type=code&name=tx-code&version=0.1.0`,
      headers: { ...as(owner), 'content-type': 'application/zip' },
      payload: await makeZip([{ path: 'main.py', content: 'print(2)\n' }]),
    });
    expect(uploaded.statusCode).toBe(201);
    const deleted = await h.app.inject({
      method: 'POST',
      url: `/transactions/${tx.id}/commands`,
      headers: as(owner),
      payload: { op: 'delete', type: 'model', id: existing.id },
    });
    expect(deleted.json().commands.map((c: { op: string }) => c.op)).toEqual(['create', 'create', 'delete']);
    // Nothing is visible before execute.
    expect(await h.registry.search.byName('tx-new').catch(() => [])).toEqual([]);

    const executed = await h.app.inject({
      method: 'POST',
      url: `/transactions/${tx.id}/execute`,
      headers: as(owner),
    });
    expect(executed.statusCode).toBe(200);
    const body = executed.json();
    expect(body).toMatchObject({ id: tx.id, state: 'executed' });
    expect(
      body.results.map((r: { op: string; metadata: { name: string } }) => [r.op, r.metadata.name]),
    ).toEqual([
      ['create', 'tx-new'],
      ['create', 'tx-code'],
      ['delete', 'tx-old'],
    ]);
    expect(body.results[0].data.download_url).toMatch(/^https:\/\/registry\.example\/download\/model\//);
    await expect(h.registry.artifacts.get('model', existing.id)).rejects.toMatchObject({ statusCode: 404 });

    const again = await h.app.inject({
      method: 'POST',
      url: `/transactions/${tx.id}/execute`,
      headers: as(owner),
    });
    expect(again.json()).toEqual(body);
    const view = await h.app.inject({ method: 'GET', url: `/transactions/${tx.id}`, headers: as(owner) });
    expect(view.json()).toMatchObject({ state: 'executed', result: { status: 200 } });
  });

  it('answers 409 at execute when an artifact changed since it was appended, applying nothing', async () => {
    const target = await uploadZip(h, 'model', 'tx-target', await modelZip('tx-target'));
    const tx = await open();
    await h.app.inject({
      method: 'POST',
      url: `/transactions/${tx.id}/commands`,
      headers: as(owner),
      payload: { op: 'delete', type: 'model', id: target.id },
    });
    await h.registry.artifacts.delete('model', target.id);
    const conflict = await h.app.inject({
      method: 'POST',
      url: `/transactions/${tx.id}/execute`,
      headers: as(owner),
    });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error).toEqual(expect.any(String));
  });

  it('keeps a transaction to its owner, and validates ids, commands and bodies', async () => {
    const tx = await open();
    const foreign = await h.app.inject({
      method: 'POST',
      url: `/transactions/${tx.id}/commands`,
      headers: as(other),
      payload: { op: 'create', type: 'model', url: 'https://example.com/new.zip' },
    });
    // Another user does not even learn that it exists.
    expect(foreign.statusCode).toBe(404);
    expect(
      (await h.app.inject({ method: 'GET', url: '/transactions/not-a-uuid', headers: as(owner) })).statusCode,
    ).toBe(400);
    expect(
      (
        await h.app.inject({
          method: 'GET',
          url: '/transactions/00000000-0000-4000-8000-000000000000',
          headers: as(owner),
        })
      ).statusCode,
    ).toBe(404);
    const badOp = await h.app.inject({
      method: 'POST',
      url: `/transactions/${tx.id}/commands`,
      headers: as(owner),
      payload: { op: 'rename', type: 'model' },
    });
    expect(badOp.statusCode).toBe(400);
    const json = await h.app.inject({
      method: 'POST',
      url: `/transactions/${tx.id}/commands/upload?type=code&name=x`,
      headers: as(owner),
      payload: { not: 'a zip' },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().message).toMatch(/Send the zip itself/);
    const reader = await h.userToken('tx-reader', { can_search: true });
    expect(
      (await h.app.inject({ method: 'POST', url: '/transactions', headers: as(reader) })).statusCode,
    ).toBe(403);
  });
});
