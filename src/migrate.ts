import { loadConfig } from './config.js';
import { createMetadataStore } from './storage/metadata/index.js';

/**
 * Bring the database schema up to date and exit (`npm run migrate`). The app also migrates on
 * every start, so this is only for operators who want schema changes to happen before a
 * rollout, not during it.
 */
const store = await createMetadataStore(loadConfig());
try {
  await store.migrate();
  console.log(`${store.kind} schema is up to date`);
} finally {
  await store.close();
}
