import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FetchedSource } from '../../../src/sources/source.js';
import type { OpenedUrl } from '../../../src/sources/url-fetch.js';
import { makeZip, sha256, zipFileNames } from '../../support/zips.js';
import { type ArtifactServices, artifactServices } from '../support/artifact-services.js';
import { type RegistryParts, registryParts } from '../support/registry-parts.js';

let parts: RegistryParts;
let services: ArtifactServices;
let dest: string;

beforeEach(async () => {
  parts = await registryParts({ GATE_ENABLED: 'false' });
  services = artifactServices(parts);
  dest = join(parts.dir, 'package.zip');
});
afterEach(() => parts.close());

describe('remote repositories', () => {
  it('a Hugging Face dataset is packed file by file after the inspection saw its evidence', async () => {
    services.hub.datasets.set('acme/reviews', { files: { 'train.csv': 'a,b\n', 'README.md': '# reviews' } });
    const inspected: FetchedSource[] = [];
    const fetched = await services.sources.fetch(
      'dataset',
      'https://huggingface.co/datasets/acme/reviews',
      dest,
      async (source) => {
        inspected.push(source);
      },
    );
    const zip = await readFile(dest);
    expect(fetched).toMatchObject({
      name: 'reviews',
      version: null,
      canonicalUrl: 'https://huggingface.co/datasets/acme/reviews',
      sourceMetadata: { kind: 'hf-dataset', repoId: 'acme/reviews' },
      digest: sha256(zip),
      size: zip.length,
    });
    expect(await zipFileNames(zip)).toEqual(['README.md', 'train.csv']);
    expect(inspected.map((source) => source.name)).toEqual(['reviews']);
  });

  it('an inspection that refuses the source stops it before any file is read', async () => {
    let opened = false;
    services.hub.models.set('acme/refused', {
      files: {
        'model.bin': () => {
          opened = true;
          return Readable.from([Buffer.from('x')]);
        },
      },
    });
    await expect(
      services.sources.fetch('model', 'https://huggingface.co/acme/refused', dest, async () => {
        throw new Error('refused by the gate');
      }),
    ).rejects.toThrow('refused by the gate');
    expect(opened).toBe(false);
  });

  it('a dataset URL registered as a model is refused (400)', async () => {
    await expect(
      services.sources.fetch('dataset', 'https://huggingface.co/acme/tiny', dest),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('POST /artifact/model') });
  });

  it('a source that drips past INGEST_DEADLINE_MS fails with 504 and leaves no package', async () => {
    const slow = artifactServices(parts, { deadlineMs: 100 });
    slow.hub.models.set('acme/slow', { files: { 'model.bin': () => new PassThrough() } });
    await expect(slow.sources.fetch('model', 'https://huggingface.co/acme/slow', dest)).rejects.toMatchObject(
      {
        statusCode: 504,
        message: expect.stringContaining('deadline of 100 ms'),
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(readFile(dest)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('direct zip URLs', () => {
  it('store the zip as fetched, named after the URL, with where it came from', async () => {
    const zip = await makeZip([{ path: 'weights.bin', content: 'w' }]);
    const asked: string[] = [];
    const direct = artifactServices(parts, {
      openUrl: async (url, options): Promise<OpenedUrl> => {
        asked.push(`${url} max=${options.maxBytes}`);
        return {
          body: Readable.from([zip]),
          finalUrl: 'https://cdn.example.com/final/my-model.zip',
          contentLength: zip.length,
          contentType: 'application/zip',
        };
      },
    });
    const fetched = await direct.sources.fetch('model', 'https://example.com/files/my-model.zip', dest);
    expect(fetched).toEqual({
      name: 'my-model',
      version: null,
      canonicalUrl: 'https://example.com/files/my-model.zip',
      sourceMetadata: {
        kind: 'url',
        finalUrl: 'https://cdn.example.com/final/my-model.zip',
        contentType: 'application/zip',
      },
      digest: sha256(zip),
      size: zip.length,
    });
    expect(await readFile(dest)).toEqual(zip);
    expect(asked).toEqual([
      `https://example.com/files/my-model.zip max=${parts.config.limits.maxPackageBytes}`,
    ]);
  });

  it('to a private address are refused before any connection (the real opener)', async () => {
    await expect(services.sources.fetch('model', 'http://127.0.0.1/m.zip', dest)).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(services.sources.fetch('model', 'ftp://example.com/m.zip', dest)).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});
