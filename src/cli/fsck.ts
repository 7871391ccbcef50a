import { loadConfig } from '../config.js';
import { type ConsistencyReport, checkConsistency } from '../services/consistency-check.js';
import { createBlobStore } from '../storage/blobs/index.js';
import { createMetadataStore } from '../storage/metadata/index.js';
import type { FsckOptions } from './commands/fsck.js';
import { CliError, EXIT } from './exit-codes.js';
import { humanBytes, note, type Output, paint, print, printJson, table } from './output.js';

/**
 * `modelguard fsck` (and `npm run fsck`): the consistency check over the storage the registry's
 * own configuration names. Exit 0 when consistent, EXIT.inconsistent when a problem remains.
 */
export async function runFsck(options: FsckOptions, env: NodeJS.ProcessEnv, out: Output): Promise<number> {
  const graceSeconds = Number(options.grace);
  if (options.grace.trim() === '' || !Number.isFinite(graceSeconds) || graceSeconds < 0) {
    throw new CliError(`--grace must be a number of seconds, not "${options.grace}"`, EXIT.usage);
  }
  const config = loadConfig(env);
  const store = await createMetadataStore(config);
  try {
    await store.migrate();
    const report = await checkConsistency(store, await createBlobStore(config), {
      repair: options.repair === true,
      graceMs: graceSeconds * 1000,
      verifyDigests: options.sizesOnly !== true,
    });
    if (out.json) printJson(out, report);
    else describe(out, report);
    return report.ok ? EXIT.ok : EXIT.inconsistent;
  } finally {
    await store.close();
  }
}

function describe(out: Output, report: ConsistencyReport): void {
  note(
    out,
    `Checked ${report.artifacts} artifacts and ${report.stagedCommands} staged commands naming ${report.packages} packages; ${report.blobs} blobs stored (${report.aspectPackages} aspect packages).`,
  );
  if (report.packageProblems.length > 0) {
    print(
      out,
      table(
        ['PROBLEM', 'PACKAGE', 'SIZE', 'STORED', 'ARTIFACTS'],
        report.packageProblems.map((problem) => [
          problem.problem,
          problem.digest,
          problem.size,
          problem.storedDigest ?? (problem.storedSize === undefined ? '-' : humanBytes(problem.storedSize)),
          problem.artifacts
            .map((artifact) => `${artifact.type}/${artifact.id} (${artifact.name})`)
            .join(', '),
        ]),
      ),
    );
  }
  const collected = new Set(report.collected.map((orphan) => orphan.digest));
  const orphans = [
    ...report.orphans.map((orphan) => ({
      ...orphan,
      state: collected.has(orphan.digest) ? 'collected' : 'orphan',
    })),
    ...report.recentOrphans.map((orphan) => ({ ...orphan, state: 'recent (may be in flight)' })),
  ];
  if (orphans.length > 0) {
    print(
      out,
      table(
        ['ORPHAN BLOB', 'SIZE', 'MODIFIED', 'STATE'],
        orphans.map((orphan) => [orphan.digest, orphan.size, orphan.modifiedAt, orphan.state]),
      ),
    );
  }
  const left = report.orphans.length - report.collected.length;
  if (report.ok) note(out, paint(out, 'green', 'Consistent.'));
  else {
    const problems = [
      `${report.packageProblems.length} package problems`,
      `${left} orphan blobs${left > 0 ? ' (collect them with --repair)' : ''}`,
    ];
    note(out, paint(out, 'red', `Inconsistent: ${problems.join(', ')}.`));
  }
}
