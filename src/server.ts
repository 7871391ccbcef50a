import { buildApp } from './app.js';
import { loadConfig } from './config.js';

/** Start the registry on HOST:PORT and shut down cleanly on SIGINT/SIGTERM. */
const config = loadConfig();
const app = await buildApp(config);
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
