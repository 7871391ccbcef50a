import type { Insertable, Selectable } from 'kysely';
import type {
  ArtifactRecord,
  ArtifactSummary,
  ArtifactType,
  AuditAction,
  AuditEntry,
} from '../../domain/artifact.js';
import type { SecurityAction, SecurityEvent, SecurityOutcome } from '../../domain/security-event.js';
import type { UserChanges, UserRecord } from './metadata-store.js';
import type { ArtifactsTable, AuditLogTable, Flag, SecurityEventsTable, UsersTable } from './schema.js';

/** Conversions between domain records and table rows, in one place for both dialects. */

const flag = (value: boolean): Flag => (value ? 1 : 0);

export function artifactToRow(record: ArtifactRecord): Insertable<ArtifactsTable> {
  const { readme, ...facts } = record.facts;
  return {
    id: record.id,
    type: record.type,
    name: record.name,
    source_url: record.sourceUrl,
    version_text: record.version?.text ?? null,
    version_major: record.version?.major ?? null,
    version_minor: record.version?.minor ?? null,
    version_patch: record.version?.patch ?? null,
    version_prerelease: record.version ? flag(record.version.prerelease) : null,
    package_digest: record.packageDigest,
    package_size: record.packageSize,
    facts: JSON.stringify(facts),
    readme,
    source_metadata: JSON.stringify(record.sourceMetadata),
    created_by: record.createdBy,
    created_at: record.createdAt.getTime(),
    updated_at: record.updatedAt.getTime(),
  };
}

export function rowToArtifact(row: Selectable<ArtifactsTable>): ArtifactRecord {
  return {
    id: row.id,
    type: row.type as ArtifactType,
    name: row.name,
    sourceUrl: row.source_url,
    version:
      row.version_text === null
        ? null
        : {
            text: row.version_text,
            major: row.version_major ?? 0,
            minor: row.version_minor ?? 0,
            patch: row.version_patch ?? 0,
            prerelease: row.version_prerelease === 1,
          },
    packageDigest: row.package_digest,
    packageSize: row.package_size,
    facts: { ...JSON.parse(row.facts), readme: row.readme },
    sourceMetadata: JSON.parse(row.source_metadata),
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function rowToSummary(row: Pick<ArtifactsTable, 'id' | 'type' | 'name'>): ArtifactSummary {
  return { id: row.id, type: row.type as ArtifactType, name: row.name };
}

export function auditToRow(entry: AuditEntry): Insertable<AuditLogTable> {
  return {
    artifact_id: entry.artifact.id,
    artifact_name: entry.artifact.name,
    artifact_type: entry.artifact.type,
    user_name: entry.user.name,
    user_is_admin: flag(entry.user.is_admin),
    action: entry.action,
    date: entry.date.getTime(),
  };
}

export function rowToAudit(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    artifact: { id: row.artifact_id, name: row.artifact_name, type: row.artifact_type as ArtifactType },
    user: { name: row.user_name, is_admin: row.user_is_admin === 1 },
    action: row.action as AuditAction,
    date: new Date(row.date),
  };
}

export function userToRow(user: UserRecord): UsersTable {
  return {
    name: user.name,
    password_hash: user.passwordHash,
    is_admin: flag(user.isAdmin),
    can_upload: flag(user.canUpload),
    can_search: flag(user.canSearch),
    can_download: flag(user.canDownload),
    created_at: user.createdAt.getTime(),
  };
}

export function rowToUser(row: UsersTable): UserRecord {
  return {
    name: row.name,
    passwordHash: row.password_hash,
    isAdmin: row.is_admin === 1,
    canUpload: row.can_upload === 1,
    canSearch: row.can_search === 1,
    canDownload: row.can_download === 1,
    createdAt: new Date(row.created_at),
  };
}

export function userChangesToRow(changes: UserChanges): Partial<UsersTable> {
  const row: Partial<UsersTable> = {};
  if (changes.passwordHash !== undefined) row.password_hash = changes.passwordHash;
  if (changes.isAdmin !== undefined) row.is_admin = flag(changes.isAdmin);
  if (changes.canUpload !== undefined) row.can_upload = flag(changes.canUpload);
  if (changes.canSearch !== undefined) row.can_search = flag(changes.canSearch);
  if (changes.canDownload !== undefined) row.can_download = flag(changes.canDownload);
  return row;
}

export function securityEventToRow(event: SecurityEvent): Insertable<SecurityEventsTable> {
  return {
    date: event.date.getTime(),
    action: event.action,
    outcome: event.outcome,
    actor: event.actor,
    subject: event.subject,
    address: event.address,
    detail: event.detail,
  };
}

export function rowToSecurityEvent(row: Selectable<SecurityEventsTable>): SecurityEvent {
  return {
    date: new Date(Number(row.date)),
    action: row.action as SecurityAction,
    outcome: row.outcome as SecurityOutcome,
    actor: row.actor,
    subject: row.subject,
    address: row.address,
    detail: row.detail,
  };
}
