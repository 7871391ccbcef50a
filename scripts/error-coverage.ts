import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type ErrorSite, errorSites, type FileCoverage, wasProduced } from './error-catalog.js';

/**
 * `npm test`'s last step: lists every error the registry can answer with (each construction of
 * RegistryError or a subclass in src/, with its message template), marks the ones the suite
 * produced (their `new` ran, read off the coverage report of the whole suite), prints the ones it
 * did not, and fails below the required share.
 */
const REQUIRED_SHARE = 0.8;
const root = resolve(import.meta.dirname, '..');
const reportPath = resolve(root, process.argv[2] ?? 'coverage/all/coverage-final.json');

const files = sourceFiles(join(root, 'src')).map((path) => ({
  path: relative(root, path),
  text: readFileSync(path, 'utf8'),
}));
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Record<string, FileCoverage>;
const coverageOf = (site: ErrorSite) => report[join(root, site.file)];

const sites = errorSites(files);
const untested = sites.filter((site) => !wasProduced(site, coverageOf(site)));
const share = (sites.length - untested.length) / sites.length;

console.log(`\nErrors not produced by the suite (${untested.length}):`);
for (const site of untested) console.log(`  ${site.file}:${site.line}  ${site.errorClass}  ${site.template}`);
console.log(
  `Error messages produced by the suite: ${sites.length - untested.length} of ${sites.length} ` +
    `(${(100 * share).toFixed(1)}%, required ${100 * REQUIRED_SHARE}%)`,
);
if (share < REQUIRED_SHARE) process.exitCode = 1;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}
