import { describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../../src/domain/artifact.js';
import { classifyFile } from '../../../src/packages/classify.js';
import { parseVersion } from '../../../src/search/versions.js';
import {
  commitOf,
  type HubRepo,
  hubEntryAt,
  hubFilesOf,
  hubRepoIdOf,
  hubTree,
  isHubRepoId,
  versionAt,
} from '../../../src/services/hub-repos.js';

function record(overrides: Partial<ArtifactRecord> & { paths?: string[] } = {}): ArtifactRecord {
  const { paths = ['README.md'], ...rest } = overrides;
  return {
    id: 'id-1',
    type: 'model',
    name: 'demo',
    sourceUrl: 'upload:demo',
    version: null,
    packageDigest: 'ab'.repeat(32),
    packageSize: 10,
    facts: {
      files: paths.map((path) => ({ path, size: 1, compressedSize: 1, aspect: classifyFile(path) })),
      readme: null,
      configJson: null,
    },
    sourceMetadata: { kind: 'upload' },
    createdBy: 'admin',
    createdAt: new Date('2026-01-01'),
    updatedAt: new Date('2026-01-01'),
    ...rest,
  };
}

describe('Hub repo ids', () => {
  it('accepts what huggingface_hub accepts and nothing else', () => {
    for (const id of ['bert', 'google-bert/bert-base-uncased', 'a.b_c-d/e.f'])
      expect(isHubRepoId(id)).toBe(true);
    for (const id of ['', 'a/b/c', 'my model', 'a--b', 'a..b', '-a', 'a/', '../x', 'x'.repeat(97)]) {
      expect(isHubRepoId(id), id).toBe(false);
    }
  });

  it('an ingested artifact keeps its Hub id and commit; an upload is its name and package digest', () => {
    const sha = 'c'.repeat(40);
    const hf = record({
      name: 'bert',
      sourceMetadata: { kind: 'hf-model', repoId: 'google-bert/bert', sha },
    });
    expect([hubRepoIdOf(hf), commitOf(hf)]).toEqual(['google-bert/bert', sha]);
    const upload = record({ name: 'acme/demo' });
    expect([hubRepoIdOf(upload), commitOf(upload)]).toEqual(['acme/demo', 'ab'.repeat(20)]);
    expect(hubRepoIdOf(record({ name: 'has space' }))).toBeNull();
    expect(
      hubRepoIdOf(record({ name: 'repo', sourceMetadata: { kind: 'github', fullName: 'o/repo' } })),
    ).toBeNull();
  });
});

describe('revisions', () => {
  const v1 = record({ id: 'v1', version: parseVersion('1.0.0'), packageDigest: '01'.repeat(32) });
  const v2 = record({ id: 'v2', version: parseVersion('2.0.0'), packageDigest: '02'.repeat(32) });
  const repo: HubRepo = { type: 'model', id: 'demo', versions: [v2, v1] };

  it('main and HEAD are the first (newest) version; tags with or without v; commits', () => {
    expect(versionAt(repo, 'main')?.id).toBe('v2');
    expect(versionAt(repo, 'HEAD')?.id).toBe('v2');
    expect(versionAt(repo, '1.0.0')?.id).toBe('v1');
    expect(versionAt(repo, 'v1.0.0')?.id).toBe('v1');
    expect(versionAt(repo, '01'.repeat(20))?.id).toBe('v1');
    expect(versionAt(repo, '3.0.0')).toBeNull();
  });
});

describe('files and trees', () => {
  const zipped = record({ paths: ['repo/README.md', 'repo/a/b/c.bin', 'repo/a/d.txt', '__MACOSX/repo/._x'] });

  it('drops the top folder of a zipped directory and macOS resource forks', () => {
    expect(hubFilesOf(zipped).map((file) => file.path)).toEqual(['README.md', 'a/b/c.bin', 'a/d.txt']);
  });

  it('lists folders then files, one level or recursively, and knows what is not a folder', () => {
    const files = hubFilesOf(zipped);
    const show = (entries: ReturnType<typeof hubTree>) =>
      entries?.map((entry) => (entry.type === 'file' ? entry.file.path : `${entry.path}/`));
    expect(show(hubTree(zipped, files, '', false))).toEqual(['a/', 'README.md']);
    expect(show(hubTree(zipped, files, '', true))).toEqual([
      'a/',
      'a/b/',
      'README.md',
      'a/b/c.bin',
      'a/d.txt',
    ]);
    expect(show(hubTree(zipped, files, 'a', false))).toEqual(['a/b/', 'a/d.txt']);
    expect(hubTree(zipped, files, 'nope', false)).toBeNull();
    expect(hubEntryAt(zipped, files, 'a/b')?.type).toBe('directory');
    expect(hubEntryAt(zipped, files, 'a/d.txt')?.type).toBe('file');
    expect(hubEntryAt(zipped, files, 'a/x')).toBeNull();
  });

  it('file oids are stable per package and differ between packages', () => {
    const again = hubFilesOf(zipped)[0]?.oid;
    expect(again).toBe(hubFilesOf(zipped)[0]?.oid);
    expect(
      hubFilesOf(record({ paths: ['repo/README.md'], packageDigest: 'cd'.repeat(32) }))[0]?.oid,
    ).not.toBe(again);
  });
});
