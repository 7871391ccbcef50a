import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FsckOptions } from '../../src/cli/commands/fsck.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runFsck } from '../../src/cli/fsck.js';
import type { Output } from '../../src/cli/output.js';
import type { Registry } from '../../src/registry.js';
import { aspectBlobKey } from '../../src/services/aspect-packages.js';
import { type ConsistencyReport, checkConsistency } from '../../src/services/consistency-check.js';
import {
  describeSweep,
  finishInterruptedReset,
  sweepOrphansAtStart,
} from '../../src/services/startup-sweep.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { uploadOk, uploadZip } from '../support/requests.js';
import { modelZip, sha256 } from '../support/zips.js';

const HOUR = 3_600_000;

describe('fsck: the consistency check over packages and blobs', () => {
  let t: TestApp;
  let registry: Registry;
  let token: string;
  let zipA: Buffer;
  let zipB: Buffer;
  const ids: Record<'a' | 'b' | 'copyOfA', string> = { a: '', b: '', copyOfA: '' };

  beforeEach(async () => {
    t = await startTestApp();
    registry = t.app.registry;
    token = await t.token();
    zipA = await modelZip('alpha');
    zipB = await modelZip('beta');
    ids.a = await uploadOk(t.app, token, 'alpha', zipA);
    ids.b = await uploadOk(t.app, token, 'beta', zipB);
    ids.copyOfA = await uploadOk(t.app, token, 'alpha-copy', zipA);
    // An aspect package, built on first request and stored beside the package.
    const docs = await t.app.inject({
      url: `/download/model/${ids.a}?aspect=docs`,
      headers: { 'x-authorization': token },
    });
    expect(docs.statusCode).toBe(200);
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await t.close();
  });

  const check = (options: Partial<Parameters<typeof checkConsistency>[2]> = {}) =>
    checkConsistency(registry.store, registry.blobs, {
      repair: false,
      graceMs: HOUR,
      verifyDigests: true,
      ...options,
    });

  /** Stores `bytes` under `digest` whatever they hash to: a blob corrupted behind the registry's back. */
  async function storeAs(digest: string, bytes: Buffer): Promise<void> {
    const path = join(t.dataDir, `corrupt-${randomBytes(4).toString('hex')}`);
    await writeFile(path, bytes);
    await registry.blobs.delete(digest);
    await registry.blobs.putFile(path, digest, bytes.length);
    await rm(path, { force: true });
  }

  async function storeOrphan(bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    await storeAs(digest, bytes);
    return digest;
  }

  /** `modelguard fsck --json` against this app's storage, configured as a registry process would be. */
  async function fsckCli(
    options: Partial<FsckOptions> = {},
  ): Promise<{ code: number; report: ConsistencyReport }> {
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const out: Output = { json: true, interactive: false, color: false, stdout, stderr: new PassThrough() };
    // The S3 client reads its keys from the process environment (the default provider chain).
    for (const [name, value] of Object.entries(t.storageEnv)) vi.stubEnv(name, value);
    const code = await runFsck({ grace: '3600', ...options }, { ...t.storageEnv, LOG_LEVEL: 'silent' }, out);
    return { code, report: JSON.parse(Buffer.concat(chunks).toString()) as ConsistencyReport };
  }

  it('finds a consistent registry consistent, counting shared packages once and aspect packages as named', async () => {
    const { code, report } = await fsckCli();
    expect(code).toBe(EXIT.ok);
    expect(report).toMatchObject({
      ok: true,
      artifacts: 3,
      stagedCommands: 0,
      packages: 2,
      blobs: 3,
      aspectPackages: 1,
      packageProblems: [],
      orphans: [],
      recentOrphans: [],
      collected: [],
    });
  });

  it('reports a missing package as dangling rows, naming every artifact that shares it, and exits 7', async () => {
    await registry.blobs.delete(sha256(zipA));
    const { code, report } = await fsckCli();
    expect(code).toBe(EXIT.inconsistent);
    expect(report.ok).toBe(false);
    expect(report.packageProblems).toEqual([
      {
        digest: sha256(zipA),
        size: zipA.length,
        problem: 'missing',
        artifacts: [
          { id: ids.a, type: 'model', name: 'alpha' },
          { id: ids.copyOfA, type: 'model', name: 'alpha-copy' },
        ],
        transactions: [],
      },
    ]);
  });

  it('reports a blob holding other bytes of the same size as a wrong digest, and a truncated one as a wrong size', async () => {
    const impostor = randomBytes(zipB.length);
    await storeAs(sha256(zipB), impostor);
    expect((await check()).packageProblems).toEqual([
      expect.objectContaining({
        digest: sha256(zipB),
        problem: 'wrong-digest',
        storedDigest: sha256(impostor),
      }),
    ]);
    // Presence and size only: the same bytes pass.
    expect((await check({ verifyDigests: false })).ok).toBe(true);

    await storeAs(sha256(zipB), zipB.subarray(0, 100));
    const { code, report } = await fsckCli({ sizesOnly: true });
    expect(code).toBe(EXIT.inconsistent);
    expect(report.packageProblems).toEqual([
      expect.objectContaining({
        digest: sha256(zipB),
        problem: 'wrong-size',
        size: zipB.length,
        storedSize: 100,
      }),
    ]);
  });

  it('lists orphans, leaves young ones (possibly in flight) alone, and --repair collects only the old ones', async () => {
    const orphan = await storeOrphan(randomBytes(500));
    const young = await check();
    expect(young.ok).toBe(true);
    expect(young.recentOrphans.map((blob) => blob.digest)).toEqual([orphan]);
    expect((await check({ repair: true })).collected).toEqual([]);
    expect(await registry.blobs.stat(orphan)).toEqual({ size: 500 });

    const { code, report } = await fsckCli({ grace: '0' });
    expect(code).toBe(EXIT.inconsistent);
    expect(report.orphans).toEqual([expect.objectContaining({ digest: orphan, size: 500 })]);
    expect(report.collected).toEqual([]);

    const repaired = await fsckCli({ grace: '0', repair: true });
    expect(repaired.code).toBe(EXIT.ok);
    expect(repaired.report.collected.map((blob) => blob.digest)).toEqual([orphan]);
    expect(await registry.blobs.stat(orphan)).toBeNull();
    // Everything a row names, aspect packages included, is still there.
    expect(await registry.blobs.stat(sha256(zipA))).toEqual({ size: zipA.length });
    expect(await registry.blobs.stat(sha256(zipB))).toEqual({ size: zipB.length });
    expect(await registry.blobs.stat(aspectBlobKey(sha256(zipA), 'docs'))).not.toBeNull();
    expect((await check({ graceMs: 0 })).ok).toBe(true);
  });

  it('collects the package and the aspect packages of rows deleted without releasing their blobs', async () => {
    await registry.store.deleteArtifact(ids.a);
    await registry.store.deleteArtifact(ids.copyOfA);
    const report = await check({ graceMs: 0, repair: true });
    expect(report.collected.map((blob) => blob.digest).sort()).toEqual(
      [sha256(zipA), aspectBlobKey(sha256(zipA), 'docs')].sort(),
    );
    expect(report.ok).toBe(true);
    expect(await registry.blobs.stat(sha256(zipB))).toEqual({ size: zipB.length });
    expect(await check({ graceMs: 0 })).toMatchObject({ ok: true, blobs: 1, artifacts: 1 });
  });

  it('repairs orphans but never touches a corrupt package a row still names', async () => {
    await storeAs(sha256(zipB), randomBytes(zipB.length));
    const orphan = await storeOrphan(randomBytes(64));
    const { code, report } = await fsckCli({ grace: '0', repair: true });
    expect(code).toBe(EXIT.inconsistent);
    expect(report.collected.map((blob) => blob.digest)).toEqual([orphan]);
    expect(report.packageProblems.map((problem) => problem.problem)).toEqual(['wrong-digest']);
    expect(await registry.blobs.stat(sha256(zipB))).toEqual({ size: zipB.length });
  });

  it('refuses a grace period that is not a number of seconds', async () => {
    await expect(fsckCli({ grace: 'soon' })).rejects.toMatchObject({ exitCode: EXIT.usage });
  });
});

describe('the start-up sweep', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(() => t.close());

  it('collects every orphan, however young, when the metadata is embedded, and nothing a row names', async () => {
    const { registry } = t.app;
    const token = await t.token();
    const zip = await modelZip('kept');
    await uploadOk(t.app, token, 'kept', zip);
    const orphan = randomBytes(300);
    const path = join(t.dataDir, 'orphan');
    await writeFile(path, orphan);
    await registry.blobs.putFile(path, sha256(orphan), orphan.length);

    // Scale-out: other instances may be mid-write, so the sweep leaves everything to fsck --repair.
    const scaleOut = { ...t.config, databaseUrl: 'postgres://elsewhere/registry' };
    expect(await sweepOrphansAtStart(scaleOut, registry.store, registry.blobs)).toBeNull();
    expect(await registry.blobs.stat(sha256(orphan))).toEqual({ size: 300 });

    const report = await sweepOrphansAtStart(
      { ...t.config, databaseUrl: null },
      registry.store,
      registry.blobs,
    );
    expect(report?.collected.map((blob) => blob.digest)).toEqual([sha256(orphan)]);
    expect(describeSweep(report)).toMatchObject({
      collectedOrphans: 1,
      collectedBytes: 300,
      packageProblems: [],
    });
    expect(await registry.blobs.stat(sha256(orphan))).toBeNull();
    expect(await registry.blobs.stat(sha256(zip))).toEqual({ size: zip.length });
    expect(describeSweep(await sweepOrphansAtStart(t.config, registry.store, registry.blobs))).toBeNull();
  });

  it('finishes a reset whose process died before letting writes start again', async () => {
    const { registry } = t.app;
    const token = await t.token();
    const orphan = await modelZip('left-by-the-reset');
    await uploadOk(t.app, token, 'before-reset', orphan);
    // The reset's first step committed, then the process died.
    await registry.store.beginReset(await registry.auth.defaultAdmin());
    const refused = await uploadZip(t.app, token, 'during', await modelZip('during'));
    expect(refused.statusCode).toBe(409);

    expect(await finishInterruptedReset(registry.store, registry.blobs)).toBe(true);
    expect(await registry.blobs.stat(sha256(orphan))).toBeNull();
    expect(await finishInterruptedReset(registry.store, registry.blobs)).toBe(false);
    expect((await uploadZip(t.app, await t.token(), 'after', await modelZip('after'))).statusCode).toBe(201);
  });
});
