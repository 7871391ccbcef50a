import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import SqliteDatabase from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_ADMIN_NAME } from '../../src/services/auth-service.js';
import { authenticate, startTestApp } from '../support/app.js';
import { uploadOk } from '../support/requests.js';
import { disposeSharedS3rver } from '../support/test-storage.js';
import { modelZip } from '../support/zips.js';
import { startCluster } from './cluster.js';
import { expectEveryArtifactDownloads, listEverything } from './consistency.js';

afterAll(() => disposeSharedS3rver());

/** One registry to race against itself: its instances, and how many blobs its store holds. */
interface Registry {
  apps: FastifyInstance[];
  countBlobs(): Promise<number>;
  close(): Promise<void>;
}

const ENV = { TOKEN_MAX_USES: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000' };

const registries: Record<string, () => Promise<Registry>> = {
  'SQLite + filesystem': async () => {
    const t = await startTestApp(ENV);
    return { apps: [t.app], countBlobs: () => countFiles(join(t.dataDir, 'blobs')), close: () => t.close() };
  },
  'PostgreSQL + S3, two stateless instances': async () => {
    const cluster = await startCluster(ENV);
    return {
      apps: cluster.apps,
      countBlobs: () => cluster.storage.countBlobs(),
      close: () => cluster.close(),
    };
  },
};

/** Files anywhere under `dir` (blobs, and anything a clear might leave behind). */
async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).length;
}

/** A request body that sends half the zip, then waits for `release()` to send the rest. */
function heldBody(zip: Buffer) {
  let started!: () => void;
  let release!: () => void;
  const startedPromise = new Promise<void>((resolve) => {
    started = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const half = Math.floor(zip.length / 2);
  let reading = false;
  const stream = new Readable({
    read() {
      if (reading) return;
      reading = true;
      this.push(zip.subarray(0, half));
      started();
      void released.then(() => {
        this.push(zip.subarray(half));
        this.push(null);
      });
    },
  });
  return { stream, started: startedPromise, release };
}

describe.each(Object.entries(registries))('a reset racing uploads on %s', (_, start) => {
  let registry: Registry;
  afterAll(() => registry?.close());

  it('leaves only the default admin, nothing that started before it finished, and no orphan blob (20 rounds of 20 uploads)', async () => {
    registry = await start();
    const { apps } = registry;
    const at = (i: number) => apps[i % apps.length] as FastifyInstance;
    const outcomes = new Map<number, number>();
    for (let round = 0; round < 20; round++) {
      const token = await authenticate(at(round));
      // Distinct packages, so every upload stores a blob of its own. Each body is held after its
      // first half until its moment comes: every upload has started before the reset is sent,
      // and they finish spread over the reset, some before it, most while or after it runs.
      const zips = await Promise.all(
        Array.from({ length: 20 }, (_, i) => modelZip(`race-${i}`, `# race ${round}.${i}`)),
      );
      const bodies = zips.map(heldBody);
      const uploads = zips.map((_, i) =>
        at(i).inject({
          method: 'POST',
          url: `/artifact/model/upload?name=race-${i}`,
          headers: { 'x-authorization': token, 'content-type': 'application/zip' },
          payload: bodies[i]?.stream,
        }),
      );
      await Promise.all(bodies.map((body) => body.started));
      // The first two finish before the reset is sent; the reset removes them.
      for (const body of bodies.slice(0, 2)) body.release();
      expect((await Promise.all(uploads.slice(0, 2))).map((r) => r.statusCode)).toEqual([201, 201]);
      const reset = at(round + 1).inject({
        method: 'DELETE',
        url: '/reset',
        headers: { 'x-authorization': token },
      });
      for (const body of bodies.slice(2)) {
        await new Promise((resolve) => setTimeout(resolve, round % 4));
        body.release();
      }
      expect((await reset).statusCode, (await reset).body).toBe(200);
      for (const upload of await Promise.all(uploads)) {
        outcomes.set(upload.statusCode, (outcomes.get(upload.statusCode) ?? 0) + 1);
        expect([201, 409], upload.body).toContain(upload.statusCode);
      }

      // Every upload started before the reset finished, so none survives: no row, no audit
      // entry, no blob. The default admin signs in on every instance.
      for (const app of apps) {
        const admin = await authenticate(app);
        expect(await listEverything(app, admin)).toEqual([]);
      }
      expect(await registry.countBlobs(), `round ${round}`).toBe(0);
    }
    // Both outcomes happened: the race was real.
    expect(outcomes.get(201), JSON.stringify([...outcomes])).toBeGreaterThan(0);
    expect(outcomes.get(409), JSON.stringify([...outcomes])).toBeGreaterThan(0);

    // Afterwards the registry works normally.
    const token = await authenticate(at(0));
    const zip = await modelZip('after-the-race');
    await uploadOk(at(1), token, 'after-the-race', zip);
    await expectEveryArtifactDownloads(at(0), token, new Map([['after-the-race', [zip]]]));
    expect(await registry.countBlobs()).toBe(1);
    // About 50 s on PostgreSQL + S3 on a quiet 2-core machine; room for a loaded one.
  }, 480_000);
});

describe('the default admin at start-up', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  async function startOn(dataDir: string): Promise<FastifyInstance> {
    return buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
  }

  it('is recreated when a registry starts without any administrator', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mg-bootstrap-'));
    dirs.push(dataDir);
    const first = await startOn(dataDir);
    await authenticate(first);
    await first.close();
    // The API refuses to remove the last administrator; a failed reset of an earlier version, or
    // a hand-edited database, could still leave none.
    const database = new SqliteDatabase(join(dataDir, 'registry.db'));
    database.prepare('delete from users').run();
    database.close();

    const second = await startOn(dataDir);
    try {
      await authenticate(second);
    } finally {
      await second.close();
    }
  });

  it('is left out when another administrator exists', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mg-bootstrap-'));
    dirs.push(dataDir);
    const first = await startOn(dataDir);
    const admin = await first.registry.store.getUser(DEFAULT_ADMIN_NAME);
    await first.registry.store.insertUser({ ...(admin as NonNullable<typeof admin>), name: 'operator' });
    await first.registry.store.deleteUser(DEFAULT_ADMIN_NAME);
    await first.close();

    const second = await startOn(dataDir);
    try {
      expect(await second.registry.store.getUser(DEFAULT_ADMIN_NAME)).toBeNull();
      await authenticate(second, 'operator');
    } finally {
      await second.close();
    }
  });
});
