import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { BlobStore } from '../../src/storage/blobs/blob-store.js';
import { S3BlobStore } from '../../src/storage/blobs/s3-blob-store.js';
import type { MetadataStore } from '../../src/storage/metadata/metadata-store.js';
import { createPostgresStore } from '../../src/storage/metadata/postgres.js';
import { TEST_DATABASE_URL } from '../support/postgres.js';
import { RegistryClient } from '../support/registry-client.js';
import { seededRandom } from '../support/seeded-random.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { createPgS3Storage, disposeSharedS3rver, type PgS3Storage } from '../support/test-storage.js';
import {
  collectOrphans,
  expectConsistent,
  expectWholeGroups,
  prepareWrite,
  startSourceZips,
  visibleNames,
  WRITE_OPERATIONS,
} from '../support/write-rounds.js';
import type { ZipServer } from '../support/zip-server.js';
import { modelZip } from '../support/zips.js';

/**
 * The outage loop: the registry (on PostgreSQL + S3, listening on a real port) is in the middle of
 * an upload, an ingest, an update, a delete, a transaction's execute or a reset when, at a seeded
 * random moment, PostgreSQL goes away (the TCP proxy in front of it refuses and drops every
 * connection) or s3rver stops. The client must get the operation's success or a 503 naming the
 * lost component, never another status and never a hang; once the component is back, the same
 * running registry must serve reads and writes again, and fsck (after the `--repair` pass that
 * collects what a cut-short write stored but never named, as operators run it on PostgreSQL) finds
 * every row's package with its digest, no orphan, and every transaction wholly visible or not at all.
 * OUTAGE_LOOP_ROUNDS rounds per operation and component (1 in `npm test`), from OUTAGE_LOOP_SEED.
 * Figures of long runs: docs/decisions.md (issue 14).
 */
const ROUNDS = Number(process.env.OUTAGE_LOOP_ROUNDS ?? 1);
const SEED = Number(process.env.OUTAGE_LOOP_SEED ?? 14);
/** Outages start anywhere in this window after the operation starts. */
const MAX_CUT_DELAY_MS = 400;
/** An answer later than this is a hang (the timeouts below make a 503 come within a few seconds). */
const ANSWER_LIMIT_MS = 20_000;

type Component = 'database' | 'object store';
const COMPONENTS: Component[] = ['database', 'object store'];

describe.each(COMPONENTS)('outage loop: the %s lost in the middle of writes', (component) => {
  let storage: PgS3Storage;
  let proxy: TcpProxy;
  let zips: ZipServer;
  let dataDir: string;
  let app: FastifyInstance;
  let url: string;
  /** The oracle's own view of the storage, not through the proxy. */
  let oracle: { store: MetadataStore; blobs: BlobStore };

  beforeAll(async () => {
    zips = await startSourceZips();
    storage = await createPgS3Storage();
    const server = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy(server.hostname, Number(server.port || 5432));
    const throughProxy = Object.assign(new URL(TEST_DATABASE_URL), {
      hostname: '127.0.0.1',
      port: String(proxy.port),
    });
    dataDir = await mkdtemp(join(tmpdir(), 'modelguard-outage-loop-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      PASSWORD_SCRYPT_LOG2_N: '12',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      INGEST_ALLOW_PRIVATE_NETWORK: 'true',
      TOKEN_MAX_USES: '100000',
    });
    // Short bounds, as an operator who wants prompt 503s sets them (DATABASE_*_TIMEOUT_MS, S3_*_TIMEOUT_MS).
    app = await buildApp(config, {
      store: createPostgresStore(throughProxy.href, {
        schema: storage.schema,
        poolSize: 4,
        connectTimeoutMs: 1_000,
        statementTimeoutMs: 5_000,
      }),
      blobs: new S3BlobStore({
        bucket: storage.s3.bucket,
        prefix: storage.prefix,
        region: 'us-east-1',
        endpoint: storage.s3.endpoint,
        forcePathStyle: true,
        credentials: storage.s3.credentials,
        connectTimeoutMs: 1_000,
        requestTimeoutMs: 5_000,
      }),
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    oracle = storage.overrides({ poolSize: 2 });
  });

  afterAll(async () => {
    await proxy?.restore();
    await storage?.s3.start();
    await app?.close();
    await oracle?.store.close();
    await proxy?.close();
    await zips?.close();
    await storage?.dispose();
    await disposeSharedS3rver();
    await rm(dataDir, { recursive: true, force: true });
  }, 120_000);

  const cut = () => (component === 'database' ? proxy.refuse() : storage.s3.stop());
  const restore = () => (component === 'database' ? proxy.restore() : storage.s3.start());

  /** The response, or the error fetch failed with, or 'hang' past the limit. */
  function answerWithin(request: Promise<Response>, limitMs: number): Promise<Response | Error | 'hang'> {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<'hang'>((resolve) => {
      timer = setTimeout(() => resolve('hang'), limitMs);
    });
    return Promise.race([request.catch((error: Error) => error), hang]).finally(() => clearTimeout(timer));
  }

  /**
   * An upload succeeds within a few seconds: a reset the outage interrupted is finished in the
   * background once the database is back, and until then writes are refused with 409.
   */
  async function expectWritesResume(client: RegistryClient, name: string): Promise<void> {
    const zip = await modelZip(name);
    for (const deadline = Date.now() + 10_000; ; ) {
      const response = await fetch(`${client.url}/artifact/model/upload?name=${name}`, {
        method: 'POST',
        headers: { 'x-authorization': client.token, 'content-type': 'application/zip' },
        body: zip,
      });
      const body = await response.text();
      if (response.status === 201) return;
      expect(response.status, body).toBe(409);
      expect(Date.now(), `writes still refused: ${body}`).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it(`answers success or a 503 naming it, then serves consistently again: ${ROUNDS} rounds per operation (seed ${SEED})`, async () => {
    const started = Date.now();
    const random = seededRandom(SEED);
    const groups: string[] = [];
    const tally = { rounds: 0, cutShort: 0, unavailable: 0, succeeded: 0, collected: 0, slowestMs: 0 };
    // Operations take turns, so every sixth round resets and what fsck hashes stays small however many rounds run.
    const plan = Array.from({ length: ROUNDS }, () => WRITE_OPERATIONS).flat();
    for (const [index, operation] of plan.entries()) {
      const round = `r${index}-${operation}`;
      const client = await RegistryClient.signIn(url);
      const write = await prepareWrite(client, zips, operation, round);
      if (operation === 'execute') groups.push(round);
      // A reset may or may not have removed earlier groups' artifacts and victims alike: stop checking them.
      if (operation === 'reset') groups.length = 0;

      const sent = Date.now();
      let answeredAt = Number.POSITIVE_INFINITY;
      const answer = answerWithin(
        write.run().then((response) => {
          answeredAt = Date.now();
          return response;
        }),
        ANSWER_LIMIT_MS,
      );
      // The first outage comes at once, so at least one lands mid-operation on any machine.
      await new Promise((resolve) => setTimeout(resolve, index === 0 ? 0 : random() * MAX_CUT_DELAY_MS));
      const cutAt = Date.now();
      await cut();
      const response = await answer;
      await restore();

      tally.rounds++;
      if (answeredAt > cutAt) tally.cutShort++;
      tally.slowestMs = Math.max(tally.slowestMs, Math.min(answeredAt, Date.now()) - sent);
      const what = `${round} (${component} lost after ${cutAt - sent} ms)`;
      if (!(response instanceof Response))
        throw new Error(`${what}: ${response === 'hang' ? 'no answer' : response}`);
      const body = await response.text();
      if (response.status === 503) {
        tally.unavailable++;
        expect(JSON.parse(body), what).toMatchObject({ error: 'COMPONENT_UNAVAILABLE' });
        expect(JSON.parse(body).message, what).toMatch(new RegExp(`^${component} unavailable`));
      } else {
        expect(response.status, `${what}: ${body}`).toBeGreaterThanOrEqual(200);
        expect(response.status, `${what}: ${body}`).toBeLessThan(300);
        tally.succeeded++;
      }

      // The same process serves again by itself, reads and writes.
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const after = await RegistryClient.signIn(url);
      const visible = await visibleNames(after);
      if (response.status !== 503)
        expect(write.tookEffect(visible), `${what}: answered ${response.status}`).not.toBe(false);
      expectWholeGroups(visible, groups);
      await expectWritesResume(after, `${round}-after`);

      tally.collected += await collectOrphans(oracle.store, oracle.blobs);
      await expectConsistent(oracle.store, oracle.blobs);
    }
    // Outages that all came after the answers would prove nothing.
    expect(tally.cutShort, 'rounds whose operation the outage cut short').toBeGreaterThan(0);
    console.info(
      `outage loop (${component}): ${JSON.stringify(tally)}, ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }, 3_600_000);
});
