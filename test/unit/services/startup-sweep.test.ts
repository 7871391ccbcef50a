import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../../src/config.js';
import { ComponentUnavailableError, ResetConflictError } from '../../../src/domain/errors.js';
import type { ConsistencyReport } from '../../../src/services/consistency-check.js';
import {
  describeSweep,
  finishInterruptedReset,
  sweepOrphansAtStart,
} from '../../../src/services/startup-sweep.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { userRecord } from '../support/metadata-records.js';
import { PackageStores, sha256 } from '../support/package-stores.js';

let stores: PackageStores;
let dataDir: string;

beforeEach(async () => {
  stores = await PackageStores.create();
  dataDir = await mkdtemp(join(tmpdir(), 'mg-sweep-data-'));
});

afterEach(async () => {
  await stores.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

describe('finishInterruptedReset', () => {
  it('does nothing when no reset was left running', async () => {
    const blob = await stores.putBlob('kept');
    expect(await finishInterruptedReset(stores.store, stores.blobs)).toBe(false);
    expect(await stores.blobs.stat(blob.digest)).toEqual({ size: 4 });
  });

  it('clears the blobs and lets writes start again after a reset whose process died', async () => {
    const blob = await stores.putBlob('from before the reset');
    await stores.store.beginReset(userRecord('admin', { isAdmin: true }));
    await expect(stores.store.writeGeneration()).rejects.toBeInstanceOf(ResetConflictError);

    expect(await finishInterruptedReset(stores.store, stores.blobs)).toBe(true);
    expect(await stores.blobs.stat(blob.digest)).toBeNull();
    await expect(stores.store.writeGeneration()).resolves.toEqual(expect.any(Number));
    expect(await finishInterruptedReset(stores.store, stores.blobs)).toBe(false);
  });

  it('passes on a database failure, clearing nothing', async () => {
    const blob = await stores.putBlob('kept');
    const down = new ComponentUnavailableError('database', 'connection refused');
    const failing = new Proxy(stores.store, {
      get(target, property) {
        if (property === 'writeGeneration') return () => Promise.reject(down);
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as MetadataStore;
    await expect(finishInterruptedReset(failing, stores.blobs)).rejects.toBe(down);
    expect(await stores.blobs.stat(blob.digest)).toEqual({ size: 4 });
  });
});

describe('sweepOrphansAtStart', () => {
  it('on SQLite, collects every orphan, however young, and keeps named packages', async () => {
    const named = await stores.putBlob('named');
    await stores.addArtifact('a1', named);
    const orphan = await stores.putBlob('stored a moment ago by a process that crashed');

    const report = await sweepOrphansAtStart(loadConfig({ DATA_DIR: dataDir }), stores.store, stores.blobs);
    expect(report?.collected.map(({ digest }) => digest)).toEqual([orphan.digest]);
    expect(await stores.blobs.stat(orphan.digest)).toBeNull();
    expect(await stores.blobs.stat(named.digest)).toEqual({ size: 5 });
  });

  it('does not hash packages (a start stays fast): a corrupted one is left to fsck', async () => {
    const blob = await stores.putBlob('original');
    await stores.addArtifact('a1', blob);
    await stores.overwriteBlob(blob.digest, 'ORIGINAL');
    const report = await sweepOrphansAtStart(loadConfig({ DATA_DIR: dataDir }), stores.store, stores.blobs);
    expect(report?.packageProblems).toEqual([]);
  });

  it('on PostgreSQL, sweeps nothing: other instances may be writing', async () => {
    const orphan = await stores.putBlob('maybe a write in flight elsewhere');
    const config: Config = loadConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://registry@db.internal/registry',
    });
    expect(await sweepOrphansAtStart(config, stores.store, stores.blobs)).toBeNull();
    expect(await stores.blobs.stat(orphan.digest)).toEqual({ size: orphan.size });
  });
});

describe('describeSweep', () => {
  const quiet: ConsistencyReport = {
    ok: true,
    artifacts: 3,
    stagedCommands: 0,
    packages: 2,
    blobs: 2,
    aspectPackages: 0,
    packageProblems: [],
    orphans: [],
    recentOrphans: [],
    collected: [],
  };

  it('has nothing to say when there was no sweep or it found nothing', () => {
    expect(describeSweep(null)).toBeNull();
    expect(describeSweep(quiet)).toBeNull();
  });

  it('sums the collected orphans and names each package problem', () => {
    const orphan = (text: string, size: number) => ({
      digest: sha256(text),
      size,
      modifiedAt: '2026-01-01T00:00:00.000Z',
    });
    const missing = sha256('missing');
    const report: ConsistencyReport = {
      ...quiet,
      ok: false,
      orphans: [orphan('a', 100), orphan('b', 23)],
      collected: [orphan('a', 100), orphan('b', 23)],
      packageProblems: [
        {
          digest: missing,
          size: 9,
          problem: 'missing',
          artifacts: [{ id: 'x', name: 'x', type: 'model' }],
          transactions: [],
        },
      ],
    };
    expect(describeSweep(report)).toEqual({
      msg: 'start-up consistency sweep',
      collectedOrphans: 2,
      collectedBytes: 123,
      packageProblems: [{ digest: missing, problem: 'missing' }],
    });
    expect(describeSweep({ ...report, packageProblems: [] })).toMatchObject({ collectedOrphans: 2 });
    expect(describeSweep({ ...report, collected: [] })).toMatchObject({
      collectedOrphans: 0,
      collectedBytes: 0,
    });
  });
});
