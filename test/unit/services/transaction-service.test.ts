import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ArtifactRecord } from '../../../src/domain/artifact.js';
import { modelZip, sha256 } from '../../support/zips.js';
import { type ArtifactServices, artifactServices } from '../support/artifact-services.js';
import {
  ADMIN,
  actor,
  blobKeys,
  body,
  type RegistryParts,
  registryParts,
} from '../support/registry-parts.js';

const alice = actor('alice');
const bob = actor('bob');
const render = (record: ArtifactRecord) => ({
  metadata: { id: record.id, name: record.name, type: record.type },
});
const HUB_URL = 'https://huggingface.co/acme/tiny';

let parts: RegistryParts;
let services: ArtifactServices;

async function setUp(env: Record<string, string> = {}) {
  await parts?.close();
  parts = await registryParts({ GATE_ENABLED: 'false', ...env });
  services = artifactServices(parts);
  services.hub.models.set('acme/tiny', { files: { 'README.md': 'tiny v2' } });
}

beforeEach(() => setUp());
afterEach(async () => {
  vi.useRealTimers();
  await parts.close();
});

async function upload(name: string): Promise<ArtifactRecord> {
  return services.artifacts.upload('model', { name, body: body(await modelZip(name)) }, alice);
}

async function names(): Promise<string[]> {
  const page = await parts.store.queryArtifacts([{ name: '*' }], { limit: 50 });
  return page.items.map((item) => item.name).sort();
}

describe('opening and looking', () => {
  it('opens an empty transaction owned by its creator, expiring after the TTL', async () => {
    await setUp({ TRANSACTION_TTL_SECONDS: '600' });
    const view = await services.transactions.open(alice);
    expect(view).toMatchObject({
      owner: 'alice',
      state: 'open',
      staged_bytes: 0,
      commands: [],
      result: null,
    });
    expect(Date.parse(view.expires_at) - Date.parse(view.created_at)).toBe(600_000);
  });

  it('is visible to its owner and administrators only; only the owner changes it (403)', async () => {
    const { id } = await services.transactions.open(alice);
    expect((await services.transactions.view(id, ADMIN)).owner).toBe('alice');
    await expect(services.transactions.view(id, bob)).rejects.toMatchObject({
      statusCode: 404,
      code: 'NOT_FOUND',
      message: `No open or recent transaction with id ${id}.`,
    });
    await expect(
      services.transactions.appendUpload(id, 'model', { name: 'm', body: body(await modelZip('m')) }, ADMIN),
    ).rejects.toMatchObject({ statusCode: 403, code: 'PERMISSION_DENIED' });
    await expect(services.transactions.execute(id, ADMIN, render)).rejects.toMatchObject({ statusCode: 403 });
    await expect(services.transactions.view('no-such-id', ADMIN)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('staging and executing', () => {
  it('stages every kind of command invisibly, then applies them all at once; executing again answers the same', async () => {
    const kept = await upload('kept');
    const doomed = await upload('doomed');
    const { id } = await services.transactions.open(alice);
    const zip = await modelZip('fresh');
    await services.transactions.appendUpload(id, 'model', { name: 'fresh', body: body(zip) }, alice);
    await services.transactions.append(id, { op: 'create', type: 'model', url: HUB_URL }, alice);
    await services.transactions.append(id, { op: 'update', type: 'model', id: kept.id, url: HUB_URL }, alice);
    const view = await services.transactions.append(
      id,
      { op: 'delete', type: 'model', id: doomed.id },
      alice,
    );

    expect(view.commands.map((command) => [command.position, command.op, command.artifact.name])).toEqual([
      [0, 'create', 'fresh'],
      [1, 'create', 'tiny'],
      [2, 'update', 'kept'],
      [3, 'delete', 'doomed'],
    ]);
    expect(view.staged_bytes).toBeGreaterThan(zip.length);
    // Staged packages are stored but nothing is visible yet.
    expect(await blobKeys(parts)).toContain(sha256(zip));
    expect(await names()).toEqual(['doomed', 'kept']);

    const result = await services.transactions.execute(id, alice, render);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      id,
      state: 'executed',
      results: [
        { op: 'create', metadata: { name: 'fresh', type: 'model' } },
        { op: 'create', metadata: { name: 'tiny' } },
        { op: 'update', metadata: { id: kept.id, name: 'kept' } },
        { op: 'delete', metadata: { id: doomed.id, name: 'doomed' } },
      ],
    });
    expect(await names()).toEqual(['fresh', 'kept', 'tiny']);
    expect((await services.artifacts.get('model', kept.id)).facts.readme).toBe('tiny v2');
    // The replaced and deleted packages are released; the new ones stay.
    const keys = await blobKeys(parts);
    expect(keys).not.toContain(kept.packageDigest);
    expect(keys).not.toContain(doomed.packageDigest);
    expect(keys).toContain(sha256(zip));

    expect(await services.transactions.execute(id, alice, render)).toEqual(result);
    const executed = await services.transactions.view(id, alice);
    expect([executed.state, executed.commands, executed.result]).toEqual(['executed', [], result]);
    await expect(
      services.transactions.append(id, { op: 'delete', type: 'model', id: kept.id }, alice),
    ).rejects.toMatchObject({
      statusCode: 409,
      message: `Transaction ${id} was already executed; open a new one.`,
    });
  });

  it('concurrent executes apply the group once and both answer its result', async () => {
    const { id } = await services.transactions.open(alice);
    await services.transactions.appendUpload(
      id,
      'model',
      { name: 'once', body: body(await modelZip('once')) },
      alice,
    );
    const [first, second] = await Promise.all([
      services.transactions.execute(id, alice, render),
      services.transactions.execute(id, alice, render),
    ]);
    expect(second).toEqual(first);
    expect(await names()).toEqual(['once']);
  });

  it('refuses a second command for the same artifact (409)', async () => {
    const target = await upload('target');
    const { id } = await services.transactions.open(alice);
    await services.transactions.append(id, { op: 'delete', type: 'model', id: target.id }, alice);
    await expect(
      services.transactions.append(id, { op: 'update', type: 'model', id: target.id, url: HUB_URL }, alice),
    ).rejects.toMatchObject({
      statusCode: 409,
      code: 'CONFLICT',
      message: `model ${target.id} already has a command in transaction ${id}.`,
    });
  });

  it('a component failing at execute keeps the transaction open to retry', async () => {
    const { id } = await services.transactions.open(alice);
    const zip = await modelZip('retry');
    await services.transactions.appendUpload(id, 'model', { name: 'retry', body: body(zip) }, alice);
    await parts.blobs.delete(sha256(zip));
    await expect(services.transactions.execute(id, alice, render)).rejects.toMatchObject({ statusCode: 503 });
    expect((await services.transactions.view(id, alice)).state).toBe('open');
    expect(await names()).toEqual([]);
  });
});

describe('conflicts', () => {
  it('an artifact updated since its command was appended: 409, nothing applied, staged packages released', async () => {
    services.hub.models.set('acme/other', { files: { 'README.md': 'other' } });
    const target = await services.artifacts.createFromUrl(
      'model',
      'https://huggingface.co/acme/other',
      alice,
    );
    const { id } = await services.transactions.open(alice);
    const zip = await modelZip('bystander');
    await services.transactions.appendUpload(id, 'model', { name: 'bystander', body: body(zip) }, alice);
    await services.transactions.append(
      id,
      { op: 'update', type: 'model', id: target.id, url: HUB_URL },
      alice,
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    const changed = await services.artifacts.update(
      'model',
      target.id,
      { id: target.id, name: 'other', type: 'model' },
      'https://huggingface.co/acme/other',
      bob,
    );

    const result = await services.transactions.execute(id, alice, render);
    expect(result).toEqual({
      status: 409,
      body: { error: 'CONFLICT', message: expect.stringMatching(/^Nothing was applied: /) },
    });
    expect(await names()).toEqual(['other']);
    expect(await blobKeys(parts)).toEqual([changed.packageDigest]);
    expect(await services.transactions.execute(id, alice, render)).toEqual(result);
    expect((await services.transactions.view(id, alice)).state).toBe('failed');
  });

  it('an artifact deleted since its delete was appended is a conflict too', async () => {
    const target = await upload('gone');
    const { id } = await services.transactions.open(alice);
    await services.transactions.append(id, { op: 'delete', type: 'model', id: target.id }, alice);
    await services.artifacts.delete('model', target.id);
    const result = await services.transactions.execute(id, alice, render);
    expect(result.status).toBe(409);
    expect(JSON.stringify(result.body)).toContain(`model ${target.id} changed or was deleted`);
  });

  it('commands for artifacts that do not exist are refused when appended (404)', async () => {
    const { id } = await services.transactions.open(alice);
    await expect(
      services.transactions.append(id, { op: 'delete', type: 'model', id: 'ghost' }, alice),
    ).rejects.toMatchObject({ statusCode: 404 });
    await expect(
      services.transactions.append(id, { op: 'update', type: 'model', id: 'ghost', url: HUB_URL }, alice),
    ).rejects.toMatchObject({ statusCode: 404 });
    expect((await services.transactions.view(id, alice)).commands).toEqual([]);
  });
});

describe('limits', () => {
  it('holds at most TRANSACTION_MAX_COMMANDS commands (413)', async () => {
    await setUp({ TRANSACTION_MAX_COMMANDS: '1' });
    const { id } = await services.transactions.open(alice);
    await services.transactions.appendUpload(
      id,
      'model',
      { name: 'one', body: body(await modelZip('one')) },
      alice,
    );
    await expect(
      services.transactions.appendUpload(
        id,
        'model',
        { name: 'two', body: body(await modelZip('two')) },
        alice,
      ),
    ).rejects.toMatchObject({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('at most 1 commands'),
    });
  });

  it('stages at most TRANSACTION_MAX_STAGED_BYTES; a refused package is not kept', async () => {
    await setUp({ TRANSACTION_MAX_STAGED_BYTES: '1000' });
    const { id } = await services.transactions.open(alice);
    await expect(
      services.transactions.appendUpload(
        id,
        'model',
        { name: 'big', body: body(await modelZip('big')) },
        alice,
      ),
    ).rejects.toMatchObject({ statusCode: 413, message: expect.stringContaining('at most 1000 bytes') });
    expect(await blobKeys(parts)).toEqual([]);
    expect((await services.transactions.view(id, alice)).staged_bytes).toBe(0);
  });
});

describe('expiry', () => {
  it('an abandoned transaction disappears after its TTL and the next request collects its staged packages', async () => {
    await setUp({ TRANSACTION_TTL_SECONDS: '60' });
    const { id } = await services.transactions.open(alice);
    await services.transactions.appendUpload(
      id,
      'model',
      { name: 'stale', body: body(await modelZip('stale')) },
      alice,
    );
    expect(await blobKeys(parts)).toHaveLength(1);

    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    await expect(services.transactions.view(id, alice)).rejects.toMatchObject({ statusCode: 404 });
    await services.transactions.open(bob);
    expect(await blobKeys(parts)).toEqual([]);
    await expect(services.transactions.execute(id, alice, render)).rejects.toMatchObject({ statusCode: 404 });
  });
});
