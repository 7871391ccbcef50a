import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore } from '../../../src/storage/blobs/fs-blob-store.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { artifactRecord, memoryStore } from './metadata-records.js';

export interface StoredBlob {
  digest: string;
  size: number;
}

/**
 * A registry's two stores as an embedded registry keeps them: metadata in SQLite (:memory:) and
 * package bytes in an FsBlobStore under a temp dir, with helpers to seed them.
 */
export class PackageStores {
  private constructor(
    readonly store: MetadataStore,
    readonly blobs: FsBlobStore,
    private readonly root: string,
  ) {}

  static async create(): Promise<PackageStores> {
    const root = await mkdtemp(join(tmpdir(), 'mg-package-stores-'));
    await mkdir(join(root, 'staging'));
    return new PackageStores(await memoryStore(), new FsBlobStore(join(root, 'blobs')), root);
  }

  /** Stores `bytes` as a blob under their digest (or under `digest`), last modified at `modifiedAt`. */
  async putBlob(
    bytes: Buffer | string,
    options: { digest?: string; modifiedAt?: Date } = {},
  ): Promise<StoredBlob> {
    const content = Buffer.from(bytes);
    const digest = options.digest ?? sha256(content);
    const staged = join(this.root, 'staging', randomUUID());
    await writeFile(staged, content);
    await this.blobs.putFile(staged, digest, content.length);
    if (options.modifiedAt)
      await utimes(this.blobs.localPath(digest), options.modifiedAt, options.modifiedAt);
    return { digest, size: content.length };
  }

  /** An artifact row naming `blob` (stored or not). */
  async addArtifact(id: string, blob: StoredBlob): Promise<void> {
    await this.store.insertArtifact(
      artifactRecord(id, { packageDigest: blob.digest, packageSize: blob.size }),
    );
  }

  /** An open transaction whose one command staged `blob` for a new artifact; returns its id. */
  async stageInTransaction(artifactId: string, blob: StoredBlob, now = new Date()): Promise<string> {
    const id = `tx-${randomUUID()}`;
    const expiresAt = new Date(now.getTime() + 3600_000);
    await this.store.transactions.open({ id, owner: 'alice', createdAt: now, expiresAt });
    const record = artifactRecord(artifactId, { packageDigest: blob.digest, packageSize: blob.size });
    const outcome = await this.store.transactions.append(
      id,
      {
        op: 'create',
        artifact: { id: artifactId, name: record.name, type: record.type },
        expectedUpdatedAt: null,
        record,
        rating: null,
      },
      { now, expiresAt, maxCommands: 10, maxStagedBytes: 1 << 30 },
    );
    if (outcome !== 'appended') throw new Error(`could not stage ${artifactId}: ${outcome}`);
    return id;
  }

  /** Replaces a stored blob's bytes in place, as a disk fault or a careless operator would. */
  async overwriteBlob(digest: string, bytes: Buffer | string): Promise<void> {
    await writeFile(this.blobs.localPath(digest), bytes);
  }

  async dispose(): Promise<void> {
    await this.store.close();
    await rm(this.root, { recursive: true, force: true });
  }
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
