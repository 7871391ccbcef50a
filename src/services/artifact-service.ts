import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Limits } from '../config.js';
import type {
  ArtifactRecord,
  ArtifactSummary,
  ArtifactType,
  AuditAction,
  AuditEntry,
  PackageFacts,
} from '../domain/artifact.js';
import {
  BadRequestError,
  ComponentUnavailableError,
  ConflictError,
  NotFoundError,
  ResetConflictError,
  UnsafeWeightsError,
} from '../domain/errors.js';
import { assertArtifactName } from '../domain/names.js';
import { inspectPackage } from '../packages/inspect.js';
import { fileRangeSource } from '../packages/range-source.js';
import { receiveToFile } from '../packages/receive.js';
import type { ExplainedRating } from '../rating/pipeline.js';
import { parseVersion } from '../search/versions.js';
import type { Actor } from '../security/permissions.js';
import { describeRefusal, scanPackageWeights } from '../security/pickle/package-scan.js';
import type { FetchedSource } from '../sources/source.js';
import type { BlobStore } from '../storage/blobs/blob-store.js';
import { KeyedMutex } from '../storage/metadata/keyed-mutex.js';
import type { MetadataStore, Page } from '../storage/metadata/metadata-store.js';
import { deletePackageBlobs } from './aspect-packages.js';
import { candidateRecord } from './candidate-record.js';
import type { PackageSources } from './package-sources.js';
import type { TempFiles } from './temp-files.js';

/** The ingest gate for public models (the rating service); absent, nothing is gated. */
export interface Admission {
  admit(candidate: ArtifactRecord): Promise<ExplainedRating>;
  keep(record: ArtifactRecord, rating: ExplainedRating): Promise<void>;
}

export interface ArtifactServiceDeps {
  store: MetadataStore;
  admission?: Admission;
  blobs: BlobStore;
  sources: PackageSources;
  temp: TempFiles;
  limits: Limits;
}

export interface UploadRequest {
  name: string;
  version?: string | undefined;
  body: Readable;
}

/** The package of an artifact as stored: where its bytes are and what is inside. */
interface StoredPackage {
  digest: string;
  size: number;
  facts: PackageFacts;
}

/**
 * A create or update whose package is stored but not yet named by the artifact's row: applied at
 * once by the single-artifact routes, or later, in a group, by a transaction.
 */
export interface PreparedWrite {
  record: ArtifactRecord;
  /** update: the row as it was read; the write applies only if it is unchanged by then. */
  current: ArtifactRecord | null;
  /** The ingest gate's admitting rating, kept with the artifact once written. */
  admitted: ExplainedRating | null;
}

/** One write of a group applied together (see `applyGroup`). */
export type GroupWrite =
  | { op: 'create'; record: ArtifactRecord; admitted: ExplainedRating | null }
  | { op: 'update'; record: ArtifactRecord; expectedUpdatedAt: Date; admitted: ExplainedRating | null }
  | { op: 'delete'; artifact: ArtifactSummary; expectedUpdatedAt: Date };

/**
 * Creating, reading, replacing and deleting artifacts. A package becomes visible only when its
 * bytes are in the blob store and its row is committed, so a failure at any step leaves either
 * the old artifact or nothing, never half of one. Each write is prepared (package fetched or
 * received, checked and stored) and then applied (rows written under the package's lock); a
 * transaction applies several prepared writes in one database transaction.
 */
export class ArtifactService {
  private readonly storing = new KeyedMutex();

  constructor(private readonly deps: ArtifactServiceDeps) {}

  async createFromUrl(type: ArtifactType, url: string, actor: Actor): Promise<ArtifactRecord> {
    const startedIn = await this.deps.store.writeGeneration();
    const prepared = await this.prepareCreate(type, url, actor);
    await this.commitNaming(prepared.record.packageDigest, (store) =>
      this.applyCreate(store, prepared.record, actor, startedIn),
    );
    await this.keepRating(prepared.record, prepared.admitted);
    return prepared.record;
  }

  async upload(type: ArtifactType, request: UploadRequest, actor: Actor): Promise<ArtifactRecord> {
    const startedIn = await this.deps.store.writeGeneration();
    const prepared = await this.prepareUpload(type, request, actor);
    await this.commitNaming(prepared.record.packageDigest, (store) =>
      this.applyCreate(store, prepared.record, actor, startedIn),
    );
    return prepared.record;
  }

  /** Fetch `url` (through the ingest gate) and store its package, for a new artifact. */
  async prepareCreate(type: ArtifactType, url: string, actor: Actor): Promise<PreparedWrite> {
    return this.deps.temp.with('.zip', async (path) => {
      const gate = this.gate(type, actor);
      const fetched = await this.deps.sources.fetch(type, url, path, gate.inspect);
      const stored = await this.storePackage(path, fetched.digest, fetched.size, 424);
      const record = newRecord(
        {
          type,
          name: assertArtifactName(fetched.name),
          sourceUrl: fetched.canonicalUrl,
          version: fetched.version,
          sourceMetadata: fetched.sourceMetadata,
        },
        stored,
        actor,
      );
      return { record, current: null, admitted: gate.admitted() };
    });
  }

  /** Receive an uploaded zip and store it, for a new artifact. */
  async prepareUpload(type: ArtifactType, request: UploadRequest, actor: Actor): Promise<PreparedWrite> {
    const name = assertArtifactName(request.name);
    const version = request.version === undefined ? null : request.version;
    if (version !== null && parseVersion(version) === null) {
      throw new BadRequestError(`"${version}" is not a semantic version (expected e.g. 1.2.3).`);
    }
    return this.deps.temp.with('.zip', async (path) => {
      const { digest, size } = await receiveToFile(request.body, path, this.deps.limits.maxPackageBytes);
      const stored = await this.storePackage(path, digest, size, 422);
      const record = newRecord(
        { type, name, sourceUrl: `upload:${name}`, version, sourceMetadata: { kind: 'upload' } },
        stored,
        actor,
      );
      return { record, current: null, admitted: null };
    });
  }

  async get(type: ArtifactType, id: string): Promise<ArtifactRecord> {
    const record = await this.deps.store.getArtifact(id);
    if (!record || record.type !== type) throw new NotFoundError(`No ${type} artifact with id ${id}.`);
    return record;
  }

  /** Replace the artifact's contents with a fresh fetch of `url`; name and id must match the stored ones. */
  async update(
    type: ArtifactType,
    id: string,
    claimed: { id: string; name: string; type: ArtifactType },
    url: string,
    actor: Actor,
  ): Promise<ArtifactRecord> {
    if (claimed.id !== id || claimed.type !== type) {
      throw new BadRequestError('metadata.id and metadata.type must match the id and type in the path.');
    }
    const startedIn = await this.deps.store.writeGeneration();
    const prepared = await this.prepareUpdate(type, id, claimed.name, url, actor);
    const { record: next, current } = prepared;
    const expectedUpdatedAt = current?.updatedAt ?? next.updatedAt;
    await this.commitNaming(next.packageDigest, async (store) => {
      await this.applyUpdate(store, next, expectedUpdatedAt, actor, startedIn);
    });
    await this.keepRating(next, prepared.admitted);
    if (current && current.packageDigest !== next.packageDigest)
      await this.releasePackage(current.packageDigest);
    return next;
  }

  /** Fetch `url` (through the ingest gate) and store its package, to replace the artifact's. */
  async prepareUpdate(
    type: ArtifactType,
    id: string,
    claimedName: string,
    url: string,
    actor: Actor,
  ): Promise<PreparedWrite> {
    const current = await this.get(type, id);
    if (claimedName !== current.name) {
      throw new BadRequestError(`metadata.name must match the artifact's name ("${current.name}").`);
    }
    return this.deps.temp.with('.zip', async (path) => {
      const gate = this.gate(type, actor);
      const fetched = await this.deps.sources.fetch(type, url, path, gate.inspect);
      const stored = await this.storePackage(path, fetched.digest, fetched.size, 424);
      const record: ArtifactRecord = {
        ...current,
        sourceUrl: fetched.canonicalUrl,
        version: fetched.version === null ? current.version : parseVersion(fetched.version),
        packageDigest: stored.digest,
        packageSize: stored.size,
        facts: stored.facts,
        sourceMetadata: fetched.sourceMetadata,
        updatedAt: new Date(),
      };
      return { record, current, admitted: gate.admitted() };
    });
  }

  async delete(type: ArtifactType, id: string): Promise<void> {
    await this.get(type, id);
    const removed = await this.deps.store.deleteArtifact(id);
    if (!removed) throw new NotFoundError(`No ${type} artifact with id ${id}.`);
    await this.releasePackage(removed.packageDigest);
  }

  /**
   * Name a prepared package from a row `write` makes (a transaction's staged command) under the
   * package's lock, where it must still be stored; on failure the package is released again.
   */
  stage(
    prepared: PreparedWrite,
    startedIn: number,
    write: (store: MetadataStore) => Promise<void>,
  ): Promise<void> {
    const digest = prepared.record.packageDigest;
    return this.commitNaming(digest, async (store) => {
      await this.expectBlob(store, digest, startedIn);
      await write(store);
    });
  }

  /**
   * Apply a group of writes in one database transaction holding every package's lock: readers see
   * all of them or none. `claim` runs first in that transaction (the caller records the outcome
   * there). A write whose artifact changed since it was prepared throws ConflictError and nothing
   * is applied. Packages replaced or deleted are released once the group has committed.
   */
  async applyGroup(
    writes: GroupWrite[],
    actor: Actor,
    startedIn: number,
    claim: (store: MetadataStore) => Promise<void>,
  ): Promise<void> {
    const digests = writes.flatMap((write) => (write.op === 'delete' ? [] : [write.record.packageDigest]));
    const released = await this.deps.store.withGroupLock(digests, startedIn, async (store) => {
      await claim(store);
      const replaced: string[] = [];
      for (const write of writes) {
        if (write.op === 'create') await this.applyCreate(store, write.record, actor, startedIn);
        else if (write.op === 'update') {
          const previous = await this.applyUpdate(
            store,
            write.record,
            write.expectedUpdatedAt,
            actor,
            startedIn,
          );
          if (previous !== write.record.packageDigest) replaced.push(previous);
        } else replaced.push(await this.applyDelete(store, write.artifact, write.expectedUpdatedAt));
      }
      return replaced;
    });
    for (const write of writes)
      if (write.op !== 'delete') await this.keepRating(write.record, write.admitted);
    for (const digest of new Set(released)) await this.releasePackage(digest);
  }

  /** Delete a package's bytes once no row names it (identical packages share one blob). */
  releasePackage(digest: string): Promise<void> {
    return this.deps.store.withDigestLock(digest, async (store) => {
      if ((await store.countByDigest(digest)) === 0) await deletePackageBlobs(this.deps.blobs, digest);
    });
  }

  /** The artifact's audit trail, newest first, a page at a time (`offset` is the previous page's cursor). */
  async auditTrail(type: ArtifactType, id: string, offset?: string): Promise<Page<AuditEntry>> {
    const record = await this.get(type, id);
    return this.deps.store.listAudit(record.id, { after: offset, limit: this.deps.limits.pageSize });
  }

  async audit(record: ArtifactRecord, actor: Actor, action: AuditAction): Promise<void> {
    await this.deps.store.appendAudit(auditEntry(record, actor, action));
  }

  /**
   * Public Hugging Face models are rated from their evidence before any file is downloaded, and
   * refused (424) when the gate says no; the admitting rating is kept with the stored artifact.
   */
  private gate(type: ArtifactType, actor: Actor) {
    const { admission } = this.deps;
    let admitted: ExplainedRating | null = null;
    return {
      inspect: async (source: FetchedSource) => {
        if (!admission || source.metadata.kind !== 'hf-model') return;
        admitted = await admission.admit(candidateRecord(type, source, source.metadata, actor.name));
      },
      admitted: () => admitted,
    };
  }

  private async keepRating(record: ArtifactRecord, admitted: ExplainedRating | null): Promise<void> {
    if (this.deps.admission && admitted) await this.deps.admission.keep(record, admitted);
  }

  /**
   * Validate the zip at `path`, scan its weights (refused with `refusalStatus`: 422 for uploads,
   * 424 for ingest) and put it into the blob store.
   */
  private async storePackage(
    path: string,
    digest: string,
    size: number,
    refusalStatus: 422 | 424,
  ): Promise<StoredPackage> {
    const { limits } = this.deps;
    const source = await fileRangeSource(path);
    const facts = await inspectPackage(
      source,
      {
        maxEntries: limits.zipMaxEntries,
        maxUncompressedBytes: limits.zipMaxUncompressedBytes,
        maxCompressionRatio: limits.zipMaxCompressionRatio,
      },
      limits.readmeMaxChars,
    );
    const weightsScan = await scanPackageWeights(source, this.deps.temp);
    if (weightsScan.verdict === 'refused') {
      throw new UnsafeWeightsError(
        `The package's weights are refused (pickle globals outside the allowlist, or unreadable weight files): ${describeRefusal(weightsScan)}`,
        refusalStatus,
      );
    }
    // Identical packages arriving together are stored one after another: the later ones find the
    // bytes in place and skip the copy instead of uploading the same object many times at once.
    await this.storing.run(digest, () => this.deps.blobs.putFile(path, digest, size));
    return { digest, size, facts: { ...facts, weightsScan } };
  }

  /** Inside the package's lock: insert the new artifact's row with its audit entry. */
  private async applyCreate(
    store: MetadataStore,
    record: ArtifactRecord,
    actor: Actor,
    startedIn: number,
  ): Promise<void> {
    await this.expectBlob(store, record.packageDigest, startedIn);
    await store.insertArtifact(record, { startedIn, audit: auditEntry(record, actor, 'CREATE') });
  }

  /**
   * Inside the package's lock: replace the row if it is still the one read (`expectedUpdatedAt`),
   * else ConflictError. Returns the package the row named before.
   */
  private async applyUpdate(
    store: MetadataStore,
    next: ArtifactRecord,
    expectedUpdatedAt: Date,
    actor: Actor,
    startedIn: number,
  ): Promise<string> {
    // Checked before the bytes: a writer that lost the race answers 409 whatever a concurrent
    // release did to the package it stored meanwhile.
    const latest = await store.getArtifact(next.id);
    if (latest?.updatedAt.getTime() !== expectedUpdatedAt.getTime()) throw lostUpdate();
    await this.expectBlob(store, next.packageDigest, startedIn);
    const fenced = { startedIn, audit: auditEntry(next, actor, 'UPDATE') };
    if (!(await store.replaceArtifact(next, expectedUpdatedAt, fenced))) throw lostUpdate();
    return latest.packageDigest;
  }

  /** Delete the row if it is still the one read, else ConflictError; returns the package it named. */
  private async applyDelete(
    store: MetadataStore,
    artifact: ArtifactSummary,
    expectedUpdatedAt: Date,
  ): Promise<string> {
    const conflict = () =>
      new ConflictError(
        `${artifact.type} ${artifact.id} changed or was deleted since it was added to this group.`,
      );
    const latest = await store.getArtifact(artifact.id);
    if (latest?.updatedAt.getTime() !== expectedUpdatedAt.getTime()) throw conflict();
    // Conditional in the database too: a concurrent writer's change is a conflict, never deleted unseen.
    if (!(await store.deleteArtifact(artifact.id, expectedUpdatedAt))) throw conflict();
    return latest.packageDigest;
  }

  /**
   * Write a row naming a stored package while holding the digest's lock, so "check the blob is
   * there, then name it" cannot interleave with a release of identical bytes (another artifact
   * deleted, or a losing writer cleaning up). When the write fails the package is released again
   * (kept if another row names it), so a refused writer leaves no blob behind.
   */
  private async commitNaming(digest: string, write: (store: MetadataStore) => Promise<void>): Promise<void> {
    try {
      await this.deps.store.withDigestLock(digest, write);
    } catch (error) {
      // The write's own error is what the caller needs; a failed clean-up leaves only an
      // unreferenced blob, which the next release of this digest or a reset collects.
      await this.releasePackage(digest).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Inside the digest lock: the package must still be there to be named. When a reset since the
   * write started removed it, that is the answer (409), not an unavailable store.
   */
  private async expectBlob(store: MetadataStore, digest: string, startedIn: number): Promise<void> {
    if (await this.deps.blobs.stat(digest)) return;
    if ((await store.writeGeneration()) !== startedIn) throw new ResetConflictError();
    throw new ComponentUnavailableError('object store', 'the package was removed concurrently; retry');
  }
}

function lostUpdate(): ConflictError {
  return new ConflictError('The artifact changed while this update ran; fetch it again and retry.');
}

function newRecord(
  fields: Pick<ArtifactRecord, 'type' | 'name' | 'sourceUrl' | 'sourceMetadata'> & { version: string | null },
  stored: StoredPackage,
  actor: Actor,
): ArtifactRecord {
  const now = new Date();
  return {
    ...fields,
    id: randomUUID(),
    version: fields.version === null ? null : parseVersion(fields.version),
    packageDigest: stored.digest,
    packageSize: stored.size,
    facts: stored.facts,
    createdBy: actor.name,
    createdAt: now,
    updatedAt: now,
  };
}

function auditEntry(record: ArtifactRecord, actor: Actor, action: AuditAction): AuditEntry {
  return {
    artifact: { id: record.id, name: record.name, type: record.type },
    user: { name: actor.name, is_admin: actor.isAdmin },
    action,
    date: new Date(),
  };
}
