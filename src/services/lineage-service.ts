import { createHash } from 'node:crypto';
import type { ArtifactRecord, ArtifactType } from '../domain/artifact.js';
import { BadRequestError } from '../domain/errors.js';
import { canonicalSourceUrl } from '../sources/source-urls.js';
import type { MetadataStore } from '../storage/metadata/metadata-store.js';
import { type LineageReference, lastSegment, lineageReferences, sameHubId } from './lineage-references.js';

/** The contract's ArtifactLineageNode. */
export interface LineageNode {
  artifact_id: string;
  name: string;
  source: string;
  metadata?: Record<string, unknown>;
}

/** The contract's ArtifactLineageEdge: from the upstream node to the one that declares it. */
export interface LineageEdge {
  from_node_artifact_id: string;
  to_node_artifact_id: string;
  relationship: string;
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

/** A walked graph that still knows which nodes are registry artifacts (cost reads their sizes). */
export interface LineageWalk {
  graph: LineageGraph;
  /** Registry artifacts in the graph, by id, the root included. */
  records: Map<string, ArtifactRecord>;
}

export interface LineageOptions {
  /** Registry ancestors followed from the root; deeper ones appear but are not expanded. */
  maxDepth: number;
  /** Nodes in one graph, so a hostile or huge merge tree cannot make one request expensive. */
  maxNodes: number;
  /** Same-named artifacts inspected when resolving one reference. */
  maxCandidates: number;
}

export const DEFAULT_LINEAGE_OPTIONS: LineageOptions = { maxDepth: 8, maxNodes: 200, maxCandidates: 20 };

/**
 * Lineage from structured metadata. References are resolved to registry artifacts at query
 * time, so the graph changes as soon as a parent is ingested after its child; parents found in
 * the registry are expanded through their own metadata (bounded depth, cycle-safe), the rest
 * stay external nodes with a deterministic id.
 */
export class LineageService {
  private readonly options: LineageOptions;

  constructor(
    private readonly store: MetadataStore,
    options: Partial<LineageOptions> = {},
  ) {
    this.options = { ...DEFAULT_LINEAGE_OPTIONS, ...options };
  }

  /** The model's lineage graph; 400 when its own metadata is malformed. */
  async graph(record: ArtifactRecord): Promise<LineageGraph> {
    return (await this.walk(record, { strict: true })).graph;
  }

  /**
   * Walk breadth-first from `record`. With `strict`, malformed metadata of the root throws (the
   * lineage contract); otherwise, like malformed ancestors always, it only ends that branch.
   */
  async walk(record: ArtifactRecord, { strict }: { strict: boolean }): Promise<LineageWalk> {
    const { maxDepth, maxNodes } = this.options;
    const nodes = new Map<string, LineageNode>([[record.id, registryNode(record, 'registry')]]);
    const records = new Map<string, ArtifactRecord>([[record.id, record]]);
    const edges = new Map<string, LineageEdge>();
    const resolve = this.resolver();

    const queue = [{ record, depth: 0 }];
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (next.depth >= maxDepth) continue;
      const downstream = next.record;
      for (const ref of declaredReferences(downstream, strict && downstream === record)) {
        const parent = await resolve(ref);
        const id = parent?.id ?? externalId(ref);
        if (id === downstream.id) continue;
        if (!nodes.has(id)) {
          if (nodes.size >= maxNodes) continue;
          nodes.set(id, parent ? registryNode(parent, ref.source, ref.name) : externalNode(id, ref));
          if (parent) {
            records.set(id, parent);
            queue.push({ record: parent, depth: next.depth + 1 });
          }
        }
        const key = `${id}>${downstream.id}`;
        if (!edges.has(key)) {
          edges.set(key, {
            from_node_artifact_id: id,
            to_node_artifact_id: downstream.id,
            relationship: ref.relationship,
          });
        }
      }
    }
    return { graph: { nodes: [...nodes.values()], edges: [...edges.values()] }, records };
  }

  /** Reference -> registry artifact, memoised for one walk (a diamond resolves each parent once). */
  private resolver(): (ref: LineageReference) => Promise<ArtifactRecord | null> {
    const memo = new Map<string, Promise<ArtifactRecord | null>>();
    return (ref) => {
      const key = `${ref.type}:${ref.name.toLowerCase()}`;
      let found = memo.get(key);
      if (!found) {
        found = this.findInRegistry(ref);
        memo.set(key, found);
      }
      return found;
    };
  }

  /**
   * Registry artifacts are named after the last segment of their upstream id, so a lookup by
   * that name (bounded) finds every candidate, and their stored upstream ids decide.
   */
  private async findInRegistry(ref: LineageReference): Promise<ArtifactRecord | null> {
    const named = await this.store.findByName(lastSegment(ref.name), this.options.maxCandidates);
    const candidates = await Promise.all(
      named
        .filter((summary) => summary.type === ref.type)
        .map((summary) => this.store.getArtifact(summary.id)),
    );
    return pickReferencedArtifact(
      ref,
      candidates.filter((candidate) => candidate !== null),
    );
  }
}

function declaredReferences(record: ArtifactRecord, strict: boolean): LineageReference[] {
  if (strict) return lineageReferences(record);
  try {
    return lineageReferences(record);
  } catch (error) {
    if (error instanceof BadRequestError) return [];
    throw error;
  }
}

/**
 * Which candidate (same type, same last name segment, in registry order) a reference means:
 * the artifact ingested from exactly that upstream id (case-insensitive); for a legacy id
 * without owner, one whose upstream id ends in it; failing that, an uploaded artifact with
 * exactly that name.
 */
export function pickReferencedArtifact(
  ref: LineageReference,
  candidates: readonly ArtifactRecord[],
): ArtifactRecord | null {
  const exact = candidates.find((candidate) => {
    const id = upstreamId(candidate);
    return id !== null && id.toLowerCase() === ref.name.toLowerCase();
  });
  if (exact || ref.name.includes('/')) return exact ?? null;
  return (
    candidates.find((candidate) => {
      const id = upstreamId(candidate);
      return id !== null && sameHubId(ref.name, id);
    }) ??
    candidates.find((candidate) => upstreamId(candidate) === null && candidate.name === ref.name) ??
    null
  );
}

/** The id the artifact has where it was ingested from (Hugging Face repo id, GitHub owner/repo). */
function upstreamId(record: ArtifactRecord): string | null {
  const meta = record.sourceMetadata;
  if ((meta.kind === 'hf-model' || meta.kind === 'hf-dataset') && typeof meta.repoId === 'string') {
    return meta.repoId;
  }
  if (meta.kind === 'github' && typeof meta.fullName === 'string') return meta.fullName;
  return null;
}

/** A stable id for an artifact outside the registry, valid as a contract ArtifactID. */
export function externalId(ref: Pick<LineageReference, 'type' | 'name'>): string {
  const digest = createHash('sha256').update(`${ref.type}:${ref.name.toLowerCase()}`).digest('hex');
  return `ext-${digest.slice(0, 20)}`;
}

function registryNode(record: ArtifactRecord, source: string, declaredAs?: string): LineageNode {
  const meta = record.sourceMetadata;
  const fromUpstream = upstreamId(record) !== null;
  return {
    artifact_id: record.id,
    name: record.name,
    source,
    metadata: {
      type: record.type,
      in_registry: true,
      ...(fromUpstream ? { repository_url: record.sourceUrl } : {}),
      ...(typeof meta.sha === 'string' ? { sha: meta.sha } : {}),
      ...(declaredAs === undefined ? {} : { declared_as: declaredAs }),
    },
  };
}

function externalNode(id: string, ref: LineageReference): LineageNode {
  return {
    artifact_id: id,
    name: ref.name,
    source: ref.source,
    metadata: { type: ref.type, in_registry: false, repository_url: upstreamUrl(ref.type, ref.name) },
  };
}

function upstreamUrl(type: ArtifactType, name: string): string {
  if (type === 'code') {
    const [owner = '', repo = ''] = name.split('/');
    return canonicalSourceUrl({ kind: 'github', owner, repo });
  }
  return canonicalSourceUrl({ kind: type === 'model' ? 'hf-model' : 'hf-dataset', repoId: name });
}
