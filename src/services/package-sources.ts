import type { ArtifactType } from '../domain/artifact.js';
import { nameFromUrl } from '../domain/names.js';
import { receiveToFile } from '../packages/receive.js';
import { openUrl } from '../sources/url-fetch.js';

/** A source fetched and written as a package zip to a local file. */
export interface FetchedPackage {
  name: string;
  version: string | null;
  canonicalUrl: string;
  sourceMetadata: Record<string, unknown>;
  digest: string;
  size: number;
}

/** Turns a source URL into a package file. Implementations: direct zip URLs, Hugging Face, GitHub. */
export interface PackageSources {
  fetch(type: ArtifactType, url: URL, destPath: string): Promise<FetchedPackage>;
}

export interface DirectUrlOptions {
  allowPrivateNetwork: boolean;
  timeoutMs: number;
  maxRedirects: number;
  maxBytes: number;
}

/** A direct http(s) link to a zip, fetched by streaming with SSRF protection and a size cap. */
export class DirectUrlSource implements PackageSources {
  constructor(private readonly options: DirectUrlOptions) {}

  async fetch(_type: ArtifactType, url: URL, destPath: string): Promise<FetchedPackage> {
    const response = await openUrl(url.href, this.options);
    const { digest, size } = await receiveToFile(response.body, destPath, this.options.maxBytes);
    return {
      name: nameFromUrl(url),
      version: null,
      canonicalUrl: url.href,
      sourceMetadata: { kind: 'url', finalUrl: response.finalUrl, contentType: response.contentType },
      digest,
      size,
    };
  }
}
