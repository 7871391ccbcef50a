import type { TSchema } from '@sinclair/typebox';
import { CONFIG_SCHEMA, configSettings } from '../src/config.js';

/** README.md's configuration table lies between these markers; `npm run docs:config` rewrites it. */
const START = '<!-- configuration table: generated from src/config.ts by `npm run docs:config` -->';
const END = '<!-- end of configuration table -->';

/** The configuration table, one row per setting of CONFIG_SCHEMA in declaration order. */
export function renderConfigTable(): string {
  const rows = configSettings(CONFIG_SCHEMA).map(({ schema }) => {
    const variable = schema.alias ? `\`${schema.env}\` (or \`${schema.alias}\`)` : `\`${schema.env}\``;
    const fallback = schema.shown ?? `\`${String(schema.default)}\``;
    return `| ${variable} | ${fallback} | ${schema.description}${choices(schema)} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The table as README.md has it now; null when the markers are missing. */
export function readmeConfigTable(readme: string): string | null {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return null;
  return readme.slice(start + START.length, end).trim();
}

/** README.md with the table regenerated between the markers. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${START} ... ${END}`);
  return `${readme.slice(0, start + START.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}

/** ": `a`, `b`" listing the names a setting accepts (a choice, a list, score pairs); empty for others. */
function choices(schema: TSchema): string {
  const options = (schema.anyOf ?? schema.items?.anyOf) as TSchema[] | undefined;
  const names = options?.every((option) => 'const' in option)
    ? options.map((option) => option.const as string)
    : schema.type === 'object'
      ? Object.keys(schema.properties ?? {})
      : [];
  return names.length > 0 ? `: ${names.map((name) => `\`${name}\``).join(', ')}` : '';
}
