#!/usr/bin/env node
/**
 * Memory benchmark: uploads then downloads a 1 GB package while sampling the server's resident
 * memory, to show packages stream instead of being buffered (targets: idle <= 90 MB, transfer
 * peak <= idle + 40 MB).
 * Usage: node bench/rss.mjs [--combo sqlite-fs] [--size-mib 1024]
 */
import { parseArgs } from 'node:util';
import { runMain } from './lib/cleanup.mjs';
import { fastGet } from './lib/fast-get.mjs';
import { buildLargePackage } from './lib/models.mjs';
import { tempDir } from './lib/proc.mjs';
import { DOWNLOAD_PATH, uploadModel } from './lib/registry-client.mjs';
import { writeResult } from './lib/results.mjs';
import { sampleRss } from './lib/rss-sampler.mjs';
import { buildRegistry, startRegistry } from './lib/server.mjs';

/** Issue 15: an idle process of at most 90 MB, and a 1 GiB transfer adding at most 40 MB to it. */
const TARGET = { idleMB: 90, transferOverIdleMB: 40 };
const MIB = 1024 * 1024;
const SETTLE_MS = 5000;

const { values: flags } = parseArgs({
  options: {
    combo: { type: 'string', default: process.env.BENCH_COMBO ?? 'sqlite-fs' },
    'size-mib': { type: 'string', default: '1024' },
  },
});

/** Runs one phase, returning `{ ok, seconds, error? }` instead of throwing. */
async function timed(work) {
  const started = Date.now();
  try {
    const value = await work();
    return { ok: true, seconds: (Date.now() - started) / 1000, value };
  } catch (error) {
    return { ok: false, seconds: (Date.now() - started) / 1000, error: error.message };
  }
}

runMain(async () => {
  const dir = await tempDir('rss');
  const sizeBytes = Number(flags['size-mib']) * MIB;
  console.log(`writing a ${flags['size-mib']} MiB package to ${dir}`);
  const pkg = await buildLargePackage(dir, sizeBytes);
  await buildRegistry();
  const registry = await startRegistry(flags.combo);
  const memory = sampleRss(registry.pid, 100);

  // Start-up ends with a reset and a sign-in (scrypt); the process is idle once that has settled.
  await memory.phase('settling');
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  await memory.phase('idle');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // Signing in hashes the password with scrypt (128 MiB for a moment, OWASP's parameters): its
  // own phase, so the upload and download phases measure the transfer only.
  await memory.phase('sign-in');
  await registry.tokens.next();
  await memory.phase('upload');
  const upload = await timed(() => uploadModel(registry.baseUrl, registry.tokens, pkg.name, pkg.path));
  await memory.phase('download');
  const download = upload.ok
    ? await timed(async () => {
        const headers = { 'X-Authorization': await registry.tokens.next() };
        const got = await fastGet(registry.baseUrl + DOWNLOAD_PATH(upload.value), { headers, hash: true });
        if (got.status !== 200) throw new Error(`HTTP ${got.status}`);
        if (got.sha256 !== pkg.sha256) throw new Error(`SHA-256 mismatch after ${got.bytes} bytes`);
        return got.bytes;
      })
    : { ok: false, skipped: true };
  await memory.stop();

  const phases = memory.report();
  for (const [name, figures] of Object.entries(phases)) {
    console.log(
      `${name.padEnd(8)} peak VmRSS ${figures.peakRssMB.toFixed(1)} MB, VmHWM ${figures.vmHwmMB.toFixed(1)} MB`,
    );
  }
  for (const [name, outcome] of Object.entries({ upload, download })) {
    console.log(
      `${name}: ${outcome.ok ? `ok in ${outcome.seconds.toFixed(1)} s` : `FAILED ${outcome.error ?? ''}`}`,
    );
  }
  const idleMB = phases.idle?.peakRssMB ?? Number.NaN;
  const transferMB = Math.max(phases.upload?.peakRssMB ?? 0, phases.download?.peakRssMB ?? 0);
  console.log(
    `idle ${idleMB.toFixed(1)} MB (target <= ${TARGET.idleMB}); transfer peak ${transferMB.toFixed(1)} MB = idle + ` +
      `${(transferMB - idleMB).toFixed(1)} MB (target <= idle + ${TARGET.transferOverIdleMB})`,
  );
  if (!upload.ok || !download.ok) console.error(registry.output());

  await writeResult('rss', {
    combo: flags.combo,
    package: { bytes: pkg.size, sha256: pkg.sha256 },
    target: TARGET,
    transferOverIdleMB: transferMB - idleMB,
    phases,
    upload: { ok: upload.ok, seconds: upload.seconds, error: upload.error },
    download: {
      ok: download.ok,
      seconds: download.seconds,
      error: download.error,
      skipped: download.skipped,
    },
  });
  return upload.ok && download.ok ? 0 : 1;
});
