import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AspectPackages, aspectBlobKey, deletePackageBlobs } from '../../../src/services/aspect-packages.js';
import { modelZip } from '../../support/zips.js';
import { artifactServices } from '../support/artifact-services.js';
import { actor, blobKeys, body, type RegistryParts, registryParts } from '../support/registry-parts.js';

let parts: RegistryParts;
let aspects: AspectPackages;
let digest: string;

beforeEach(async () => {
  parts = await registryParts({ GATE_ENABLED: 'false' });
  aspects = new AspectPackages(parts.blobs, parts.store, parts.temp);
  const record = await artifactServices(parts).artifacts.upload(
    'model',
    { name: 'demo', body: body(await modelZip('demo')) },
    actor('alice'),
  );
  digest = record.packageDigest;
});
afterEach(() => parts.close());

const live = () => new AbortController().signal;

describe('aspect packages', () => {
  it('the key is derived from the package digest and the aspect, so identical packages share them', () => {
    expect(aspectBlobKey(digest, 'docs')).toMatch(/^[0-9a-f]{64}$/);
    expect(aspectBlobKey(digest, 'docs')).toBe(aspectBlobKey(digest, 'docs'));
    expect(aspectBlobKey(digest, 'docs')).not.toBe(aspectBlobKey(digest, 'code'));
  });

  it('concurrent first requests share one build; later ones read the stored package', async () => {
    const [a, b] = await Promise.all([
      aspects.ensure(digest, 'docs', live()),
      aspects.ensure(digest, 'docs', live()),
    ]);
    expect(a).toEqual(b);
    expect(a.key).toBe(aspectBlobKey(digest, 'docs'));
    expect((await parts.blobs.stat(a.key))?.size).toBe(a.size);
    expect(await aspects.ensure(digest, 'docs', live())).toEqual(a);
    expect(await blobKeys(parts)).toEqual([a.key, digest].sort());

    await deletePackageBlobs(parts.blobs, digest);
    expect(await blobKeys(parts)).toEqual([]);
  });

  it('a request whose client has gone gets nothing, and a build nobody waits for stores nothing', async () => {
    const gone = new AbortController();
    gone.abort();
    await expect(aspects.ensure(digest, 'code', gone.signal)).rejects.toThrow('the client went away');

    const leaving = new AbortController();
    const pending = aspects.ensure(digest, 'weights', leaving.signal);
    leaving.abort();
    await expect(pending).rejects.toThrow('the client went away');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await parts.blobs.stat(aspectBlobKey(digest, 'weights'))).toBeNull();
    // The next request builds it afresh.
    const built = await aspects.ensure(digest, 'weights', live());
    expect((await parts.blobs.stat(built.key))?.size).toBe(built.size);
  });

  it('fails, storing nothing, when the package is not there', async () => {
    const missing = 'f'.repeat(64);
    await expect(aspects.ensure(missing, 'docs', live())).rejects.toThrow();
    expect(await parts.blobs.stat(aspectBlobKey(missing, 'docs'))).toBeNull();
  });
});
