/** The three kinds of artifact the registry holds. */
export const ARTIFACT_TYPES = ['model', 'dataset', 'code'] as const;
export type ArtifactType = (typeof ARTIFACT_TYPES)[number];

export function isArtifactType(value: string): value is ArtifactType {
  return (ARTIFACT_TYPES as readonly string[]).includes(value);
}

/** A part of a package a user may download on its own instead of the whole zip. */
export const ASPECTS = ['weights', 'datasets', 'code', 'docs'] as const;
export type Aspect = (typeof ASPECTS)[number];

/** One file inside a stored package, as listed by the zip's central directory. */
export interface PackageFile {
  path: string;
  /** Uncompressed size in bytes. */
  size: number;
  compressedSize: number;
  aspect: Aspect;
}

/** A semantic version split into columns so range queries run inside the database. */
export interface ParsedVersion {
  text: string;
  major: number;
  minor: number;
  patch: number;
  prerelease: boolean;
}

/** Facts about the stored package that rating, lineage and search read later. */
export interface PackageFacts {
  files: PackageFile[];
  /** The model card / README text, truncated to a bounded length for search. */
  readme: string | null;
  /** Raw config.json text when the package has one at its root. */
  configJson: string | null;
  /** What the weights scan found (absent for packages stored before scanning existed). */
  weightsScan?: WeightsScan;
}

/** The scan of one weights file: pickle globals it names, or a safetensors header check. */
export interface WeightFileScan {
  path: string;
  format: 'pickle' | 'torch-legacy' | 'torch-zip' | 'safetensors';
  verdict: 'clean' | 'refused';
  /** Every global the file names, as module.name (allowed or not). */
  globals: string[];
  /** Why the file is refused: offending globals, unresolvable references, format errors. */
  findings: string[];
}

/** Every pickle-based and safetensors file of a package, scanned before it was accepted. */
export interface WeightsScan {
  /** The policy applied (docs/security.md); bumped when the allowlist changes meaning. */
  policy: string;
  verdict: 'clean' | 'refused';
  filesScanned: number;
  files: WeightFileScan[];
}

/** Everything the registry stores about one artifact. */
export interface ArtifactRecord {
  id: string;
  type: ArtifactType;
  name: string;
  sourceUrl: string;
  version: ParsedVersion | null;
  /** SHA-256 (hex) of the stored package zip; the blob store key. */
  packageDigest: string;
  packageSize: number;
  facts: PackageFacts;
  /** Source-specific metadata (Hugging Face card data, GitHub facts ...), opaque to storage. */
  sourceMetadata: Record<string, unknown>;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The contract's ArtifactMetadata. */
export interface ArtifactSummary {
  id: string;
  type: ArtifactType;
  name: string;
}

export const AUDIT_ACTIONS = ['CREATE', 'UPDATE', 'DOWNLOAD', 'RATE', 'AUDIT'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  artifact: ArtifactSummary;
  user: { name: string; is_admin: boolean };
  action: AuditAction;
  date: Date;
}
