import type { Readable, Writable } from 'node:stream';

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/** One stored blob as a listing sees it. */
export interface ListedBlob {
  /** The blob's key: a SHA-256 hex digest (a package's content hash, or an aspect package's derived key). */
  digest: string;
  size: number;
  /** Last written or refreshed; a young blob nobody names may belong to a write still in flight. */
  modifiedAt: Date;
}

/**
 * Content-addressed storage for package bytes. Keys are SHA-256 hex digests, so identical
 * packages are stored once. Adapters: filesystem (embedded) and S3 (scale-out); both must pass
 * the shared conformance suite in test/storage/blob-store.conformance.ts.
 */
export interface BlobStore {
  /** Short name for health reports and error messages, e.g. "filesystem", "s3". */
  readonly kind: string;
  /**
   * Store the local file under `digest` (the caller computed it while receiving the bytes).
   * Idempotent: storing an existing digest again only refreshes it. The local file may be
   * moved or left in place; the caller removes it if it still exists.
   */
  putFile(localPath: string, digest: string, size: number): Promise<void>;
  /** Stream the blob, or the inclusive range of it. Throws BlobNotFoundError when absent. */
  read(digest: string, range?: ByteRange): Promise<Readable>;
  /**
   * Optional: write the inclusive range of the blob to `destination` without allocating
   * a buffer per chunk (filesystem stores). Resolves once every byte is handed over, or early when
   * the destination is destroyed; does not end the destination. Throws BlobNotFoundError when absent.
   */
  writeTo?(digest: string, destination: Writable, range: ByteRange): Promise<void>;
  /** Size of the blob, or null when absent. */
  stat(digest: string): Promise<{ size: number } | null>;
  /** Remove the blob; removing an absent blob is not an error. */
  delete(digest: string): Promise<void>;
  /** Every blob, in no particular order (the consistency check); names that are not digests are skipped. */
  list(): AsyncIterable<ListedBlob>;
  /** Remove every blob (registry reset). */
  clear(): Promise<void>;
  /** Cheap reachability check for /health/components; throws when unreachable. */
  ping(): Promise<void>;
  /** Optional path of the blob relative to the store's root folder (filesystem stores only). */
  relativePath?(digest: string): string;
  /** Optional absolute path of the blob's file (filesystem stores only). */
  localPath?(digest: string): string;
  /** Optional direct download link valid for a short time (S3 presigned URL). */
  presignDownload?(digest: string, fileName: string): Promise<string | null>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly digest: string) {
    super(`blob ${digest} not found`);
    this.name = 'BlobNotFoundError';
  }
}

export function isSha256Hex(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}
