import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SensitiveDownload } from '../../../../src/domain/monitor.js';
import type { MetadataStore } from '../../../../src/storage/metadata/metadata-store.js';
import { at, memoryStore } from '../../support/metadata-records.js';

let store: MetadataStore;
beforeEach(async () => {
  store = await memoryStore();
});
afterEach(() => store.close());

function download(
  artifactId: string,
  minute: number,
  overrides: Partial<SensitiveDownload> = {},
): SensitiveDownload {
  return {
    artifactId,
    userName: 'bob',
    at: at(minute),
    allowed: true,
    exitCode: 0,
    reason: 'exit',
    stdout: `ok ${minute}`,
    part: 'full',
    durationMs: 12,
    reused: false,
    ...overrides,
  };
}

describe('monitor store', () => {
  it('replaces a program and tells whether there was one to delete', async () => {
    const program = {
      artifactId: 'm',
      source: 'a',
      sha256: 'h1',
      size: 1,
      uploadedBy: 'root',
      uploadedAt: at(0),
    };
    await store.monitors.putProgram(program);
    const replacement = {
      ...program,
      source: 'ünïcode',
      sha256: 'h2',
      size: 9,
      uploadedBy: 'ops',
      uploadedAt: at(1),
    };
    await store.monitors.putProgram(replacement);
    expect(await store.monitors.getProgram('m')).toEqual(replacement);
    expect(await store.monitors.deleteProgram('m')).toBe(true);
    expect(await store.monitors.deleteProgram('m')).toBe(false);
    expect(await store.monitors.getProgram('m')).toBeNull();
  });

  it('keeps every kind of verdict as it was recorded', async () => {
    const verdicts = [
      download('m', 0),
      download('m', 1, { allowed: false, exitCode: 3, reason: 'exit', part: 'weights' }),
      download('m', 2, { allowed: false, exitCode: null, reason: 'timeout', stdout: '' }),
      download('m', 3, { exitCode: null, reason: 'spawn-error', allowed: false, part: 'file:a/b.bin' }),
      download('m', 4, { reused: true, durationMs: 0 }),
    ];
    for (const verdict of verdicts) await store.monitors.recordDownload(verdict);
    expect((await store.monitors.listDownloads('m', { limit: 10 })).items).toEqual(verdicts.reverse());
  });

  it('pages one model’s history newest first', async () => {
    for (const minute of [0, 1, 2]) await store.monitors.recordDownload(download('m', minute));
    await store.monitors.recordDownload(download('other', 3));
    const first = await store.monitors.listDownloads('m', { limit: 2 });
    expect(first.items.map((d) => d.stdout)).toEqual(['ok 2', 'ok 1']);
    expect(first.next).not.toBeNull();
    const rest = await store.monitors.listDownloads('m', { after: first.next ?? undefined, limit: 2 });
    expect(rest).toEqual({ items: [download('m', 0)], next: null });
    await expect(store.monitors.listDownloads('m', { after: '-3', limit: 2 })).rejects.toThrow(
      'invalid offset',
    );
  });
});
