import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import {
  BadRequestError,
  NotFoundError,
  PayloadTooLargeError,
  RegistryError,
  UpstreamError,
} from '../domain/errors.js';
import { assertPublicUrl, guardedLookup } from '../security/ssrf.js';

export interface FetchOptions {
  allowPrivateNetwork: boolean;
  /** Longest silence allowed on the connection: while connecting, waiting and reading the body. */
  timeoutMs: number;
  maxRedirects: number;
  maxBytes: number;
}

export interface OpenedUrl {
  /** The response body; the caller streams it and still enforces maxBytes while doing so. */
  body: Readable;
  finalUrl: string;
  contentLength: number | null;
  contentType: string | null;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Open a user-supplied http(s) URL for download. Every hop of a redirect chain is validated
 * against the SSRF guard again, and connections go through `guardedLookup` so they reach only
 * the addresses that were checked. Redirects from https to http are refused: the package would
 * otherwise travel unauthenticated although the user asked for TLS.
 */
export async function openUrl(url: string, opts: FetchOptions): Promise<OpenedUrl> {
  let current = parseUrl(url);
  for (let redirects = 0; ; redirects += 1) {
    assertPublicUrl(current, opts.allowPrivateNetwork);
    const response = await get(current, opts);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;

    if (REDIRECT_STATUSES.has(status) && location) {
      response.destroy();
      if (redirects >= opts.maxRedirects) {
        throw new UpstreamError(`${current.host} redirected more than ${opts.maxRedirects} times.`);
      }
      current = nextHop(current, location);
      continue;
    }
    if (status < 200 || status > 299) {
      response.destroy();
      throw statusError(current, status);
    }
    const contentLength = parseContentLength(response.headers['content-length']);
    if (contentLength !== null && contentLength > opts.maxBytes) {
      response.destroy();
      throw new PayloadTooLargeError(
        `The package at ${current.host} is ${contentLength} bytes; the limit is ${opts.maxBytes} bytes.`,
      );
    }
    return {
      body: response,
      finalUrl: current.href,
      contentLength,
      contentType: response.headers['content-type'] ?? null,
    };
  }
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new BadRequestError('The source URL is not a valid absolute URL.');
  }
}

function nextHop(from: URL, location: string): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new UpstreamError(`${from.host} sent a redirect to an invalid URL.`);
  }
  if (from.protocol === 'https:' && next.protocol === 'http:') {
    throw new UpstreamError(`${from.host} redirected from https to http; the downgrade is refused.`);
  }
  return next;
}

/** Send a GET and resolve with the response as soon as its headers arrive. */
function get(url: URL, opts: FetchOptions): Promise<IncomingMessage> {
  const options: RequestOptions = {
    // A fresh connection per request: pooled sockets would outlive the lookup that vetted them.
    agent: false,
    lookup: guardedLookup(opts.allowPrivateNetwork),
    timeout: opts.timeoutMs,
    headers: { accept: '*/*', 'accept-encoding': 'identity', 'user-agent': 'ModelGuard' },
  };
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined;
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options);
    request.on('timeout', () => {
      const error = new UpstreamError(`Fetching from ${url.host} timed out after ${opts.timeoutMs} ms.`, 504);
      // Before the headers the request fails; afterwards the body the caller is reading does.
      (response ?? request).destroy(error);
    });
    request.on('response', (res) => {
      response = res;
      resolve(res);
    });
    request.on('error', (error) => reject(asRegistryError(url, error)));
    request.end();
  });
}

function asRegistryError(url: URL, error: Error): RegistryError {
  if (error instanceof RegistryError) return error;
  const reason = (error as NodeJS.ErrnoException).code ?? error.message;
  return new UpstreamError(`Could not fetch from ${url.host}: ${reason}.`);
}

function statusError(url: URL, status: number): RegistryError {
  if (status === 404 || status === 410) {
    return new NotFoundError(`The source does not exist: ${url.host} answered HTTP ${status}.`);
  }
  return new UpstreamError(`The source failed: ${url.host} answered HTTP ${status}.`);
}

function parseContentLength(header: string | undefined): number | null {
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : null;
}
