import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Limits } from '../config.js';
import type {
  ArtifactRecord,
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
 * Creating, reading, replacing and deleting artifacts. A package becomes visible only when its
 * bytes are in the blob store and its row is committed, so a failure at any step leaves either
 * the old artifact or nothing, never half of one.
 */
export class ArtifactService {
  private readonly storing = new KeyedMutex();

  constructor(private readonly deps: ArtifactServiceDeps) {}

  async createFromUrl(type: ArtifactType, url: string, actor: Actor): Promise<ArtifactRecord> {
    const startedIn = await this.deps.store.writeGeneration();
    return this.deps.temp.with('.zip', async (path) => {
      const gate = this.gate(type, actor);
      const fetched = await this.deps.sources.fetch(type, url, path, gate.inspect);
      const stored = await this.storePackage(path, fetched.digest, fetched.size, 424);
      const record = await this.insert(
        {
          type,
          name: assertArtifactName(fetched.name),
          sourceUrl: fetched.canonicalUrl,
          version: fetched.version,
          sourceMetadata: fetched.sourceMetadata,
        },
        stored,
        actor,
        startedIn,
      );
      await gate.keep(record);
      return record;
    });
  }

  async upload(type: ArtifactType, request: UploadRequest, actor: Actor): Promise<ArtifactRecord> {
    const name = assertArtifactName(request.name);
    const version = request.version === undefined ? null : request.version;
    if (version !== null && parseVersion(version) === null) {
      throw new BadRequestError(`"${version}" is not a semantic version (expected e.g. 1.2.3).`);
    }
    const startedIn = await this.deps.store.writeGeneration();
    return this.deps.temp.with('.zip', async (path) => {
      const { digest, size } = await receiveToFile(request.body, path, this.deps.limits.maxPackageBytes);
      const stored = await this.storePackage(path, digest, size, 422);
      return this.insert(
        { type, name, sourceUrl: `upload:${name}`, version, sourceMetadata: { kind: 'upload' } },
        stored,
        actor,
        startedIn,
      );
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
    const current = await this.get(type, id);
    if (claimed.name !== current.name) {
      throw new BadRequestError(`metadata.name must match the artifact's name ("${current.name}").`);
    }
    return this.deps.temp.with('.zip', async (path) => {
      const gate = this.gate(type, actor);
      const fetched = await this.deps.sources.fetch(type, url, path, gate.inspect);
      const stored = await this.storePackage(path, fetched.digest, fetched.size, 424);
      const next: ArtifactRecord = {
        ...current,
        sourceUrl: fetched.canonicalUrl,
        version: fetched.version === null ? current.version : parseVersion(fetched.version),
        packageDigest: stored.digest,
        packageSize: stored.size,
        facts: stored.facts,
        sourceMetadata: fetched.sourceMetadata,
        updatedAt: new Date(),
      };
      await this.commitNaming(stored.digest, async (store) => {
        // Checked before the bytes: a writer that lost the race answers 409 whatever a concurrent
        // release did to the package it stored meanwhile.
        const latest = await store.getArtifact(id);
        if (latest?.updatedAt.getTime() !== current.updatedAt.getTime()) throw lostUpdate();
        await this.expectBlob(store, stored.digest, startedIn);
        const fenced = { startedIn, audit: auditEntry(next, actor, 'UPDATE') };
        if (!(await store.replaceArtifact(next, current.updatedAt, fenced))) throw lostUpdate();
      });
      await gate.keep(next);
      if (current.packageDigest !== stored.digest) await this.releaseBlob(current.packageDigest);
      return next;
    });
  }

  async delete(type: ArtifactType, id: string): Promise<void> {
    await this.get(type, id);
    const removed = await this.deps.store.deleteArtifact(id);
    if (!removed) throw new NotFoundError(`No ${type} artifact with id ${id}.`);
    await this.releaseBlob(removed.packageDigest);
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
      keep: async (record: ArtifactRecord) => {
        if (admission && admitted) await admission.keep(record, admitted);
      },
    };
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

  private async insert(
    fields: Pick<ArtifactRecord, 'type' | 'name' | 'sourceUrl' | 'sourceMetadata'> & {
      version: string | null;
    },
    stored: StoredPackage,
    actor: Actor,
    startedIn: number,
  ): Promise<ArtifactRecord> {
    const now = new Date();
    const record: ArtifactRecord = {
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
    await this.commitNaming(stored.digest, async (store) => {
      await this.expectBlob(store, stored.digest, startedIn);
      await store.insertArtifact(record, { startedIn, audit: auditEntry(record, actor, 'CREATE') });
    });
    return record;
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
      await this.releaseBlob(digest).catch(() => undefined);
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

  /** Delete a package's bytes once no artifact refers to them (identical packages share one blob). */
  private releaseBlob(digest: string): Promise<void> {
    return this.deps.store.withDigestLock(digest, async (store) => {
      if ((await store.countByDigest(digest)) === 0) await deletePackageBlobs(this.deps.blobs, digest);
    });
  }
}

function lostUpdate(): ConflictError {
  return new ConflictError('The artifact changed while this update ran; fetch it again and retry.');
}

function auditEntry(record: ArtifactRecord, actor: Actor, action: AuditAction): AuditEntry {
  return {
    artifact: { id: record.id, name: record.name, type: record.type },
    user: { name: actor.name, is_admin: actor.isAdmin },
    action,
    date: new Date(),
  };
}
