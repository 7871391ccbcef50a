import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { renderAccessTable, withAccessTable } from './access-table.js';

/** `npm run docs:security`: rewrite docs/security.md's permission table from the app's route table. */
const dataDir = await mkdtemp(join(tmpdir(), 'modelguard-docs-'));
const app = await buildApp(
  loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PASSWORD_SCRYPT_LOG2_N: '10' }),
);
await app.ready();
const docPath = new URL('../docs/security.md', import.meta.url);
writeFileSync(docPath, withAccessTable(readFileSync(docPath, 'utf8'), renderAccessTable(app.routeAccess())));
await app.close();
await rm(dataDir, { recursive: true, force: true });
