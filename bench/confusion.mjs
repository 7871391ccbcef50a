#!/usr/bin/env node
/**
 * Package-confusion audit benchmark: the audit over registries of 10k and 100k model names
 * (embedded SQLite), against comparing all pairs of names, which the audit's index avoids.
 * Names are generated: organisations x model families x sizes x variants, hub downloads
 * Zipf-distributed, and 1% imitations (look-alikes, edits, affixes) of popular models.
 * Usage: node bench/confusion.mjs [--sizes 10000,100000]   (BENCH_SKIP_BUILD=1: use dist/ as built)
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { random } from './lib/cards.mjs';
import { runMain } from './lib/cleanup.mjs';
import { PROJECT_ROOT, tempDir } from './lib/proc.mjs';
import { writeResult } from './lib/results.mjs';
import { buildRegistry } from './lib/server.mjs';

const sizesArg = process.argv.indexOf('--sizes');
const SIZES = (sizesArg > 0 ? process.argv[sizesArg + 1] : '10000,100000').split(',').map(Number);
/** Pairs compared by the naive baseline: a sample, extrapolated quadratically. */
const NAIVE_SAMPLE = 1000;

const dist = (path) => import(pathToFileURL(join(PROJECT_ROOT, 'dist', path)).href);

const FAMILIES = [
  'bert',
  'roberta',
  'gpt2',
  'llama',
  'whisper',
  't5',
  'vit',
  'resnet',
  'clip',
  'bart',
  'electra',
  'deberta',
  'phi',
  'qwen',
  'mistral',
  'falcon',
  'bloom',
  'opt',
  'xlm',
  'albert',
  'mpnet',
  'minilm',
  'bge',
  'e5',
];
const SIZES_WORDS = ['tiny', 'small', 'base', 'large', 'xl', '1b', '3b', '7b', '13b', '70b'];
const VARIANTS = [
  'uncased',
  'cased',
  'chat',
  'instruct',
  'squad',
  'imdb',
  'ner',
  'sentiment',
  'finetuned',
  'lora',
  'gguf',
  'awq',
  'code',
  'math',
  'legal',
  'medical',
  'multilingual',
  'distilled',
  'v1',
  'v2',
];

/** `count` distinct models; 1% imitate one of the 1000 most downloaded. */
function generateModels(count) {
  const next = random(count);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const models = [];
  const seen = new Set();
  while (models.length < count * 0.99) {
    const org = `org${Math.floor(next() * 5000)}`;
    const name = [
      pick(FAMILIES),
      pick(SIZES_WORDS),
      pick(VARIANTS),
      next() < 0.5 ? String(Math.floor(next() * 100)) : '',
    ]
      .filter(Boolean)
      .join('-');
    if (seen.has(`${org}/${name}`)) continue;
    seen.add(`${org}/${name}`);
    const rank = models.length + 1;
    models.push({ org, name, downloads: Math.floor(50_000_000 / rank ** 1.1) });
  }
  const popular = models.slice(0, 1000);
  const mutate = [
    (n) => n.replaceAll('-', '_'),
    (n) => `${n}-official`,
    (n) => n.replace('l', '1'),
    (n) => n.slice(0, 3) + n.slice(4),
    (n) => n.toUpperCase(),
  ];
  for (let i = 0; models.length < count; i += 1) {
    const target = pick(popular);
    models.push({ org: null, name: mutate[i % mutate.length](target.name), downloads: 0 });
  }
  return models;
}

async function seed(store, models) {
  const now = new Date();
  let i = 0;
  for (const model of models) {
    i += 1;
    await store.insertArtifact({
      id: `m${i}`,
      type: 'model',
      name: model.name,
      sourceUrl: model.org ? `https://huggingface.co/${model.org}/${model.name}` : `upload:${model.name}`,
      version: null,
      packageDigest: '0'.repeat(64),
      packageSize: 1,
      facts: { files: [], readme: null, configJson: null },
      sourceMetadata: model.org ? { kind: 'hf-model', downloads: model.downloads } : { kind: 'upload' },
      createdBy: 'bench',
      createdAt: now,
      updatedAt: now,
    });
  }
}

async function measure(size) {
  const { createMetadataStore } = await dist('storage/metadata/index.js');
  const { loadConfig } = await dist('config.js');
  const { ConfusionAudit } = await dist('services/confusion-audit.js');
  const { nameReasons } = await dist('services/confusion-names.js');
  const { identityOf } = await dist('services/confusion-audit.js');
  const store = await createMetadataStore(
    loadConfig({ DATA_DIR: await tempDir(`confusion-${size}`), LOG_LEVEL: 'silent' }),
  );
  await store.migrate();
  const models = generateModels(size);
  const seedStart = performance.now();
  await seed(store, models);
  const seedSeconds = (performance.now() - seedStart) / 1000;

  const rssBefore = process.memoryUsage().rss;
  const start = performance.now();
  const suspected = await new ConfusionAudit(store).run();
  const auditSeconds = (performance.now() - start) / 1000;
  const rssDelta = process.memoryUsage().rss - rssBefore;
  await store.close();

  // The naive alternative: every model against every other, on a sample, scaled by n².
  const sample = models.slice(0, NAIVE_SAMPLE).map((m) =>
    identityOf({
      name: m.name,
      sourceUrl: m.org ? `https://huggingface.co/${m.org}/${m.name}` : 'upload:x',
    }),
  );
  const naiveStart = performance.now();
  for (const a of sample) for (const b of sample) if (a !== b) nameReasons(a, b);
  const naiveSampleSeconds = (performance.now() - naiveStart) / 1000;
  const naiveSeconds = naiveSampleSeconds * (size / NAIVE_SAMPLE) ** 2;

  const imitations = models.filter((m) => m.org === null).length;
  return {
    models: size,
    imitations,
    suspected: suspected.length,
    seedSeconds: round(seedSeconds),
    auditSeconds: round(auditSeconds),
    microsecondsPerModel: round((auditSeconds * 1e6) / size),
    rssGrowthMB: round(rssDelta / 1e6),
    naiveAllPairsSecondsExtrapolated: round(naiveSeconds),
    naiveOverAudit: round(naiveSeconds / auditSeconds),
  };
}

function round(value) {
  return Math.round(value * 100) / 100;
}

runMain(async () => {
  await buildRegistry();
  const runs = [];
  for (const size of SIZES) {
    const figures = await measure(size);
    runs.push(figures);
    console.log(JSON.stringify(figures));
  }
  console.log(
    '\nmodels    audit s   us/model   naive all-pairs s (extrapolated)   naive / audit   suspected',
  );
  for (const r of runs) {
    console.log(
      `${String(r.models).padEnd(9)} ${String(r.auditSeconds).padStart(7)} ${String(r.microsecondsPerModel).padStart(10)} ${String(r.naiveAllPairsSecondsExtrapolated).padStart(34)} ${String(r.naiveOverAudit).padStart(15)} ${String(r.suspected).padStart(11)}`,
    );
  }
  if (runs.length > 1) {
    const [small, large] = [runs[0], runs.at(-1)];
    console.log(
      `\nscaling: ${large.models / small.models}x the models took ${round(large.auditSeconds / small.auditSeconds)}x the time (linear would be ${large.models / small.models}x)`,
    );
  }
  await writeResult('confusion', { runs });
});
