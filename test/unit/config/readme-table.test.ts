import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmeConfigTable, renderConfigTable } from '../../../scripts/config-table.js';
import { configSettings } from '../../../src/config.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe("README's configuration table", () => {
  it('is the one generated from the configuration schema (npm run docs:config)', () => {
    expect(readmeConfigTable(readme)).toBe(renderConfigTable());
  });

  it('has one row per setting, each variable once', () => {
    const variables = configSettings().map(({ schema }) => schema.env);
    expect(new Set(variables).size).toBe(variables.length);
    for (const variable of variables) expect(renderConfigTable()).toContain(`| \`${variable}\``);
  });
});
