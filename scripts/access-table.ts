import type { Access, RouteAccess } from '../src/http/access.js';

/** docs/security.md's permission table lies between these markers; `npm run docs:security` rewrites it. */
const START = '<!-- permission table: generated from the route definitions by `npm run docs:security` -->';
const END = '<!-- end of permission table -->';

const WHO: Record<string, string> = {
  public: 'anyone, no token',
  authenticated: 'any signed-in user',
  'self-or-admin': 'the user named in the path, or an admin',
  'uploader-or-admin': 'the user who uploaded the artifact, or an admin',
  admin: 'admins only',
};

function who(access: Access | null): string {
  if (access === null) return '**undeclared** (admins only)';
  if (typeof access !== 'string') return `\`${access.join('` or `')}\` (or an admin)`;
  return WHO[access] ?? `\`${access}\` (or an admin)`;
}

/** One row per documented route (methods of one path and access together), in path order. */
export function renderAccessTable(routes: RouteAccess[]): string {
  const rows = new Map<string, { methods: string[]; url: string; access: Access | null }>();
  for (const route of routes.filter((r) => r.documented)) {
    const key = `${route.url} ${JSON.stringify(route.access)}`;
    const row = rows.get(key) ?? { methods: [], url: route.url, access: route.access };
    if (!row.methods.includes(route.method)) row.methods.push(route.method);
    rows.set(key, row);
  }
  const lines = [...rows.values()]
    .sort((a, b) => a.url.localeCompare(b.url) || String(a.methods[0]).localeCompare(String(b.methods[0])))
    .map((row) => `| ${row.methods.sort().join(', ')} | \`${row.url}\` | ${who(row.access)} |`);
  return ['| method | path | who may call it |', '| --- | --- | --- |', ...lines].join('\n');
}

/** The table as docs/security.md has it now; null when the markers are missing. */
export function docAccessTable(doc: string): string | null {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) return null;
  return doc.slice(start + START.length, end).trim();
}

/** docs/security.md with the table regenerated between the markers. */
export function withAccessTable(doc: string, table: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/security.md lacks the markers ${START} ... ${END}`);
  return `${doc.slice(0, start + START.length)}\n\n${table}\n\n${doc.slice(end)}`;
}
