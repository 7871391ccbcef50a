import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../../src/domain/artifact.js';
import { AspectPackages, aspectBlobKey } from '../../../src/services/aspect-packages.js';
import { DownloadService } from '../../../src/services/download-service.js';
import type { BlobStore } from '../../../src/storage/blobs/blob-store.js';
import { modelZip, sha256, zipFileNames } from '../../support/zips.js';
import { artifactServices } from '../support/artifact-services.js';
import {
  actor,
  blobBytes,
  body,
  type RegistryParts,
  readAll,
  registryParts,
} from '../support/registry-parts.js';

let parts: RegistryParts;
let zip: Buffer;
let record: ArtifactRecord;
const never = new AbortController().signal;

function downloads(
  options: { presign?: boolean; accelRedirectPrefix?: string | null } = {},
  blobs: BlobStore = parts.blobs,
) {
  return new DownloadService(blobs, new AspectPackages(blobs, parts.store, parts.temp), {
    presign: options.presign ?? false,
    accelRedirectPrefix: options.accelRedirectPrefix ?? null,
  });
}

beforeEach(async () => {
  parts = await registryParts({ GATE_ENABLED: 'false' });
  zip = await modelZip('demo');
  record = await artifactServices(parts).artifacts.upload(
    'model',
    { name: 'my model/v1', body: body(zip) },
    actor('alice'),
  );
});
afterEach(() => parts.close());

describe('full packages', () => {
  it('serve the stored zip whole or by range, with its digest as validator', async () => {
    const download = await downloads().open(record, 'full', never);
    expect(download).toMatchObject({
      fileName: 'my_model_v1.zip',
      size: zip.length,
      etag: `"sha256-${sha256(zip)}"`,
      sha256Hex: sha256(zip),
      redirectUrl: null,
      accelRedirect: null,
      contentType: 'application/zip',
    });
    expect(await readAll(await download.stream())).toEqual(zip);
    expect(await readAll(await download.stream({ start: 10, end: 29 }))).toEqual(zip.subarray(10, 30));

    const sink = new PassThrough();
    const received = readAll(sink);
    await download.writeTo?.(sink, { start: 0, end: 99 });
    sink.end();
    expect(await received).toEqual(zip.subarray(0, 100));
  });

  it('names the file behind a fronting nginx, or a presigned link when the store gives one', async () => {
    const accel = await downloads({ accelRedirectPrefix: '/_blobs/' }).open(record, 'full', never);
    expect(accel.accelRedirect).toBe(`/_blobs/${parts.blobs.relativePath(record.packageDigest)}`);

    const signing: BlobStore = {
      kind: 'signing',
      putFile: (...args) => parts.blobs.putFile(...args),
      read: (...args) => parts.blobs.read(...args),
      stat: (digest) => parts.blobs.stat(digest),
      delete: (digest) => parts.blobs.delete(digest),
      list: () => parts.blobs.list(),
      clear: () => parts.blobs.clear(),
      ping: () => parts.blobs.ping(),
      presignDownload: async (digest, fileName) => `https://bucket.example/${digest}?name=${fileName}`,
    };
    const signed = await downloads({ presign: true }, signing).open(record, 'full', never);
    expect(signed.redirectUrl).toBe(`https://bucket.example/${record.packageDigest}?name=my_model_v1.zip`);
    expect(signed.writeTo).toBeNull();
    expect(await readAll(await signed.stream({ start: 0, end: 3 }))).toEqual(zip.subarray(0, 4));
  });
});

describe('aspect packages', () => {
  it('serve a zip of the aspect alone, built once and stored under its derived key', async () => {
    const download = await downloads().open(record, 'weights', never);
    expect(download).toMatchObject({
      fileName: 'my_model_v1-weights.zip',
      etag: `"sha256-${record.packageDigest}-weights"`,
      sha256Hex: null,
    });
    const bytes = await readAll(await download.stream());
    expect(bytes.length).toBe(download.size);
    const names = await zipFileNames(bytes);
    expect(names.some((name) => name.endsWith('model.safetensors'))).toBe(true);
    expect(names.some((name) => name.endsWith('train.py'))).toBe(false);
    expect(await blobBytes(parts, aspectBlobKey(record.packageDigest, 'weights'))).toEqual(bytes);
  });
});

describe('single files', () => {
  it('serve one entry of the stored zip by random access, typed by its extension', async () => {
    const service = downloads();
    const config = await service.openFile(record, 'config.json', '"oid"');
    expect(config).toMatchObject({ fileName: 'config.json', etag: '"oid"', contentType: 'application/json' });
    const text = (await readAll(await config.stream())).toString();
    expect(JSON.parse(text)).toEqual({ model_type: 'bert', architectures: ['BertModel'] });
    expect(config.size).toBe(Buffer.byteLength(text));
    expect((await readAll(await config.stream({ start: 2, end: 11 }))).toString()).toBe(text.slice(2, 12));

    expect((await service.openFile(record, 'data/train.csv', 'x')).contentType).toBe(
      'text/csv; charset=utf-8',
    );
    const weights = await service.openFile(record, 'model.safetensors', 'x');
    expect([weights.contentType, weights.size]).toEqual(['application/octet-stream', 64 * 1024]);
    await expect(service.openFile(record, 'missing.txt', 'x')).rejects.toMatchObject({ statusCode: 404 });
  });
});
