import cluster from 'node:cluster';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { createRegistry } from './registry.js';
import { describeSweep, finishInterruptedReset, sweepOrphansAtStart } from './services/startup-sweep.js';

/**
 * Starts the registry on HOST:PORT (entered through src/server.ts). With WORKERS > 1 the primary prepares the storage once
 * (migrations, default admin) and forks that many workers sharing the port, so downloads use
 * every core; state lives only in the stores, so workers need no coordination.
 */
const config = loadConfig();

if (config.workers > 1 && cluster.isPrimary) {
  const prepared = await createRegistry(config);
  if (await finishInterruptedReset(prepared.store, prepared.blobs)) {
    console.error(JSON.stringify({ msg: 'finished a reset interrupted by a crash' }));
  }
  // Before any worker exists: nothing is in flight, so a crash's leftovers can all go.
  const swept = describeSweep(await sweepOrphansAtStart(config, prepared.store, prepared.blobs));
  if (swept) console.error(JSON.stringify(swept));
  await prepared.close();
  for (let i = 0; i < config.workers; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(
      JSON.stringify({ msg: 'worker exited; starting a new one', pid: worker.process.pid, code, signal }),
    );
    setTimeout(() => cluster.fork(), 1000);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
      cluster.disconnect(() => process.exit(0));
    });
  }
} else {
  const app = await buildApp(config);
  // A worker's siblings may be mid-write: only the registry's only process sweeps.
  if (cluster.isPrimary) {
    if (await finishInterruptedReset(app.registry.store, app.registry.blobs)) {
      app.log.warn('finished a reset interrupted by a crash');
    }
    const swept = describeSweep(await sweepOrphansAtStart(config, app.registry.store, app.registry.blobs));
    if (swept) app.log.warn(swept);
  }
  await app.listen({ host: config.host, port: config.port });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down');
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}
