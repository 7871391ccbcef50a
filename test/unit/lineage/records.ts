import type { ArtifactRecord, ArtifactType } from '../../../src/domain/artifact.js';
import { cardFacts } from '../../../src/sources/model-card.js';
import { type ModelConfigFacts, readModelConfig } from '../../../src/sources/model-config.js';

/** Hand-built artifact records, shaped as ingest stores them, for lineage and cost tests. */

let counter = 0;

function base(type: ArtifactType, name: string, size: number, sourceMetadata: Record<string, unknown>) {
  counter += 1;
  const now = new Date('2026-01-01T00:00:00Z');
  return {
    id: `rec-${type}-${counter}`,
    type,
    name,
    sourceUrl: `upload:${name}`,
    version: null,
    packageDigest: `digest${counter}`.padEnd(64, '0'),
    packageSize: size,
    facts: { files: [], readme: null, configJson: null },
    sourceMetadata,
    createdBy: 'tester',
    createdAt: now,
    updatedAt: now,
  } satisfies ArtifactRecord;
}

export interface HfModelSpec {
  repoId: string;
  card?: Record<string, unknown>;
  cardError?: string;
  config?: Record<string, unknown> | string;
  adapter?: Record<string, unknown> | string;
  linkedGithub?: { owner: string; repo: string };
  size?: number;
}

function configFacts(value: Record<string, unknown> | string | undefined): ModelConfigFacts | null {
  if (value === undefined) return null;
  return readModelConfig(typeof value === 'string' ? value : JSON.stringify(value));
}

/** A model ingested from the Hugging Face Hub (only the fields lineage reads are realistic). */
export function hfModel(spec: HfModelSpec): ArtifactRecord {
  const metadata = spec.cardError ? null : (spec.card ?? {});
  const record = base('model', spec.repoId.split('/').pop() ?? spec.repoId, spec.size ?? 1_000_000, {
    kind: 'hf-model',
    repoId: spec.repoId,
    sha: 'abc123',
    card: { text: '', truncated: false, metadata, error: spec.cardError ?? null, facts: cardFacts(metadata) },
    config: configFacts(spec.config),
    adapter: configFacts(spec.adapter),
    linkedGithub: spec.linkedGithub ?? null,
  });
  return { ...record, sourceUrl: `https://huggingface.co/${spec.repoId}` };
}

export function hfDataset(repoId: string, size = 1_000_000): ArtifactRecord {
  const record = base('dataset', repoId.split('/').pop() ?? repoId, size, { kind: 'hf-dataset', repoId });
  return { ...record, sourceUrl: `https://huggingface.co/datasets/${repoId}` };
}

export function githubCode(fullName: string, size = 1_000_000): ArtifactRecord {
  const record = base('code', fullName.split('/').pop() ?? fullName, size, { kind: 'github', fullName });
  return { ...record, sourceUrl: `https://github.com/${fullName}` };
}

/** A model uploaded as a zip: lineage reads the package's README and config.json. */
export function uploadedModel(
  name: string,
  files: { readme?: string; configJson?: string },
  size = 1_000_000,
): ArtifactRecord {
  const record = base('model', name, size, { kind: 'upload' });
  return {
    ...record,
    facts: { files: [], readme: files.readme ?? null, configJson: files.configJson ?? null },
  };
}
