import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore, ByteRange } from '../../src/storage/blobs/blob-store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { listAll, uploadOk, uploadZip } from '../support/requests.js';
import { type RunningS3rver, startS3rver } from '../support/s3rver.js';
import { s3BlobStore } from '../support/test-storage.js';
import { modelZip, sha256 } from '../support/zips.js';
import { expectEveryArtifactDownloads, listEverything } from './consistency.js';

/** The app on SQLite + S3; the test stops and restarts the S3 server under it. */
describe('object store outage', () => {
  let s3: RunningS3rver;
  let t: TestApp;
  let token: string;
  const packages = new Map<string, Buffer[]>();

  const auth = () => ({ 'x-authorization': token });
  const packageOf = (name: string) => packages.get(name)?.[0] as Buffer;
  const blobStatus = async () => {
    const health = await t.app.inject({ url: '/health/components' });
    return health.json().components.find((c: { id: string }) => c.id === 'blob-store');
  };

  beforeAll(async () => {
    s3 = await startS3rver();
    t = await startTestApp({}, { blobs: s3BlobStore(s3, 'outage/') });
    token = await t.token();
    for (const name of ['before', 'during', 'racing-1', 'racing-2', 'racing-3', 'racing-4']) {
      packages.set(name, [await modelZip(name)]);
    }
  });
  afterAll(async () => {
    await t?.close();
    await s3?.dispose();
  });

  it('serves normally while S3 is up', async () => {
    await uploadOk(t.app, token, 'before', packageOf('before'));
    expect((await blobStatus()).status).toBe('ok');
  });

  it('answers 503 naming the object store while S3 is down, and reports it degraded', async () => {
    await s3.stop();
    const upload = await uploadZip(t.app, token, 'during', packageOf('during'));
    expect(upload.statusCode).toBe(503);
    expect(upload.json()).toMatchObject({ error: 'COMPONENT_UNAVAILABLE' });
    expect(upload.json().message).toMatch(/^object store unavailable/);

    const [before] = await listEverything(t.app, token);
    for (const aspect of ['full', 'weights']) {
      const download = await t.app.inject({
        url: `/download/model/${before?.id}?aspect=${aspect}`,
        headers: auth(),
      });
      expect(download.statusCode, aspect).toBe(503);
      expect(download.headers['content-type']).toMatch(/^application\/json/);
      expect(download.headers['content-disposition'], 'an error must not look like a file').toBeUndefined();
      expect(download.json().message).toMatch(/^object store unavailable/);
    }

    const blobs = await blobStatus();
    expect(blobs.status).toBe('degraded');
    expect(blobs.issues[0].summary).toMatch(/object store/);
    // Metadata lives elsewhere: searching keeps working, and the failed upload left no row.
    expect((await listAll(t.app, token)).json().map((a: { name: string }) => a.name)).toEqual(['before']);
  });

  it('resumes by itself once S3 is back, with nothing lost or half-written', async () => {
    await s3.start();
    expect((await blobStatus()).status).toBe('ok');
    expect(await t.app.registry.blobs.stat(sha256(packageOf('during')))).toBeNull();
    await uploadOk(t.app, token, 'during', packageOf('during'));
    const digests = await expectEveryArtifactDownloads(t.app, token, packages);
    expect(digests.size).toBe(2);
  });

  it('leaves only complete artifacts when S3 stops in the middle of a burst of uploads', async () => {
    const names = ['racing-1', 'racing-2', 'racing-3', 'racing-4'];
    const uploads = names.map((name) => uploadZip(t.app, token, name, packageOf(name)));
    // Stop once the first upload is through, while the others are in flight.
    const stopped = uploads[0]?.then(() => s3.stop());
    const responses = await Promise.all(uploads);
    await stopped;
    const statuses = responses.map((r) => r.statusCode);
    for (const status of statuses) expect([201, 503]).toContain(status);
    expect(statuses[0]).toBe(201);

    await s3.start();
    const listed = (await listEverything(t.app, token)).map((a) => a.name);
    for (const name of names.filter((_, i) => statuses[i] === 201)) expect(listed).toContain(name);
    // A 503 may still have left its row when S3 went away between storing the bytes and the
    // post-insert check: see 'undoes the row when the check after insert cannot reach S3'.
    await expectEveryArtifactDownloads(t.app, token, packages);
  });

  it('answers 503 naming the object store for an artifact whose bytes went missing', async () => {
    const before = (await listEverything(t.app, token)).find((a) => a.name === 'before');
    const digest = sha256(packageOf('before'));
    await t.app.registry.blobs.delete(digest);
    const download = await t.app.inject({ url: `/download/model/${before?.id}`, headers: auth() });
    expect(download.statusCode).toBe(503);
    expect(download.json().message).toBe(
      `object store unavailable: the package bytes (sha256 ${digest}) are missing`,
    );
    // Content addressing: uploading the same bytes again heals the old artifact too.
    await uploadOk(t.app, token, 'before', packageOf('before'));
    await expectEveryArtifactDownloads(t.app, token, packages);
  });

  // The blob is checked before the row is written, so an outage right after the bytes went in
  // leaves no row: the client's 503 is the truth, and a retry does not duplicate anything.
  it('writes no row when the blob check after the upload cannot reach S3', async () => {
    const blobs = new StopAfterPut(s3BlobStore(s3, 'after-put/'), () => s3.stop());
    const other = await startTestApp({}, { blobs });
    try {
      const otherToken = await other.token();
      const upload = await uploadZip(other.app, otherToken, 'orphan', await modelZip('orphan'));
      expect(upload.statusCode).toBe(503);
      await s3.start();
      expect((await listAll(other.app, otherToken)).json()).toEqual([]);
    } finally {
      await s3.start();
      await other.close();
    }
  });
});

/** Delegates to a real store, stopping S3 right after the next upload has stored its bytes. */
class StopAfterPut implements BlobStore {
  readonly kind: string;

  constructor(
    private readonly inner: BlobStore,
    private readonly stop: () => Promise<void>,
  ) {
    this.kind = inner.kind;
  }

  async putFile(localPath: string, digest: string, size: number): Promise<void> {
    await this.inner.putFile(localPath, digest, size);
    await this.stop();
  }
  read(digest: string, range?: ByteRange) {
    return this.inner.read(digest, range);
  }
  stat(digest: string) {
    return this.inner.stat(digest);
  }
  delete(digest: string) {
    return this.inner.delete(digest);
  }
  list() {
    return this.inner.list();
  }
  clear() {
    return this.inner.clear();
  }
  ping() {
    return this.inner.ping();
  }
}
