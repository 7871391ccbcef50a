#!/usr/bin/env node
/**
 * Download benchmark: 100 clients repeatedly download a ~50 MB model (a Tiny-LLM stand-in)
 * from a registry holding 500 models, compared with nginx serving the same file from disk.
 * Usage: node bench/download.mjs [--combo sqlite-fs|pg-fs|sqlite-s3|pg-s3 | --all] [--accel]
 *          [--duration 20] [--clients 100] [--models 500] [--verify-every 20]
 * --accel puts nginx in front of the registry (X-Accel-Redirect) for the filesystem combinations.
 */
import { parseArgs } from 'node:util';
import { runMain, scoped } from './lib/cleanup.mjs';
import { COMBOS } from './lib/combos.mjs';
import { mapConcurrent } from './lib/concurrency.mjs';
import { fastGet } from './lib/fast-get.mjs';
import { runLoad } from './lib/load.mjs';
import { buildSmallModel, buildTinyLlm } from './lib/models.mjs';
import { ACCEL_PREFIX, startNginx, startNginxFront } from './lib/nginx.mjs';
import { startNodeStatic } from './lib/node-static.mjs';
import { tempDir } from './lib/proc.mjs';
import { DOWNLOAD_PATH, uploadModel } from './lib/registry-client.mjs';
import { writeResult } from './lib/results.mjs';
import { buildRegistry, startRegistry } from './lib/server.mjs';
import { formatRatios, formatTable, ratios, summarize } from './lib/stats.mjs';

const UPLOAD_CONCURRENCY = 8;

const { values: flags } = parseArgs({
  options: {
    combo: { type: 'string', default: process.env.BENCH_COMBO ?? 'sqlite-fs' },
    all: { type: 'boolean', default: false },
    duration: { type: 'string', default: process.env.BENCH_DURATION_S ?? '20' },
    clients: { type: 'string', default: process.env.BENCH_CLIENTS ?? '100' },
    models: { type: 'string', default: process.env.BENCH_MODELS ?? '500' },
    'verify-every': { type: 'string', default: '20' },
    accel: { type: 'boolean', default: false },
  },
});
const settings = {
  durationMs: Number(flags.duration) * 1000,
  clients: Number(flags.clients),
  models: Number(flags.models),
  verifyEvery: Number(flags['verify-every']),
};
const combos = flags.all ? COMBOS : [flags.combo];

async function measure(target, url, headersFor, tiny) {
  console.log(`${target}: ${settings.clients} clients for ${settings.durationMs / 1000} s`);
  const load = await runLoad({ url, headersFor, expected: tiny, ...settings });
  return { target, ...summarize(load) };
}

async function benchRegistry(combo, tiny, smallModels) {
  // --accel: the registry behind nginx, handing full downloads over by X-Accel-Redirect (fs only).
  const accel = flags.accel && combo.endsWith('-fs');
  const registry = await startRegistry(combo, accel ? { ACCEL_REDIRECT_PREFIX: ACCEL_PREFIX } : {});
  console.log(`${combo}: registry up at ${registry.baseUrl}; uploading ${smallModels.length + 1} models`);
  const started = Date.now();
  const id = await uploadModel(registry.baseUrl, registry.tokens, tiny.name, tiny.path);
  await mapConcurrent(smallModels, UPLOAD_CONCURRENCY, (model) =>
    uploadModel(registry.baseUrl, registry.tokens, model.name, model.path),
  );
  console.log(`${combo}: uploads took ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const front = accel
    ? await startNginxFront({ upstreamPort: registry.port, dataDir: registry.dataDir })
    : null;
  const url = (front?.baseUrl ?? registry.baseUrl) + DOWNLOAD_PATH(id);
  const check = await fastGet(url, {
    headers: { 'X-Authorization': await registry.tokens.next() },
    hash: true,
  });
  if (check.status !== 200 || check.sha256 !== tiny.sha256) {
    throw new Error(
      `download check failed: HTTP ${check.status}, ${check.bytes} bytes, sha256 ${check.sha256}`,
    );
  }
  // All clients share the admin token source: sign-ins are rate-limited (60 a minute by default),
  // and one token serves 900 calls before it is renewed.
  const headersFor = async () => ({ 'X-Authorization': await registry.tokens.next() });
  return measure(`registry ${combo}${accel ? ' +nginx' : ''}`, url, headersFor, tiny);
}

async function benchNginx(dir, tiny) {
  const nginx = await startNginx(dir);
  return measure('nginx', `${nginx.baseUrl}/${tiny.name}.zip`, () => ({}), tiny);
}

/** A second reference: the bare Node streaming server, i.e. what any Node server could reach. */
async function benchNodeStatic(dir, tiny) {
  const server = await startNodeStatic(dir);
  return measure('node static', `${server.baseUrl}/${tiny.name}.zip`, () => ({}), tiny);
}

runMain(async () => {
  const dir = await tempDir('models');
  console.log(`building the Tiny-LLM stand-in and ${settings.models - 1} small models in ${dir}`);
  const tiny = await buildTinyLlm(dir);
  const indexes = Array.from({ length: settings.models - 1 }, (_, i) => i + 1);
  const smallModels = await mapConcurrent(indexes, UPLOAD_CONCURRENCY, (i) => buildSmallModel(dir, i));
  await buildRegistry();

  const registryRuns = [];
  for (const combo of combos) {
    try {
      registryRuns.push({ combo, summary: await scoped(() => benchRegistry(combo, tiny, smallModels)) });
    } catch (error) {
      console.error(`${combo} failed: ${error.message}`);
      registryRuns.push({ combo, error: error.message });
    }
  }
  const nginx = await scoped(() => benchNginx(dir, tiny));
  const nodeStatic = await scoped(() => benchNodeStatic(dir, tiny));

  const measured = registryRuns.filter((run) => run.summary);
  console.log(`\n${formatTable([...measured.map((run) => run.summary), nginx, nodeStatic])}`);
  console.log(formatRatios('node static/nginx', ratios(nodeStatic, nginx)));
  for (const run of measured) {
    const ratio = ratios(run.summary, nginx);
    console.log(formatRatios(`${run.combo}/nginx`, ratio));
    console.log(formatRatios(`${run.combo}/node static`, ratios(run.summary, nodeStatic)));
    await writeResult(`download-${run.combo}${flags.accel && run.combo.endsWith('-fs') ? '-accel' : ''}`, {
      combo: run.combo,
      settings,
      model: { name: tiny.name, bytes: tiny.size, sha256: tiny.sha256 },
      registry: run.summary,
      nginx,
      nodeStatic,
      ratioRegistryToNginx: ratio,
      ratioRegistryToNodeStatic: ratios(run.summary, nodeStatic),
    });
  }
  for (const run of registryRuns.filter((run) => run.error))
    console.error(`${run.combo} FAILED: ${run.error}`);
  return registryRuns.some((run) => run.error) ? 1 : 0;
});
