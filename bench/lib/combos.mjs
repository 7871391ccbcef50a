import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { defer } from './cleanup.mjs';
import { freePort, httpStatus, PROJECT_ROOT, startChild, tempDir, waitUntil } from './proc.mjs';

/** Storage combinations: metadata database x blob store. */
export const COMBOS = ['sqlite-fs', 'pg-fs', 'sqlite-s3', 'pg-s3'];

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const S3_SCRIPT = join(PROJECT_ROOT, 'scripts/s3rver.mjs');
const S3_BUCKET = 'modelguard'; // created by scripts/s3rver.mjs
const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }; // s3rver's fixed pair

/**
 * The server environment for `combo`, starting what it needs (an s3rver; a PostgreSQL schema of
 * its own). Everything started is removed at cleanup. DATA_DIR is set by startRegistry.
 */
export async function storageEnv(combo) {
  if (!COMBOS.includes(combo))
    throw new Error(`unknown combo "${combo}"; expected one of ${COMBOS.join(', ')}`);
  const [database, blobs] = combo.split('-');
  return {
    ...(database === 'pg' ? await postgresEnv() : {}),
    ...(blobs === 's3' ? await s3Env() : {}),
  };
}

/**
 * A fresh schema per run, selected through the connection's search_path, so a bench never
 * touches other data in the database and needs no schema setting in the server.
 */
async function postgresEnv() {
  const schema = `mg_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client(POSTGRES_URL);
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  defer(async () => {
    const client = new pg.Client(POSTGRES_URL);
    await client.connect();
    try {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  });
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { DATABASE_URL: url.toString() };
}

async function s3Env() {
  if (
    !(await access(S3_SCRIPT).then(
      () => true,
      () => false,
    ))
  ) {
    throw new Error(`${S3_SCRIPT} does not exist yet: the S3 combinations need it`);
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const s3rver = startChild('s3rver', process.execPath, [S3_SCRIPT, String(port), await tempDir('s3')], {
    cwd: PROJECT_ROOT,
  });
  await waitUntil('s3rver to answer', async () => (await httpStatus(endpoint)) > 0, { child: s3rver });
  return {
    S3_BUCKET,
    S3_ENDPOINT: endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    S3_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
  };
}
