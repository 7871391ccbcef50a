import type { ArtifactRecord, AuditEntry, ParsedVersion } from '../../../src/domain/artifact.js';
import type { MetadataStore, UserRecord } from '../../../src/storage/metadata/metadata-store.js';
import { createSqliteStore } from '../../../src/storage/metadata/sqlite.js';

/** Records and a migrated in-memory SQLite store for the metadata storage unit tests. */

export const T0 = new Date('2026-03-01T10:00:00.000Z');

/** `minutes` after T0. */
export const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

export async function memoryStore(): Promise<MetadataStore> {
  const store = createSqliteStore(':memory:');
  await store.migrate();
  return store;
}

export function semver(text: string): ParsedVersion {
  const [core = '', pre] = text.split('-');
  const [major = 0, minor = 0, patch = 0] = core.split('.').map(Number);
  return { text, major, minor, patch, prerelease: pre !== undefined };
}

export function artifactRecord(id: string, overrides: Partial<ArtifactRecord> = {}): ArtifactRecord {
  return {
    id,
    type: 'model',
    name: `name-${id}`,
    sourceUrl: `upload:${id}`,
    version: null,
    packageDigest: `digest-${id}`,
    packageSize: 100,
    facts: { files: [], readme: null, configJson: null },
    sourceMetadata: {},
    createdBy: 'alice',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function userRecord(name: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    name,
    passwordHash: `hash:${name}`,
    isAdmin: false,
    canUpload: false,
    canSearch: true,
    canDownload: true,
    createdAt: T0,
    ...overrides,
  };
}

export function auditEntry(artifactId: string, action: AuditEntry['action'], minute = 0): AuditEntry {
  return {
    artifact: { id: artifactId, name: `name-${artifactId}`, type: 'model' },
    user: { name: 'alice', is_admin: false },
    action,
    date: at(minute),
  };
}
