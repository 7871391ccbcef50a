import type { ArtifactRecord, ArtifactType } from '../domain/artifact.js';
import { parseVersion } from '../search/versions.js';
import type { FetchedSource } from '../sources/source.js';

/**
 * The record a fetched source would become, for judging it (rating, lineage) before anything is
 * stored: no package yet, and `sourceMetadata` as given (the scorer may add links to it).
 */
export function candidateRecord(
  type: ArtifactType,
  source: FetchedSource,
  sourceMetadata: Record<string, unknown>,
  createdBy: string,
): ArtifactRecord {
  const now = new Date();
  return {
    id: 'candidate',
    type,
    name: source.name,
    sourceUrl: source.canonicalUrl,
    version: source.version === null ? null : parseVersion(source.version),
    packageDigest: '',
    packageSize: 0,
    facts: { files: [], readme: null, configJson: null },
    sourceMetadata,
    createdBy,
    createdAt: now,
    updatedAt: now,
  };
}
