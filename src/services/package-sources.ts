import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { ArtifactType } from '../domain/artifact.js';
import { BadRequestError } from '../domain/errors.js';
import { nameFromUrl } from '../domain/names.js';
import { receiveToFile } from '../packages/receive.js';
import { repackArchive } from '../packages/repack-archive.js';
import { writePackageZip } from '../packages/write-package.js';
import type { GitHubSource } from '../sources/github.js';
import type { HuggingFaceSource } from '../sources/huggingface.js';
import type { FetchedSource } from '../sources/source.js';
import { parseSourceUrl } from '../sources/source-urls.js';
import { openUrl } from '../sources/url-fetch.js';
import { IngestDeadline } from './ingest-deadline.js';

/** A source fetched and written as a package zip to a local file. */
export interface FetchedPackage {
  name: string;
  version: string | null;
  canonicalUrl: string;
  sourceMetadata: Record<string, unknown>;
  digest: string;
  size: number;
}

/** Called with a remote repository's evidence before any of its files is downloaded. */
export type InspectSource = (source: FetchedSource) => Promise<void>;

/** Turns a source URL into a package file at `destPath`. */
export interface PackageSources {
  fetch(type: ArtifactType, url: string, destPath: string, inspect?: InspectSource): Promise<FetchedPackage>;
}

export interface SourceRouterOptions {
  huggingFace: HuggingFaceSource;
  github: GitHubSource;
  direct: { allowPrivateNetwork: boolean; timeoutMs: number; maxRedirects: number };
  maxPackageBytes: number;
  /** Total time one fetch may take, metadata, rating and download together (INGEST_DEADLINE_MS). */
  deadlineMs: number;
  /** Opens a direct zip URL; the network by default (unit tests answer in process). */
  openUrl?: typeof openUrl;
}

/**
 * Recognises the source behind a URL: a Hugging Face model or dataset page, a GitHub repository,
 * or any other http(s) URL taken as a direct link to a zip. Remote repositories are packed into
 * a zip file by file, or repacked from the one archive the source offers (GitHub); direct zips
 * are stored as fetched.
 */
export class SourceRouter implements PackageSources {
  constructor(private readonly options: SourceRouterOptions) {}

  async fetch(
    type: ArtifactType,
    url: string,
    destPath: string,
    inspect?: InspectSource,
  ): Promise<FetchedPackage> {
    const deadline = new IngestDeadline(url, this.options.deadlineMs);
    try {
      return await deadline.race(this.fetchWithin(deadline, type, url, destPath, inspect));
    } finally {
      deadline.clear();
    }
  }

  private async fetchWithin(
    deadline: IngestDeadline,
    type: ArtifactType,
    url: string,
    destPath: string,
    inspect?: InspectSource,
  ): Promise<FetchedPackage> {
    const ref = parseSourceUrl(url);
    const pack = (source: FetchedSource) => this.pack(deadline, source, destPath, inspect);
    switch (ref.kind) {
      case 'hf-model':
        expectType(type, 'model', 'a Hugging Face model');
        return pack(await this.options.huggingFace.fetchModel(ref.repoId));
      case 'hf-dataset':
        expectType(type, 'dataset', 'a Hugging Face dataset');
        return pack(await this.options.huggingFace.fetchDataset(ref.repoId));
      case 'github':
        return pack(await this.options.github.fetchRepo(ref.owner, ref.repo));
      case 'url':
        return this.fetchZip(deadline, ref.url, destPath);
    }
  }

  private async pack(
    deadline: IngestDeadline,
    source: FetchedSource,
    destPath: string,
    inspect?: InspectSource,
  ): Promise<FetchedPackage> {
    await inspect?.(source);
    const { maxPackageBytes } = this.options;
    const archive = source.archive;
    const { digest, size } = archive
      ? await packArchive(async () => deadline.bound(await archive()), destPath, maxPackageBytes)
      : await writePackageZip(deadline.boundFiles(source.files), destPath, maxPackageBytes);
    return {
      name: source.name,
      version: source.version,
      canonicalUrl: source.canonicalUrl,
      sourceMetadata: source.metadata,
      digest,
      size,
    };
  }

  private async fetchZip(deadline: IngestDeadline, url: string, destPath: string): Promise<FetchedPackage> {
    const { maxPackageBytes, direct, openUrl: open = openUrl } = this.options;
    const response = await open(url, { ...direct, maxBytes: maxPackageBytes });
    const { digest, size } = await receiveToFile(deadline.bound(response.body), destPath, maxPackageBytes);
    return {
      name: nameFromUrl(new URL(url)),
      version: null,
      canonicalUrl: url,
      sourceMetadata: { kind: 'url', finalUrl: response.finalUrl, contentType: response.contentType },
      digest,
      size,
    };
  }
}

/**
 * Streams the archive to a file beside the package (within the size limit, so memory stays
 * bounded), then repacks it without its top folder; the archive file is removed either way.
 */
async function packArchive(
  archive: () => Promise<Readable>,
  destPath: string,
  maxBytes: number,
): Promise<{ digest: string; size: number }> {
  const archivePath = `${destPath}.archive`;
  try {
    await receiveToFile(await archive(), archivePath, maxBytes);
    return await repackArchive(archivePath, destPath, maxBytes);
  } finally {
    await rm(archivePath, { force: true });
  }
}

function expectType(type: ArtifactType, expected: ArtifactType, what: string): void {
  if (type !== expected) {
    throw new BadRequestError(`The url names ${what}; register it with POST /artifact/${expected}.`);
  }
}
