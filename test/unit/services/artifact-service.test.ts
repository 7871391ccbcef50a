import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aspectBlobKey } from '../../../src/services/aspect-packages.js';
import { rateLimitedError } from '../../../src/sources/upstream-fetch.js';
import { makeZip, modelZip, sha256, zipFileNames } from '../../support/zips.js';
import { type ArtifactServices, artifactServices } from '../support/artifact-services.js';
import {
  ADMIN,
  actor,
  blobBytes,
  blobKeys,
  body,
  type RegistryParts,
  registryParts,
} from '../support/registry-parts.js';

const alice = actor('alice');
const EVIL_PICKLE = readFileSync(join(import.meta.dirname, '../../fixtures/pickles/evil-os-system-p2.bin'));

let parts: RegistryParts;
let services: ArtifactServices;

async function setUp(env: Record<string, string> = { GATE_ENABLED: 'false' }) {
  await parts?.close();
  parts = await registryParts(env);
  services = artifactServices(parts);
}

beforeEach(() => setUp());
afterEach(() => parts.close());

describe('uploads', () => {
  it('stores the zip under its SHA-256 and commits a row describing it, with a CREATE audit entry', async () => {
    const zip = await modelZip('bert');
    const record = await services.artifacts.upload(
      'model',
      { name: 'bert', version: 'v1.2.3', body: body(zip) },
      alice,
    );

    expect(record).toMatchObject({
      type: 'model',
      name: 'bert',
      sourceUrl: 'upload:bert',
      packageDigest: sha256(zip),
      packageSize: zip.length,
      createdBy: 'alice',
      sourceMetadata: { kind: 'upload' },
    });
    expect(record.version?.text).toBe('v1.2.3');
    expect(record.facts.files.map((file) => file.path)).toContain('model.safetensors');
    expect(record.facts.weightsScan?.verdict).toBe('clean');
    expect(await blobBytes(parts, record.packageDigest)).toEqual(zip);
    expect((await services.artifacts.get('model', record.id)).packageDigest).toBe(sha256(zip));

    const trail = await services.artifacts.auditTrail('model', record.id);
    expect(trail.items.map((entry) => [entry.action, entry.user.name])).toEqual([['CREATE', 'alice']]);
  });

  it('refuses a version that is not semantic and a name that is not allowed, storing nothing', async () => {
    const zip = await modelZip('m');
    await expect(
      services.artifacts.upload('model', { name: 'm', version: 'latest', body: body(zip) }, alice),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'BAD_REQUEST',
      message: expect.stringContaining('"latest"'),
    });
    await expect(
      services.artifacts.upload('model', { name: '', body: body(zip) }, alice),
    ).rejects.toMatchObject({
      statusCode: 400,
    });
    expect(await blobKeys(parts)).toEqual([]);
  });

  it('refuses a body that is not a zip (400) and weights that could run code (422), storing nothing', async () => {
    await expect(
      services.artifacts.upload('model', { name: 'junk', body: body(Buffer.from('not a zip')) }, alice),
    ).rejects.toMatchObject({ statusCode: 400 });
    const evil = await makeZip([{ path: 'pytorch_model.bin', content: EVIL_PICKLE }]);
    await expect(
      services.artifacts.upload('model', { name: 'evil', body: body(evil) }, alice),
    ).rejects.toMatchObject({
      statusCode: 422,
      code: 'UNSAFE_WEIGHTS',
      message: expect.stringContaining('refused'),
    });
    expect(await blobKeys(parts)).toEqual([]);
    expect((await parts.store.queryArtifacts([{ name: '*' }], { limit: 10 })).items).toEqual([]);
  });

  it('identical packages share one blob, removed with the last artifact naming it (with its aspect packages)', async () => {
    const zip = await modelZip('twin');
    const first = await services.artifacts.upload('model', { name: 'twin-a', body: body(zip) }, alice);
    const second = await services.artifacts.upload('model', { name: 'twin-b', body: body(zip) }, alice);
    expect(second.packageDigest).toBe(first.packageDigest);
    expect(await blobKeys(parts)).toEqual([first.packageDigest]);

    await services.artifacts.delete('model', first.id);
    expect(await blobKeys(parts)).toEqual([first.packageDigest]);
    await expect(services.artifacts.get('model', first.id)).rejects.toMatchObject({ statusCode: 404 });

    // An aspect package built from it goes with the package.
    await parts.temp.with('.zip', async (path) => {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(path, 'aspect');
      await parts.blobs.putFile(path, aspectBlobKey(first.packageDigest, 'weights'), 6);
    });
    await services.artifacts.delete('model', second.id);
    expect(await blobKeys(parts)).toEqual([]);
  });
});

describe('reading and deleting', () => {
  it('answers 404 NOT_FOUND for an unknown id or the wrong type, and a second delete', async () => {
    const record = await services.artifacts.upload(
      'code',
      { name: 'tool', body: body(await modelZip('t')) },
      alice,
    );
    await expect(services.artifacts.get('model', record.id)).rejects.toMatchObject({
      statusCode: 404,
      code: 'NOT_FOUND',
      message: `No model artifact with id ${record.id}.`,
    });
    await expect(services.artifacts.get('code', 'nope')).rejects.toMatchObject({ statusCode: 404 });
    await expect(services.artifacts.auditTrail('code', 'nope')).rejects.toMatchObject({ statusCode: 404 });
    await services.artifacts.delete('code', record.id);
    await expect(services.artifacts.delete('code', record.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('pages the audit trail newest first, PAGE_SIZE entries at a time', async () => {
    await setUp({ GATE_ENABLED: 'false', PAGE_SIZE: '1' });
    const record = await services.artifacts.upload(
      'model',
      { name: 'paged', body: body(await modelZip('p')) },
      alice,
    );
    await services.artifacts.audit(record, ADMIN, 'DOWNLOAD');
    const first = await services.artifacts.auditTrail('model', record.id);
    expect(first.items.map((entry) => entry.action)).toEqual(['DOWNLOAD']);
    expect(first.next).toBeTruthy();
    const second = await services.artifacts.auditTrail('model', record.id, first.next ?? undefined);
    expect(second.items.map((entry) => [entry.action, entry.user])).toEqual([
      ['CREATE', { name: 'alice', is_admin: false }],
    ]);
  });
});

describe('ingest from a URL', () => {
  it('packs a Hugging Face model file by file, keeping its hub evidence and canonical URL', async () => {
    services.hub.models.set('acme/tiny', {
      files: { 'README.md': '# tiny', 'config.json': '{"model_type":"bert"}' },
      metadata: { version: '2.0.0', downloads: 42 },
    });
    const record = await services.artifacts.createFromUrl('model', 'https://huggingface.co/acme/tiny', alice);
    expect(record).toMatchObject({
      name: 'tiny',
      sourceUrl: 'https://huggingface.co/acme/tiny',
      sourceMetadata: { kind: 'hf-model', repoId: 'acme/tiny', downloads: 42 },
    });
    expect(record.version?.text).toBe('2.0.0');
    expect(await zipFileNames(await blobBytes(parts, record.packageDigest))).toEqual([
      'README.md',
      'config.json',
    ]);
    expect(record.facts.readme).toBe('# tiny');
  });

  it('repacks a GitHub zipball without its top folder', async () => {
    services.github.repos.set('acme/tool', { files: { 'README.md': '# tool', 'src/main.py': 'print(1)\n' } });
    const record = await services.artifacts.createFromUrl('code', 'https://github.com/acme/tool', alice);
    expect(record.sourceMetadata).toMatchObject({ kind: 'github', fullName: 'acme/tool' });
    expect(await zipFileNames(await blobBytes(parts, record.packageDigest))).toEqual([
      'README.md',
      'src/main.py',
    ]);
  });

  it('passes on the source failures: unknown repo 404, rate limit 503 with its retry time, wrong type 400', async () => {
    await expect(
      services.artifacts.createFromUrl('model', 'https://huggingface.co/acme/missing', alice),
    ).rejects.toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    services.github.failure = rateLimitedError('GitHub', 60);
    await expect(
      services.artifacts.createFromUrl('code', 'https://github.com/acme/tool', alice),
    ).rejects.toMatchObject({ statusCode: 503, code: 'UPSTREAM_ERROR', retryAfterSeconds: 60 });
    await expect(
      services.artifacts.createFromUrl('model', 'https://huggingface.co/datasets/acme/data', alice),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('POST /artifact/dataset') });
    expect(await blobKeys(parts)).toEqual([]);
  });

  it('the gate refuses a poorly rated public model before storing anything (424)', async () => {
    await setUp({});
    services.hub.models.set('acme/weak', {
      files: { 'README.md': 'x' },
      metadata: { safetensorsParameters: 1e6 },
    });
    await expect(
      services.artifacts.createFromUrl('model', 'https://huggingface.co/acme/weak', alice),
    ).rejects.toMatchObject({
      statusCode: 424,
      code: 'DISQUALIFIED',
      message: expect.not.stringContaining('cannot be rated'),
    });
    expect(await blobKeys(parts)).toEqual([]);
  });

  it('an admitted model keeps the rating the gate gave it', async () => {
    await setUp({ GATE_THRESHOLD: '0' });
    services.hub.models.set('acme/fine', {
      files: { 'README.md': '# fine' },
      metadata: { safetensorsParameters: 1e6 },
    });
    const record = await services.artifacts.createFromUrl('model', 'https://huggingface.co/acme/fine', alice);
    const kept = await parts.store.getRating(record.id);
    expect(kept?.body).toMatchObject({ name: 'fine' });
    expect(typeof kept?.body.net_score).toBe('number');
    // Datasets and code are not gated.
    services.hub.datasets.set('acme/data', { files: { 'train.csv': 'a,b\n' } });
    const dataset = await services.artifacts.createFromUrl(
      'dataset',
      'https://huggingface.co/datasets/acme/data',
      alice,
    );
    expect(await parts.store.getRating(dataset.id)).toBeNull();
  });
});

describe('updates', () => {
  beforeEach(() => {
    services.hub.models.set('acme/tiny', { files: { 'README.md': 'v1' }, metadata: { version: '1.0.0' } });
  });

  it('replaces the package from a fresh fetch and releases the old one', async () => {
    const before = await services.artifacts.createFromUrl('model', 'https://huggingface.co/acme/tiny', alice);
    services.hub.models.set('acme/tiny', { files: { 'README.md': 'v2' } });
    const after = await services.artifacts.update(
      'model',
      before.id,
      { id: before.id, name: 'tiny', type: 'model' },
      'https://huggingface.co/acme/tiny',
      ADMIN,
    );
    expect(after.id).toBe(before.id);
    expect(after.packageDigest).not.toBe(before.packageDigest);
    // The fetch named no version: the stored one stays.
    expect(after.version?.text).toBe('1.0.0');
    expect(after.facts.readme).toBe('v2');
    expect(await blobKeys(parts)).toEqual([after.packageDigest]);
    expect((await services.artifacts.get('model', before.id)).facts.readme).toBe('v2');
    const actions = (await services.artifacts.auditTrail('model', before.id)).items.map(
      (entry) => entry.action,
    );
    expect(actions).toEqual(['UPDATE', 'CREATE']);
  });

  it('refuses metadata that does not match the path or the stored name (400), and unknown ids (404)', async () => {
    const record = await services.artifacts.createFromUrl('model', 'https://huggingface.co/acme/tiny', alice);
    const url = 'https://huggingface.co/acme/tiny';
    await expect(
      services.artifacts.update('model', record.id, { id: 'other', name: 'tiny', type: 'model' }, url, alice),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('metadata.id') });
    await expect(
      services.artifacts.update(
        'model',
        record.id,
        { id: record.id, name: 'renamed', type: 'model' },
        url,
        alice,
      ),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: 'metadata.name must match the artifact\'s name ("tiny").',
    });
    await expect(
      services.artifacts.update('model', 'ghost', { id: 'ghost', name: 'tiny', type: 'model' }, url, alice),
    ).rejects.toMatchObject({ statusCode: 404 });
    expect(await blobKeys(parts)).toEqual([record.packageDigest]);
  });
});

describe('naming a package that is gone', () => {
  it('is a reset conflict (409) when a reset ran since the write started, else 503, and names nothing', async () => {
    const startedIn = await parts.store.writeGeneration();
    const prepared = await services.artifacts.prepareUpload(
      'model',
      { name: 'm', body: body(await modelZip('m')) },
      alice,
    );
    await parts.blobs.delete(prepared.record.packageDigest);
    let wrote = false;
    const write = async () => {
      wrote = true;
    };
    await expect(services.artifacts.stage(prepared, startedIn, write)).rejects.toMatchObject({
      statusCode: 503,
      code: 'COMPONENT_UNAVAILABLE',
    });
    await expect(services.artifacts.stage(prepared, startedIn - 1, write)).rejects.toMatchObject({
      statusCode: 409,
      code: 'CONFLICT',
    });
    expect(wrote).toBe(false);
  });

  it('a failed write releases the package it would have named', async () => {
    const startedIn = await parts.store.writeGeneration();
    const prepared = await services.artifacts.prepareUpload(
      'model',
      { name: 'm', body: body(await modelZip('m')) },
      alice,
    );
    expect(await blobKeys(parts)).toEqual([prepared.record.packageDigest]);
    await expect(
      services.artifacts.stage(prepared, startedIn, async () => {
        throw new Error('row refused');
      }),
    ).rejects.toThrow('row refused');
    expect(await blobKeys(parts)).toEqual([]);
  });
});
