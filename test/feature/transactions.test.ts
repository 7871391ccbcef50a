import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConsistency } from '../../src/services/consistency-check.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FixtureSources, startFixtureSources } from '../support/fixture-sources.js';
import { listAll, uploadOk } from '../support/requests.js';
import { userToken } from '../support/users.js';
import { startZipServer, type ZipServer } from '../support/zip-server.js';
import { modelZip, sha256 } from '../support/zips.js';

/** Every blob is named (by an artifact, an aspect package of one, or a staged command): nothing left behind. */
async function expectNoOrphans(t: TestApp): Promise<void> {
  const report = await checkConsistency(t.app.registry.store, t.app.registry.blobs, {
    repair: false,
    graceMs: 0,
    verifyDigests: true,
  });
  expect(report.orphans).toEqual([]);
  expect(report.packageProblems).toEqual([]);
}

describe('group transactions', () => {
  let t: TestApp;
  let admin: string;
  let alice: string;
  let bob: string;
  let zips: ZipServer;
  let fromUrl: Buffer;
  let replacement: Buffer;

  beforeAll(async () => {
    t = await startTestApp({
      INGEST_ALLOW_PRIVATE_NETWORK: 'true',
      TOKEN_MAX_USES: '100000',
      TRANSACTION_MAX_COMMANDS: '4',
    });
    admin = await t.token();
    alice = await userToken(t.app, admin, 'alice', {
      can_upload: true,
      can_search: true,
      can_download: true,
    });
    bob = await userToken(t.app, admin, 'mallory', { can_upload: true, can_search: true });
    fromUrl = await modelZip('fetched', '# fetched\n\nFrom a URL.');
    replacement = await modelZip('replaced', '# replaced\n\nThe new package.');
    zips = await startZipServer({ '/fetched.zip': fromUrl, '/replacement.zip': replacement });
  });
  afterAll(async () => {
    await zips?.close();
    await t?.close();
  });

  const as = (token: string) => ({ 'x-authorization': token });
  const open = async (token = alice) => {
    const response = await t.app.inject({ method: 'POST', url: '/transactions', headers: as(token) });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const append = (id: string, command: object, token = alice) =>
    t.app.inject({
      method: 'POST',
      url: `/transactions/${id}/commands`,
      headers: as(token),
      payload: command,
    });
  const appendUpload = (id: string, name: string, zip: Buffer, token = alice) =>
    t.app.inject({
      method: 'POST',
      url: `/transactions/${id}/commands/upload?type=model&name=${encodeURIComponent(name)}&version=1.0.0`,
      headers: { ...as(token), 'content-type': 'application/zip' },
      payload: zip,
    });
  const execute = (id: string, token = alice) =>
    t.app.inject({ method: 'POST', url: `/transactions/${id}/execute`, headers: as(token) });
  const read = (id: string, token = alice) =>
    t.app.inject({ method: 'GET', url: `/transactions/${id}`, headers: as(token) });
  const names = async () =>
    ((await listAll(t.app, admin)).json() as { name: string }[]).map((artifact) => artifact.name).sort();
  const download = (id: string) =>
    t.app.inject({ method: 'GET', url: `/download/model/${id}`, headers: as(admin) });

  it('stages an upload, a create from a URL, an update and a delete, shows none of them until executed, then all', async () => {
    const kept = await uploadOk(t.app, alice, 'to-update', await modelZip('to-update'));
    const doomed = await uploadOk(t.app, alice, 'to-delete', await modelZip('to-delete'));
    const before = await names();
    const id = await open();

    expect((await appendUpload(id, 'uploaded', await modelZip('uploaded'))).statusCode).toBe(201);
    expect(
      (await append(id, { op: 'create', type: 'model', url: `${zips.url}/fetched.zip` })).statusCode,
    ).toBe(201);
    expect(
      (await append(id, { op: 'update', type: 'model', id: kept, url: `${zips.url}/replacement.zip` }))
        .statusCode,
    ).toBe(201);
    const last = await append(id, { op: 'delete', type: 'model', id: doomed });
    expect(last.statusCode, last.body).toBe(201);
    expect(last.json()).toMatchObject({
      id,
      owner: 'alice',
      state: 'open',
      result: null,
      commands: [
        { position: 0, op: 'create', artifact: { name: 'uploaded', type: 'model' } },
        { position: 1, op: 'create', artifact: { name: 'fetched', type: 'model' } },
        { position: 2, op: 'update', artifact: { id: kept, name: 'to-update' } },
        { position: 3, op: 'delete', artifact: { id: doomed, name: 'to-delete' } },
      ],
    });
    expect(last.json().staged_bytes).toBeGreaterThan(fromUrl.length + replacement.length);

    // Staged, not visible: readers see the registry as it was.
    expect(await names()).toEqual(before);
    expect(sha256((await download(kept)).rawPayload)).not.toBe(sha256(replacement));
    expect((await download(doomed)).statusCode).toBe(200);
    await expectNoOrphans(t);

    const executed = await execute(id);
    expect(executed.statusCode, executed.body).toBe(200);
    const body = executed.json();
    expect(body).toMatchObject({ id, state: 'executed' });
    expect(
      body.results.map((result: { op: string; metadata: { name: string } }) => [
        result.op,
        result.metadata.name,
      ]),
    ).toEqual([
      ['create', 'uploaded'],
      ['create', 'fetched'],
      ['update', 'to-update'],
      ['delete', 'to-delete'],
    ]);
    expect(await names()).toEqual(
      [...before.filter((name) => name !== 'to-delete'), 'fetched', 'uploaded'].sort(),
    );
    expect(sha256((await download(kept)).rawPayload)).toBe(sha256(replacement));
    expect((await download(doomed)).statusCode).toBe(404);
    const created = body.results[1].metadata.id as string;
    expect(sha256((await download(created)).rawPayload)).toBe(sha256(fromUrl));

    // Executing again answers the same, and applies nothing twice.
    const again = await execute(id);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(body);
    expect((await read(id)).json()).toMatchObject({
      state: 'executed',
      commands: [],
      result: { status: 200 },
    });
    await expectNoOrphans(t);
  });

  it('answers 409 and applies nothing when an artifact it updates or deletes changed since it was appended', async () => {
    const contested = await uploadOk(t.app, alice, 'contested', await modelZip('contested'));
    const bystander = await uploadOk(t.app, alice, 'bystander', await modelZip('bystander'));
    const before = await names();
    const id = await open();
    expect((await appendUpload(id, 'never-visible', await modelZip('never-visible'))).statusCode).toBe(201);
    expect((await append(id, { op: 'delete', type: 'model', id: bystander })).statusCode).toBe(201);
    expect(
      (await append(id, { op: 'update', type: 'model', id: contested, url: `${zips.url}/replacement.zip` }))
        .statusCode,
    ).toBe(201);
    // Someone else changes the contested artifact in between.
    const put = await t.app.inject({
      method: 'PUT',
      url: `/artifacts/model/${contested}`,
      headers: as(admin),
      payload: {
        metadata: { id: contested, name: 'contested', type: 'model' },
        data: { url: `${zips.url}/fetched.zip` },
      },
    });
    expect(put.statusCode, put.body).toBe(200);

    const refused = await execute(id);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json()).toMatchObject({
      error: 'CONFLICT',
      message: expect.stringContaining('Nothing was applied'),
    });
    expect(await names()).toEqual(before);
    expect((await download(bystander)).statusCode).toBe(200);
    expect(sha256((await download(contested)).rawPayload)).toBe(sha256(fromUrl));
    // The same answer again; the staged packages were collected.
    const again = await execute(id);
    expect([again.statusCode, again.json()]).toEqual([409, refused.json()]);
    expect((await read(id)).json()).toMatchObject({ state: 'failed', result: { status: 409 } });
    await expectNoOrphans(t);
  });

  it('belongs to its creator: others are told it does not exist, admins may read it but not change it', async () => {
    const id = await open();
    expect((await read(id, bob)).statusCode).toBe(404);
    expect((await execute(id, bob)).statusCode).toBe(404);
    expect(
      (await append(id, { op: 'create', type: 'model', url: `${zips.url}/fetched.zip` }, bob)).statusCode,
    ).toBe(404);
    expect((await read(id, admin)).json()).toMatchObject({ id, owner: 'alice', state: 'open' });
    expect((await execute(id, admin)).statusCode).toBe(403);
    expect((await read(id)).json().state).toBe('open');
  });

  it('limits commands, one per artifact, and refuses commands once executed', async () => {
    const target = await uploadOk(t.app, alice, 'limited', await modelZip('limited'));
    const id = await open();
    expect((await append(id, { op: 'delete', type: 'model', id: target })).statusCode).toBe(201);
    const twice = await append(id, {
      op: 'update',
      type: 'model',
      id: target,
      url: `${zips.url}/fetched.zip`,
    });
    expect([twice.statusCode, twice.json().error]).toEqual([409, 'CONFLICT']);
    for (const name of ['one', 'two', 'three']) {
      expect((await appendUpload(id, name, await modelZip(name))).statusCode).toBe(201);
    }
    const over = await appendUpload(id, 'four', await modelZip('four'));
    expect([over.statusCode, over.json().message]).toEqual([
      413,
      expect.stringContaining('TRANSACTION_MAX_COMMANDS'),
    ]);
    expect((await execute(id)).statusCode).toBe(200);
    const late = await appendUpload(id, 'late', await modelZip('late'));
    expect(late.statusCode).toBe(409);
    await expectNoOrphans(t);
  });

  it('refuses a command whose source cannot be fetched, staging nothing', async () => {
    const id = await open();
    const missing = await append(id, { op: 'create', type: 'model', url: `${zips.url}/absent.zip` });
    expect(missing.statusCode).toBeGreaterThanOrEqual(400);
    expect(missing.statusCode).toBeLessThan(500);
    expect((await read(id)).json()).toMatchObject({ commands: [], staged_bytes: 0 });
    const bad = await append(id, { op: 'rename', type: 'model', id: 'x' });
    expect(bad.statusCode).toBe(400);
    expect((await read('not-a-uuid')).statusCode).toBe(400);
  });

  it('is documented in the served OpenAPI document', async () => {
    const document = (await t.app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/transactions',
        '/transactions/{id}',
        '/transactions/{id}/commands',
        '/transactions/{id}/commands/upload',
        '/transactions/{id}/execute',
      ]),
    );
    expect(document.paths['/transactions/{id}/execute'].post.responses).toHaveProperty('409');
  });
});

describe('abandoned transactions', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp({ TRANSACTION_TTL_SECONDS: '1', TRANSACTION_MAX_STAGED_BYTES: '100000' });
    token = await t.token();
  });
  afterAll(() => t?.close());

  it('expire, and their staged packages are collected; staged bytes are limited', async () => {
    const headers = { 'x-authorization': token };
    const id = (await t.app.inject({ method: 'POST', url: '/transactions', headers })).json().id as string;
    const zip = await modelZip('abandoned');
    expect(zip.length).toBeLessThan(100_000);
    const staged = await t.app.inject({
      method: 'POST',
      url: `/transactions/${id}/commands/upload?type=model&name=abandoned`,
      headers: { ...headers, 'content-type': 'application/zip' },
      payload: zip,
    });
    expect(staged.statusCode, staged.body).toBe(201);
    const tooMuch = await t.app.inject({
      method: 'POST',
      url: `/transactions/${id}/commands/upload?type=model&name=too-much`,
      headers: { ...headers, 'content-type': 'application/zip' },
      payload: await modelZip('too-much'),
    });
    expect([tooMuch.statusCode, tooMuch.json().message]).toEqual([
      413,
      expect.stringContaining('TRANSACTION_MAX_STAGED_BYTES'),
    ]);
    expect(await t.app.registry.blobs.stat(sha256(zip))).not.toBeNull();

    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Any transaction request collects expired ones.
    expect((await t.app.inject({ method: 'POST', url: '/transactions', headers })).statusCode).toBe(201);
    expect((await t.app.inject({ url: `/transactions/${id}`, headers })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'POST', url: `/transactions/${id}/execute`, headers })).statusCode,
    ).toBe(404);
    expect(await t.app.registry.blobs.stat(sha256(zip))).toBeNull();
    await expectNoOrphans(t);
  });
});

describe('transactions and the ingest gate', () => {
  let sources: FixtureSources;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    sources = await startFixtureSources();
    t = await startTestApp(sources.env);
    token = await t.token();
  });
  afterAll(async () => {
    await t?.close();
    await sources?.close();
  });

  it('gates a Hugging Face model when it is appended, and keeps the admitting rating once executed', async () => {
    const headers = { 'x-authorization': token };
    const id = (await t.app.inject({ method: 'POST', url: '/transactions', headers })).json().id as string;
    const append = (repo: string) =>
      t.app.inject({
        method: 'POST',
        url: `/transactions/${id}/commands`,
        headers,
        payload: { op: 'create', type: 'model', url: `https://huggingface.co/${repo}` },
      });
    const refused = await append('lonely-dev/untitled-model');
    expect(refused.statusCode, refused.body).toBe(424);
    expect(refused.json().failing.map((entry: { metric: string }) => entry.metric)).toContain('license');
    const admitted = await append('google-bert/bert-base-uncased');
    expect(admitted.statusCode, admitted.body).toBe(201);
    expect(admitted.json().commands).toHaveLength(1);

    const executed = await t.app.inject({ method: 'POST', url: `/transactions/${id}/execute`, headers });
    expect(executed.statusCode, executed.body).toBe(200);
    const created = executed.json().results[0].metadata.id as string;
    const kept = await t.app.registry.store.getRating(created);
    expect(kept?.body).toMatchObject({ name: 'bert-base-uncased' });
    const rate = await t.app.inject({ url: `/artifact/model/${created}/rate`, headers });
    expect(rate.statusCode).toBe(200);
    expect(rate.json().net_score).toBeGreaterThanOrEqual(0.5);
  });
});
