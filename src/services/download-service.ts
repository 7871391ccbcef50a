import type { Readable } from 'node:stream';
import type { ArtifactRecord, Aspect } from '../domain/artifact.js';
import { buildAspectZip } from '../packages/aspect-zip.js';
import { blobRangeSource } from '../packages/range-source.js';
import { openZipEntry } from '../packages/zip-entry-file.js';
import type { BlobStore, ByteRange } from '../storage/blobs/blob-store.js';

/** A downloadable representation: its size, a strong validator and a way to stream any byte range. */
export interface Download {
  fileName: string;
  size: number;
  etag: string;
  /** SHA-256 of the whole representation when known (full packages), for the Repr-Digest header. */
  sha256Hex: string | null;
  stream(range?: ByteRange): Promise<Readable>;
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
 * Full packages stream straight from the blob store; aspects (weights, docs ...) are built on
 * the fly as a deterministic zip of just those files, so both support Range requests.
 */
export class DownloadService {
  constructor(
    private readonly blobs: BlobStore,
    private readonly options: DownloadOptions,
  ) {}

  async open(record: ArtifactRecord, aspect: Aspect | 'full'): Promise<Download> {
    const baseName = record.name.replace(/[^A-Za-z0-9._-]+/g, '_') || record.id;
    if (aspect === 'full') {
      const fileName = `${baseName}.zip`;
      return {
        fileName,
        size: record.packageSize,
        etag: `"sha256-${record.packageDigest}"`,
        sha256Hex: record.packageDigest,
        stream: (range) => this.blobs.read(record.packageDigest, range),
        redirectUrl:
          this.options.presign && this.blobs.presignDownload
            ? await this.blobs.presignDownload(record.packageDigest, fileName)
            : null,
        accelRedirect:
          this.options.accelRedirectPrefix && this.blobs.relativePath
            ? this.options.accelRedirectPrefix + this.blobs.relativePath(record.packageDigest)
            : null,
        contentType: ZIP,
      };
    }
    const zip = await buildAspectZip(await blobRangeSource(this.blobs, record.packageDigest), aspect);
    return {
      fileName: `${baseName}-${aspect}.zip`,
      size: zip.size,
      etag: `"sha256-${record.packageDigest}-${aspect}"`,
      sha256Hex: null,
      stream: async (range) => zip.stream(range),
      redirectUrl: null,
      accelRedirect: null,
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
