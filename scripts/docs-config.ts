import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigTable } from './config-table.js';

/** `npm run docs:config`: rewrite README.md's configuration table from the configuration schema. */
const readmePath = new URL('../README.md', import.meta.url);
writeFileSync(readmePath, withConfigTable(readFileSync(readmePath, 'utf8')));
