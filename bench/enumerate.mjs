#!/usr/bin/env node
/**
 * Enumerate flat: the time of one `POST /artifacts` page at 1k, 100k and 1M artifacts, on SQLite
 * and PostgreSQL, for several query shapes (first page, a page deep in the registry, an exact
 * name, type filters, a version range, a union). The registry's tables are created by the
 * metadata store's own migrations and filled in bulk with the store's own row mapping (SQL
 * batches: inserting a million artifacts one request at a time would take hours); the server is
 * then asked over HTTP. Each query's plan (EXPLAIN) at the largest size is printed and kept.
 * Usage: node bench/enumerate.mjs [--sizes 1000,100000,1000000] [--db sqlite,pg] [--requests 100]
 *        (BENCH_SKIP_BUILD=1: use dist/ as built)
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteQueryCompiler,
} from 'kysely';
import pg from 'pg';
import { artifactName } from './lib/cards.mjs';
import { runMain, scoped } from './lib/cleanup.mjs';
import { storageEnv } from './lib/combos.mjs';
import { PROJECT_ROOT, tempDir } from './lib/proc.mjs';
import { writeResult } from './lib/results.mjs';
import { buildRegistry, startRegistry } from './lib/server.mjs';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}
const SIZES = option('sizes', '1000,100000,1000000').split(',').map(Number);
const DATABASES = option('db', 'sqlite,pg').split(',');
const REQUESTS = Number(option('requests', '100'));
const BATCH = 10_000;
/** Each name is published in three versions, 1.0.0 to 1.0.2. */
const VERSIONS = 3;

const dist = (path) => import(pathToFileURL(join(PROJECT_ROOT, 'dist', path)).href);

/** Artifact i: 80% models, 15% datasets, 5% code. */
function record(i, now) {
  const slot = i % 20;
  const patch = i % VERSIONS;
  return {
    id: `e${i}`,
    type: slot < 16 ? 'model' : slot < 19 ? 'dataset' : 'code',
    name: artifactName(Math.floor(i / VERSIONS)),
    sourceUrl: `upload:e${i}`,
    version: { text: `1.0.${patch}`, major: 1, minor: 0, patch, prerelease: false },
    packageDigest: (i % 997).toString(16).padStart(64, '0'),
    packageSize: 1000 + i,
    // Enumeration never reads cards; leaving them out keeps the fill of a million rows fast.
    facts: { files: [{ path: 'config.json', size: 100 }], readme: null, configJson: null },
    sourceMetadata: { kind: 'upload' },
    createdBy: 'bench',
    createdAt: now,
    updatedAt: now,
  };
}

/** Queries, each an HTTP body and offset; `at` is the registry's size when it is asked. */
function queries(at) {
  const middle = Math.floor(at / 2);
  const name = artifactName(Math.floor(middle / VERSIONS));
  return [
    { label: 'all, first page', body: [{ name: '*' }] },
    { label: 'all, page at the middle', body: [{ name: '*' }], offset: String(middle) },
    { label: 'exact name', body: [{ name }] },
    { label: 'one type (5%), middle', body: [{ name: '*', types: ['code'] }], offset: String(middle) },
    {
      label: 'two types (20%), middle',
      body: [{ name: '*', types: ['dataset', 'code'] }],
      offset: String(middle),
    },
    { label: 'name + version range', body: [{ name, version: '~1.0.1' }] },
    { label: 'union of two names', body: [{ name }, { name: artifactName(1) }] },
  ];
}

async function fillSqlite(file, rowOf, from, to) {
  const db = new SqliteDatabase(file);
  try {
    const columns = Object.keys(rowOf(0));
    const insert = db.prepare(
      `insert into artifacts (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
    );
    for (let start = from; start < to; start += BATCH) {
      db.transaction(() => {
        for (let i = start; i < Math.min(to, start + BATCH); i += 1) insert.run(rowOf(i));
      })();
    }
  } finally {
    db.close();
  }
}

const PG_TYPES = {
  version_major: 'bigint',
  version_minor: 'bigint',
  version_patch: 'bigint',
  version_prerelease: 'integer',
  package_size: 'bigint',
  created_at: 'bigint',
  updated_at: 'bigint',
};

async function fillPostgres(url, rowOf, from, to) {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const columns = Object.keys(rowOf(0));
    const arrays = columns.map((c, n) => `$${n + 1}::${PG_TYPES[c] ?? 'text'}[]`);
    const statement = `insert into artifacts (${columns.join(', ')}) select * from unnest(${arrays.join(', ')})`;
    for (let start = from; start < to; start += BATCH) {
      const rows = [];
      for (let i = start; i < Math.min(to, start + BATCH); i += 1) rows.push(rowOf(i));
      await client.query(
        statement,
        columns.map((c) => rows.map((row) => row[c])),
      );
    }
    // Autovacuum analyses a table after such a change; do it now rather than wait for it.
    await client.query('analyze artifacts');
  } finally {
    await client.end();
  }
}

/** The SQL the store runs for a query, compiled by the store's own query builder. */
async function storeSql(dialect, query, pageSize) {
  const { artifactPageQuery } = await dist('storage/metadata/artifact-filter.js');
  const { parseVersionQuery } = await dist('search/versions.js');
  const compiler = new Kysely({
    dialect: {
      createAdapter: () => (dialect === 'sqlite' ? new SqliteAdapter() : new PostgresAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: () => null,
      createQueryCompiler: () =>
        dialect === 'sqlite' ? new SqliteQueryCompiler() : new PostgresQueryCompiler(),
    },
  });
  const specs = query.body.map((input) => ({
    ...input,
    ...(input.version ? { version: parseVersionQuery(input.version) } : {}),
  }));
  return artifactPageQuery(compiler, specs, Number(query.offset ?? 0), pageSize + 1).compile();
}

async function explain(db, env, query) {
  const { sql, parameters } = await storeSql(db, query, 100);
  if (db === 'sqlite') {
    const sqlite = new SqliteDatabase(join(env.DATA_DIR, 'registry.db'), { readonly: true });
    try {
      return sqlite
        .prepare(`explain query plan ${sql}`)
        .all(...parameters)
        .map((row) => row.detail);
    } finally {
      sqlite.close();
    }
  }
  const client = new pg.Client(env.DATABASE_URL);
  await client.connect();
  try {
    const { rows } = await client.query(
      `explain (analyze, costs off, timing off, summary off) ${sql}`,
      parameters,
    );
    return rows.map((row) => row['QUERY PLAN']);
  } finally {
    await client.end();
  }
}

async function pageTime(registry, query) {
  const url = `${registry.baseUrl}/artifacts${query.offset ? `?offset=${query.offset}` : ''}`;
  const token = await registry.tokens.next();
  const start = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'X-Authorization': token, 'Content-Type': 'application/json' },
    body: JSON.stringify(query.body),
  });
  const items = await response.json();
  if (response.status !== 200)
    throw new Error(`POST /artifacts -> ${response.status}: ${JSON.stringify(items)}`);
  return { ms: performance.now() - start, items: items.length };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A migrated registry database of `size` artifacts, and the environment that points a server at it. */
async function filledDatabase(db, size) {
  const combo = db === 'pg' ? 'pg-fs' : 'sqlite-fs';
  const env = { DATA_DIR: await tempDir(`enumerate-${db}-${size}`), ...(await storageEnv(combo)) };
  // Several registry schemas coexist here: name each one, or Kysely's migrator, which looks for
  // its bookkeeping tables in every schema, finds another registry's and skips creating its own.
  const schema =
    env.DATABASE_URL && /search_path=(\w+)/.exec(new URL(env.DATABASE_URL).searchParams.get('options'));
  if (schema) env.DATABASE_SCHEMA = schema[1];
  const { createMetadataStore } = await dist('storage/metadata/index.js');
  const { loadConfig } = await dist('config.js');
  const { artifactToRow } = await dist('storage/metadata/rows.js');
  const store = await createMetadataStore(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
  await store.migrate();
  await store.close();
  const now = new Date();
  const rowOf = (i) => artifactToRow(record(i, now));
  const start = performance.now();
  if (db === 'sqlite') await fillSqlite(join(env.DATA_DIR, 'registry.db'), rowOf, 0, size);
  else await fillPostgres(env.DATABASE_URL, rowOf, 0, size);
  console.log(`${db}: filled ${size} artifacts in ${round((performance.now() - start) / 1000, 1)} s`);
  return { combo, env };
}

/**
 * One registry per size, all running at once, asked in interleaved rounds (every query at every
 * size, then again): load from elsewhere on the machine then falls on all sizes alike, so their
 * ratios hold even when absolute times drift.
 */
async function benchDatabase(db) {
  const databases = [];
  for (const size of SIZES) databases.push({ size, ...(await filledDatabase(db, size)) });
  const registries = [];
  for (const { combo, env } of databases) registries.push(await startRegistry(combo, env, { reset: false }));
  const asked = SIZES.map((size) => queries(size));
  const times = SIZES.map(() => asked[0].map(() => []));
  const items = SIZES.map(() => asked[0].map(() => 0));
  for (let round = -5; round < REQUESTS; round += 1) {
    for (let q = 0; q < asked[0].length; q += 1) {
      for (let s = 0; s < SIZES.length; s += 1) {
        const { ms, items: count } = await pageTime(registries[s], asked[s][q]);
        // The first rounds warm caches and are not counted.
        if (round >= 0) times[s][q].push(ms);
        items[s][q] = count;
      }
    }
  }
  const bySize = SIZES.map((size, s) => ({
    size,
    figures: asked[s].map((query, q) => ({
      query: query.label,
      items: items[s][q],
      medianMs: round(median(times[s][q])),
    })),
  }));
  const largest = databases.at(-1);
  bySize.at(-1).plans = await Promise.all(asked.at(-1).map((query) => explain(db, largest.env, query)));
  return { db, bySize };
}

function report(runs) {
  const smallest = SIZES[0];
  for (const { db, bySize } of runs) {
    console.log(`\n${db}: median page time (ms) and ratio to ${smallest} artifacts`);
    console.log(`query                          ${SIZES.map((s) => String(s).padStart(16)).join('')}`);
    const base = bySize[0].figures;
    for (const [n, row] of base.entries()) {
      const cells = bySize.map(({ figures }) => {
        const ms = figures[n].medianMs;
        return `${ms} (${round(ms / row.medianMs)}x)`.padStart(16);
      });
      console.log(`${row.query.padEnd(30)} ${cells.join('')}`);
    }
    const largest = bySize.at(-1);
    console.log(`\n${db}: plans at ${largest.size} artifacts`);
    for (const [n, plan] of largest.plans.entries()) {
      console.log(`- ${largest.figures[n].query}:\n    ${plan.join('\n    ')}`);
    }
  }
}

runMain(async () => {
  await buildRegistry();
  const runs = [];
  for (const db of DATABASES) runs.push(await scoped(() => benchDatabase(db)));
  report(runs);
  await writeResult('enumerate', { sizes: SIZES, requests: REQUESTS, runs });
});
