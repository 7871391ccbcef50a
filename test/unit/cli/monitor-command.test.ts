import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { fakeRegistry, json, modelguard, SIGNED_IN, tempDir } from './support.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.remove());

describe('modelguard monitor', () => {
  it('set uploads the program file for the model', async () => {
    const file = join(dir.path, 'allow.js');
    await writeFile(file, 'process.exit(0);\n');
    const registry = fakeRegistry({
      'POST /artifacts/JSProgramUpload': () => json({ message: 'Monitor program stored.', s3_key: 'k' }),
    });
    const run = await modelguard(['monitor', 'set', 'm1', file], { env: SIGNED_IN, fetch: registry.fetch });
    expect(run).toMatchObject({ code: EXIT.ok, stderr: 'Monitor program stored.\n' });
    expect(JSON.parse(registry.requests[0]?.body ?? '')).toEqual({
      artifact_id: 'm1',
      js_program: 'process.exit(0);\n',
    });
    const asJson = await modelguard(['monitor', 'set', 'm1', file, '--json'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(JSON.parse(asJson.stdout)).toEqual({ message: 'Monitor program stored.', s3_key: 'k' });
  });

  it('set refuses a file it cannot read, sending nothing', async () => {
    const registry = fakeRegistry({});
    const run = await modelguard(['monitor', 'set', 'm1', join(dir.path, 'none.js')], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/^error: cannot read .*none\.js: ENOENT/);
    expect(registry.requests).toEqual([]);
  });

  const program = {
    artifact_id: 'm1',
    program: 'process.exit(0);\n',
    sha256: 'ab12',
    size: 17,
    uploaded_by: 'admin',
    uploaded_at: '2026-11-30T10:00:00Z',
  };

  it('show prints the program on stdout and what it is on stderr', async () => {
    const registry = fakeRegistry({ 'GET /artifacts/model/m1/monitor': () => json(program) });
    const run = await modelguard(['monitor', 'show', 'm1'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(run.stdout).toBe('process.exit(0);\n');
    expect(run.stderr).toBe('sha256 ab12, 17 bytes, by admin at 2026-11-30T10:00:00Z\n');
    const asJson = await modelguard(['monitor', 'show', 'm1', '--json'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(JSON.parse(asJson.stdout)).toEqual(program);
  });

  it('remove says what the registry said', async () => {
    const registry = fakeRegistry({
      'DELETE /artifacts/model/m1/monitor': () => json({ message: 'm1 is no longer sensitive.' }),
    });
    const run = await modelguard(['monitor', 'remove', 'm1'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(run.stderr).toBe('m1 is no longer sensitive.\n');
  });

  it('history lists every page of verdicts', async () => {
    const verdict = (user: string, allowed: boolean, reused: boolean, exit: number | null, reason = '') => ({
      username: user,
      at: '2026-11-30',
      allowed,
      exit_code: exit,
      reason,
      stdout: 'first line\nsecond',
      part: 'full',
      reused,
    });
    const registry = fakeRegistry({
      'GET /artifacts/model/m1/downloads': (request) =>
        request.path.endsWith('?offset=2')
          ? json([verdict('cat', false, false, null, 'timeout')])
          : json([verdict('ann', true, false, 0), verdict('ben', true, true, 0)], 200, { offset: '2' }),
    });
    const run = await modelguard(['monitor', 'history', 'm1'], { env: SIGNED_IN, fetch: registry.fetch });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DATE\s+USER\s+PART\s+VERDICT\s+EXIT\s+OUTPUT$/);
    expect(lines.slice(2).map((line) => line.split(/\s{2,}/))).toEqual([
      ['2026-11-30', 'ann', 'full', 'allowed', '0', 'first line'],
      ['2026-11-30', 'ben', 'full', 'allowed (reused)', '0', 'first line'],
      ['2026-11-30', 'cat', 'full', 'refused (timeout)', '-', 'first line'],
    ]);
    const asJson = await modelguard(['monitor', 'history', 'm1', '--json'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(JSON.parse(asJson.stdout)).toHaveLength(3);
  });
});
