import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { loadConfig } from '../../../src/config.js';
import type { ArtifactRecord } from '../../../src/domain/artifact.js';
import type { ConsistencyReport } from '../../../src/services/consistency-check.js';
import { createBlobStore } from '../../../src/storage/blobs/index.js';
import { createMetadataStore } from '../../../src/storage/metadata/index.js';
import { modelguard, tempDir } from './support.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let dataDir: Awaited<ReturnType<typeof tempDir>>;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  dataDir = await tempDir('modelguard-data-');
  env = { DATA_DIR: dataDir.path, LOG_LEVEL: 'silent' };
});
afterEach(() => dataDir.remove());

/** The registry's storage in DATA_DIR (SQLite + filesystem blobs), as `serve` would open it. */
async function storage() {
  const config = loadConfig(env);
  const store = await createMetadataStore(config);
  await store.migrate();
  const blobs = await createBlobStore(config);
  /** Stores `bytes` under `digest`, whatever they hash to. */
  const putBlob = async (digest: string, bytes: Buffer) => {
    const file = join(dataDir.path, `incoming-${randomBytes(4).toString('hex')}`);
    await writeFile(file, bytes);
    await blobs.delete(digest);
    await blobs.putFile(file, digest, bytes.length);
  };
  return { store, blobs, putBlob };
}

function record(id: string, name: string, bytes: Buffer): ArtifactRecord {
  const at = new Date('2026-11-30T00:00:00Z');
  return {
    id,
    type: 'model',
    name,
    sourceUrl: `upload:${name}`,
    version: null,
    packageDigest: sha256(bytes),
    packageSize: bytes.length,
    facts: { files: [], readme: null, configJson: null },
    sourceMetadata: {},
    createdBy: 'admin',
    createdAt: at,
    updatedAt: at,
  };
}

/** Two artifacts with their packages stored, then the store closed (fsck opens its own). */
async function seedRegistry() {
  const { store, putBlob, blobs } = await storage();
  const alpha = randomBytes(2000);
  const beta = randomBytes(3000);
  await store.insertArtifact(record('a1', 'alpha', alpha));
  await store.insertArtifact(record('b1', 'beta', beta));
  await putBlob(sha256(alpha), alpha);
  await putBlob(sha256(beta), beta);
  await store.close();
  return { alpha, beta, putBlob, blobs };
}

describe('modelguard fsck', () => {
  it('a consistent store: exit 0 and a summary', async () => {
    await seedRegistry();
    const run = await modelguard(['fsck'], { env });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'Checked 2 artifacts and 0 staged commands naming 2 packages; 2 blobs stored (0 aspect packages).\nConsistent.\n',
    );
  });

  it('a missing and a corrupt package: exit 7, each listed with the artifacts naming it', async () => {
    const { alpha, beta, blobs, putBlob } = await seedRegistry();
    await blobs.delete(sha256(alpha));
    const impostor = randomBytes(beta.length);
    await putBlob(sha256(beta), impostor);
    const run = await modelguard(['fsck'], { env });
    expect(run.code).toBe(EXIT.inconsistent);
    const rows = run.stdout
      .trimEnd()
      .split('\n')
      .slice(2)
      .map((line) => line.split(/\s{2,}/));
    expect(rows).toEqual(
      expect.arrayContaining([
        ['missing', sha256(alpha), '2000', '-', 'model/a1 (alpha)'],
        ['wrong-digest', sha256(beta), '3000', sha256(impostor), 'model/b1 (beta)'],
      ]),
    );
    expect(run.stderr).toContain('Inconsistent: 2 package problems, 0 orphan blobs.');

    // --sizes-only does not hash: the same-size impostor passes, the missing one does not.
    const sizes = await modelguard(['fsck', '--sizes-only', '--json'], { env });
    const report = JSON.parse(sizes.stdout) as ConsistencyReport;
    expect(report.packageProblems.map((problem) => problem.problem)).toEqual(['missing']);
    expect(sizes.code).toBe(EXIT.inconsistent);
  });

  it('a truncated package is a wrong size, shown with the stored size', async () => {
    const { beta, putBlob } = await seedRegistry();
    await putBlob(sha256(beta), beta.subarray(0, 1500));
    const run = await modelguard(['fsck'], { env });
    expect(run.code).toBe(EXIT.inconsistent);
    expect(run.stdout).toMatch(
      new RegExp(`wrong-size\\s+${sha256(beta)}\\s+3000\\s+1.5 kB\\s+model/b1 \\(beta\\)`),
    );
  });

  it('orphans: young ones are left alone, old ones are a problem until --repair collects them', async () => {
    const { putBlob, blobs } = await seedRegistry();
    const stray = randomBytes(100);
    await putBlob(sha256(stray), stray);

    const young = await modelguard(['fsck'], { env });
    expect(young.code).toBe(EXIT.ok);
    expect(young.stdout).toMatch(
      new RegExp(`${sha256(stray)}\\s+100\\s+\\S+\\s+recent \\(may be in flight\\)`),
    );

    const old = await modelguard(['fsck', '--grace', '0'], { env });
    expect(old.code).toBe(EXIT.inconsistent);
    expect(old.stdout).toMatch(new RegExp(`${sha256(stray)}\\s+100\\s+\\S+\\s+orphan`));
    expect(old.stderr).toContain(
      'Inconsistent: 0 package problems, 1 orphan blobs (collect them with --repair).',
    );

    const repaired = await modelguard(['fsck', '--grace', '0', '--repair'], { env });
    expect(repaired.code).toBe(EXIT.ok);
    expect(repaired.stdout).toMatch(new RegExp(`${sha256(stray)}\\s+100\\s+\\S+\\s+collected`));
    expect(await blobs.stat(sha256(stray))).toBeNull();
    expect((await modelguard(['fsck', '--grace', '0'], { env })).code).toBe(EXIT.ok);
  });

  it('refuses a grace period that is not a number of seconds', async () => {
    for (const grace of ['soon', '', '-5']) {
      const run = await modelguard(['fsck', '--grace', grace], { env });
      expect(run.code).toBe(EXIT.usage);
      expect(run.stderr).toBe(`error: --grace must be a number of seconds, not "${grace}"\n`);
    }
  });
});
