#!/usr/bin/env node
import { join } from 'node:path';
/**
 * Rating benchmark: rates every fixture model through GET /artifact/model/{id}/rate against the
 * fixture Hugging Face and GitHub servers (target: under 2 s each, cold), and records every
 * metric of every model for the calibration table in docs/metrics.md.
 * Usage: node bench/rating.mjs   (BENCH_SKIP_BUILD=1 benches the dist/ already built)
 */
import { performance } from 'node:perf_hooks';
import { runMain, scoped } from './lib/cleanup.mjs';
import { freePort, PROJECT_ROOT, startChild, waitUntil } from './lib/proc.mjs';
import { writeResult } from './lib/results.mjs';
import { buildRegistry, startRegistry } from './lib/server.mjs';

const TARGET_SECONDS = 2;
/** The fixture hub's token that opens its gated repo, so that one is rated too. */
const FIXTURE_HF_TOKEN = 'hf_fixture_granted_access';

/** `npm run fixtures` on free ports; resolves with the hub's model ids, in the order it lists them. */
async function startFixtureServers() {
  const [hfPort, githubPort] = [await freePort(), await freePort()];
  const fixtures = startChild(
    'fixture servers',
    join(PROJECT_ROOT, 'node_modules/.bin/tsx'),
    ['scripts/fixtures.ts'],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, HF_FIXTURE_PORT: String(hfPort), GITHUB_FIXTURE_PORT: String(githubPort) },
    },
  );
  await waitUntil('fixture servers', async () => fixtures.output().includes('Press Ctrl+C'), {
    child: fixtures,
  });
  const listing = fixtures.output();
  const models = listing
    .slice(listing.indexOf('Models:'), listing.indexOf('Datasets:'))
    .split('\n')
    .map((line) => line.trim().replace('https://huggingface.co/', ''))
    .filter((line) => line !== '' && line !== 'Models:');
  return {
    models,
    env: {
      HF_ENDPOINT: `http://127.0.0.1:${hfPort}`,
      GITHUB_API_URL: `http://127.0.0.1:${githubPort}`,
      HF_TOKEN: FIXTURE_HF_TOKEN,
      // A fresh registry per model: without a token the fixture's 60 requests an hour run out.
      GITHUB_TOKEN: 'ghp_fixture_token',
      // Every model is stored, so each can be rated; with the gate off nothing is rated at ingest.
      GATE_ENABLED: 'false',
    },
  };
}

async function call(registry, method, path, json) {
  const started = performance.now();
  const response = await fetch(registry.baseUrl + path, {
    method,
    headers: {
      'X-Authorization': await registry.tokens.next(),
      ...(json ? { 'Content-Type': 'application/json' } : {}),
    },
    body: json ? JSON.stringify(json) : undefined,
  });
  const text = await response.text();
  const seconds = (performance.now() - started) / 1000;
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, body, seconds };
}

async function ingest(registry, model) {
  const created = await call(registry, 'POST', '/artifact/model', { url: `https://huggingface.co/${model}` });
  if (created.status !== 201)
    return { error: `ingest answered ${created.status}: ${created.body?.message ?? created.body}` };
  return { id: created.body.metadata.id };
}

/** One /rate call: its wall time, and the rating's own timings. */
async function rateOnce(registry, id) {
  const rated = await call(registry, 'GET', `/artifact/model/${id}/rate`);
  if (rated.status !== 200)
    return {
      wallSeconds: rated.seconds,
      error: `rate answered ${rated.status}: ${rated.body?.message ?? rated.body}`,
    };
  const rating = rated.body;
  const metricLatencySum = Object.entries(rating)
    .filter(([field]) => field.endsWith('_latency') && field !== 'net_score_latency')
    .reduce((sum, [, seconds]) => sum + seconds, 0);
  return {
    wallSeconds: rated.seconds,
    netScoreLatency: rating.net_score_latency,
    metricLatencySum,
    concurrent: metricLatencySum > rating.net_score_latency,
    rating,
  };
}

/** Cold: a fresh registry process per model (no kept rating, empty HTTP caches), only that model stored. */
async function coldRun(model) {
  return scoped(async () => {
    const registry = await startRegistry('sqlite-fs');
    const stored = await ingest(registry, model);
    if (stored.error) return { model, error: stored.error };
    return { model, ...(await rateOnce(registry, stored.id)) };
  });
}

/**
 * Calibration: one registry holding every model, rated in the fixture order, so a parent listed
 * before its children (bert-base-uncased) is rated when their tree_score is computed.
 */
async function calibrationRun(models) {
  return scoped(async () => {
    const registry = await startRegistry('sqlite-fs');
    const stored = [];
    for (const model of models) stored.push({ model, ...(await ingest(registry, model)) });
    const rated = [];
    for (const entry of stored) {
      if (entry.error) rated.push(entry);
      else {
        const { rating, error } = await rateOnce(registry, entry.id);
        rated.push(error ? { model: entry.model, error } : { model: entry.model, rating });
      }
    }
    return rated;
  });
}

const seconds = (value) => (value === undefined ? '-' : value.toFixed(3));

runMain(async () => {
  await buildRegistry();
  const fixtures = await startFixtureServers();
  Object.assign(process.env, fixtures.env); // startRegistry passes its environment on

  const cold = [];
  for (const model of fixtures.models) cold.push(await coldRun(model));
  const calibration = await calibrationRun(fixtures.models);

  console.log('\ncold /rate, a fresh registry per model (seconds)');
  console.log(
    `${'model'.padEnd(36)} ${'wall'.padStart(7)} ${'net lat'.padStart(8)} ${'sum lat'.padStart(8)}`,
  );
  for (const run of cold) {
    const figures = `${seconds(run.wallSeconds).padStart(7)} ${seconds(run.netScoreLatency).padStart(8)} ${seconds(run.metricLatencySum).padStart(8)}`;
    console.log(`${run.model.padEnd(36)} ${figures}${run.error ? `  ${run.error}` : ''}`);
  }
  const rated = cold.filter((run) => !run.error);
  const slow = rated.filter((run) => run.wallSeconds >= TARGET_SECONDS);
  const sequential = rated.filter((run) => !run.concurrent);
  console.log(
    `target: every /rate under ${TARGET_SECONDS} s: ${slow.length === 0 ? 'met' : `missed by ${slow.map((r) => r.model).join(', ')}`}`,
  );
  console.log(
    `metric latencies add up to more than net_score_latency: ${sequential.length === 0 ? 'yes, for every model' : `no for ${sequential.map((r) => r.model).join(', ')}`}`,
  );

  await writeResult('rating', {
    targetSeconds: TARGET_SECONDS,
    cold: cold.map(({ rating, ...run }) => run),
    calibration,
  });
  return slow.length === 0 && sequential.length === 0 ? 0 : 1;
});
