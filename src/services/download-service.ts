import type { Readable, Writable } from 'node:stream';
import type { ArtifactRecord, Aspect } from '../domain/artifact.js';
import { blobRangeSource } from '../packages/range-source.js';
import { openZipEntry } from '../packages/zip-entry-file.js';
import type { BlobStore, ByteRange } from '../storage/blobs/blob-store.js';
import type { AspectPackages } from './aspect-packages.js';

/** A downloadable representation: its size, a strong validator and a way to stream any byte range. */
export interface Download {
  fileName: string;
  size: number;
  etag: string;
  /** SHA-256 of the whole representation when known (full packages), for the Repr-Digest header. */
  sha256Hex: string | null;
  stream(range?: ByteRange): Promise<Readable>;
  /**
   * When the store can (filesystem): write the inclusive range to `destination` through reused
   * buffers, the cheaper way to send it (see BlobStore.writeTo). Does not end the destination.
   */
  writeTo: ((destination: Writable, range: ByteRange) => Promise<void>) | null;
  /** A presigned object-store URL to redirect to instead of streaming, when configured. */
  redirectUrl: string | null;
  /** The internal URI a fronting nginx sends the bytes from (X-Accel-Redirect), when configured. */
  accelRedirect: string | null;
  contentType: string;
}

export interface DownloadOptions {
  presign: boolean;
  accelRedirectPrefix: string | null;
}

/**
 * Full packages and aspect packages (weights, docs ...) are both blobs: the full package as
 * uploaded, an aspect package built once on first request (src/services/aspect-packages.ts). Both
 * are served the same way, so any range of either costs reading that range.
 */
export class DownloadService {
  constructor(
    private readonly blobs: BlobStore,
    private readonly aspects: AspectPackages,
    private readonly options: DownloadOptions,
  ) {}

  /** `signal` aborts when the client goes away, stopping an aspect build nobody else waits for. */
  async open(record: ArtifactRecord, aspect: Aspect | 'full', signal: AbortSignal): Promise<Download> {
    const baseName = record.name.replace(/[^A-Za-z0-9._-]+/g, '_') || record.id;
    if (aspect === 'full') {
      return this.blobDownload(record.packageDigest, record.packageSize, {
        fileName: `${baseName}.zip`,
        etag: `"sha256-${record.packageDigest}"`,
        sha256Hex: record.packageDigest,
      });
    }
    const built = await this.aspects.ensure(record.packageDigest, aspect, signal);
    return this.blobDownload(built.key, built.size, {
      fileName: `${baseName}-${aspect}.zip`,
      // Unchanged from when aspects were generated per request: the bytes are the same.
      etag: `"sha256-${record.packageDigest}-${aspect}"`,
      sha256Hex: null,
    });
  }

  private async blobDownload(
    key: string,
    size: number,
    names: { fileName: string; etag: string; sha256Hex: string | null },
  ): Promise<Download> {
    const writeTo = this.blobs.writeTo?.bind(this.blobs);
    return {
      ...names,
      size,
      stream: (range) => this.blobs.read(key, range),
      writeTo: writeTo ? (destination, range) => writeTo(key, destination, range) : null,
      redirectUrl:
        this.options.presign && this.blobs.presignDownload
          ? await this.blobs.presignDownload(key, names.fileName)
          : null,
      accelRedirect:
        this.options.accelRedirectPrefix && this.blobs.relativePath
          ? this.options.accelRedirectPrefix + this.blobs.relativePath(key)
          : null,
      contentType: ZIP,
    };
  }

  /**
   * One file of the package (`zipPath` as the zip names it), served from the stored zip by random
   * access. `etag` is the caller's validator for that file (e.g. the Hub API's file oid).
   */
  async openFile(record: ArtifactRecord, zipPath: string, etag: string): Promise<Download> {
    const file = await openZipEntry(await blobRangeSource(this.blobs, record.packageDigest), zipPath);
    return {
      fileName: zipPath.slice(zipPath.lastIndexOf('/') + 1),
      size: file.size,
      etag,
      sha256Hex: null,
      stream: (range) => file.stream(range),
      writeTo: null,
      redirectUrl: null,
      accelRedirect: null,
      contentType: contentTypeOf(zipPath),
    };
  }
}

const ZIP = 'application/zip';

/** Text types for the files a client may show; everything else is bytes. */
const TEXT_TYPES: Record<string, string> = {
  json: 'application/json',
  md: 'text/markdown; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  py: 'text/x-python; charset=utf-8',
  yaml: 'text/yaml; charset=utf-8',
  yml: 'text/yaml; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

function contentTypeOf(path: string): string {
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return TEXT_TYPES[extension] ?? 'application/octet-stream';
}
