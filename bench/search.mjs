#!/usr/bin/env node
/**
 * Search at scale: a registry holding 100,000 artifacts (generated names and 2-10 KB model cards,
 * bench/lib/cards.mjs), filled through the metadata store, then byName, a selective regex and a
 * broad regex over HTTP, each against ripgrep searching the same text (one file per artifact:
 * its name, a newline, its card) in the same run. Patterns the text index cannot narrow (no
 * substring required) and a hostile one are run too, to show they stay bounded by the deadline.
 * Usage: node bench/search.mjs [--count 100000] [--db sqlite|pg] [--runs 5]
 *        (BENCH_SKIP_BUILD=1: use dist/ as built)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { artifactName, generateCards, MARKERS } from './lib/cards.mjs';
import { runMain } from './lib/cleanup.mjs';
import { storageEnv } from './lib/combos.mjs';
import { PROJECT_ROOT, tempDir } from './lib/proc.mjs';
import { writeResult } from './lib/results.mjs';
import { buildRegistry, startRegistry } from './lib/server.mjs';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}
const COUNT = Number(option('count', '100000'));
const DB = option('db', 'sqlite');
const RUNS = Number(option('runs', '5'));
/** Artifacts inserted at once (PostgreSQL serves several connections; SQLite serialises anyway). */
const FILL_CONCURRENCY = DB === 'pg' ? 8 : 1;

const dist = (path) => import(pathToFileURL(join(PROJECT_ROOT, 'dist', path)).href);

/** ripgrep when installed (Debian package `ripgrep`), else grep -E as a slower stand-in. */
function referenceTool() {
  if (spawnSync('rg', ['--version']).status === 0)
    return { name: 'ripgrep', command: 'rg', args: ['-l', '--no-messages'] };
  console.warn('ripgrep (rg) is not installed: comparing with grep -E -r -l instead');
  return { name: 'grep -E', command: 'grep', args: ['-E', '-r', '-l'] };
}

/** Queries, each as the registry request and the equivalent reference search. */
function queries(name) {
  return [
    { label: 'byName', kind: 'name', value: name, reference: ['-x', '-F', '-e', name] },
    { label: 'selective regex', kind: 'regex', value: 'quantum[- ]entangle[a-z]*', goal: 1 },
    { label: 'broad regex', kind: 'regex', value: '(?i)license: cc-by-nc-\\d\\.0', goal: 3 },
    // No substring of three characters is required: the text index cannot help, the scan is full.
    { label: 'unindexed regex', kind: 'regex', value: '[a-z]{3}q[0-9]', bounded: true },
    // Many states per character on every text: stopped at the deadline.
    { label: 'hostile regex', kind: 'regex', value: '(?:\\w+\\s?){15}qz', bounded: true },
  ].map((query) => ({
    ...query,
    reference: query.reference ?? ['-e', query.value],
  }));
}

async function fill(store, cardsDir) {
  const now = new Date();
  const pending = new Set();
  let i = 0;
  for (const card of generateCards(COUNT)) {
    const id = `a${i}`;
    const dir = join(cardsDir, String(Math.floor(i / 1000)));
    if (i % 1000 === 0) await mkdir(dir, { recursive: true });
    const insert = Promise.all([
      writeFile(join(dir, `${id}.txt`), `${card.name}\n${card.readme}`),
      store.insertArtifact({
        id,
        type: 'model',
        name: card.name,
        sourceUrl: `upload:${card.name}`,
        version: null,
        packageDigest: '0'.repeat(64),
        packageSize: 1,
        facts: { files: [], readme: card.readme, configJson: null },
        sourceMetadata: { kind: 'upload' },
        createdBy: 'bench',
        createdAt: now,
        updatedAt: now,
      }),
    ]);
    pending.add(insert);
    insert.finally(() => pending.delete(insert));
    if (pending.size >= FILL_CONCURRENCY) await Promise.race(pending);
    i += 1;
    if (i % 10_000 === 0) console.log(`  filled ${i}`);
  }
  await Promise.all(pending);
}

async function registrySearch(registry, query) {
  const token = await registry.tokens.next();
  const headers = { 'X-Authorization': token, 'Content-Type': 'application/json' };
  const start = performance.now();
  const response =
    query.kind === 'name'
      ? await fetch(`${registry.baseUrl}/artifact/byName/${encodeURIComponent(query.value)}`, { headers })
      : await fetch(`${registry.baseUrl}/artifact/byRegEx`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ regex: query.value }),
        });
  const body = await response.text();
  const ms = performance.now() - start;
  const found = response.status === 200 ? JSON.parse(body).length : null;
  return { ms, status: response.status, found };
}

function referenceSearch(tool, query, cardsDir) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(tool.command, [...tool.args, ...query.reference, cardsDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lines = 0;
    child.stdout.on('data', (chunk) => {
      for (const byte of chunk) if (byte === 10) lines += 1;
    });
    child.once('error', reject);
    // Exit status 1 means "no match", not a failure.
    child.once('exit', (code) => {
      if (code !== 0 && code !== 1) reject(new Error(`${tool.command} exited with ${code}`));
      else resolve({ ms: performance.now() - start, found: lines });
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

runMain(async () => {
  await buildRegistry();
  const tool = referenceTool();
  const combo = DB === 'pg' ? 'pg-fs' : 'sqlite-fs';
  const env = { DATA_DIR: await tempDir('search-data'), ...(await storageEnv(combo)) };
  const cardsDir = await tempDir('search-cards');

  const { createMetadataStore } = await dist('storage/metadata/index.js');
  const { loadConfig } = await dist('config.js');
  const store = await createMetadataStore(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
  await store.migrate();
  console.log(`filling ${COUNT} artifacts (${DB}) and their text files for ${tool.name} ...`);
  const fillStart = performance.now();
  await fill(store, cardsDir);
  const fillSeconds = round((performance.now() - fillStart) / 1000);
  await store.close();
  console.log(`filled in ${fillSeconds} s`);

  const registry = await startRegistry(combo, env, { reset: false });
  const results = [];
  for (const query of queries(artifactName(Math.floor(COUNT / 2)))) {
    // One untimed round each: caches warm, the regex worker started.
    await registrySearch(registry, query);
    await referenceSearch(tool, query, cardsDir);
    const registryRuns = [];
    const referenceRuns = [];
    for (let run = 0; run < RUNS; run += 1) {
      registryRuns.push(await registrySearch(registry, query));
      referenceRuns.push(await referenceSearch(tool, query, cardsDir));
    }
    const registryMs = median(registryRuns.map((r) => r.ms));
    const referenceMs = median(referenceRuns.map((r) => r.ms));
    const result = {
      query: query.label,
      pattern: query.value,
      status: registryRuns[0].status,
      registryFound: registryRuns[0].found,
      referenceFound: referenceRuns[0].found,
      registryMs: round(registryMs),
      referenceMs: round(referenceMs),
      ratio: round(registryMs / referenceMs, 2),
      goal: query.goal ?? null,
    };
    results.push(result);
    console.log(JSON.stringify(result));
  }

  console.log(`\n${COUNT} artifacts on ${DB}, median of ${RUNS} runs; reference: ${tool.name}`);
  console.log('query              status  found (reg/ref)  registry ms  reference ms  ratio  goal');
  for (const r of results) {
    console.log(
      `${r.query.padEnd(18)} ${String(r.status).padStart(6)}  ${`${r.registryFound ?? '-'}/${r.referenceFound}`.padStart(15)}  ${String(r.registryMs).padStart(11)}  ${String(r.referenceMs).padStart(12)}  ${String(r.ratio).padStart(5)}  ${r.goal === null ? '' : `<= ${r.goal}`}`,
    );
  }
  const expected = Object.fromEntries(
    Object.entries(MARKERS).map(([key, marker]) => [key, marker.rate * COUNT]),
  );
  await writeResult(`search-${DB}`, {
    count: COUNT,
    db: DB,
    reference: tool.name,
    fillSeconds,
    expected,
    results,
  });
});
