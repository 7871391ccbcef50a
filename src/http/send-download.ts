import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Download } from '../services/download-service.js';
import type { ByteRange } from '../storage/blobs/blob-store.js';
import { isNotModified, rangeStillApplies } from './conditional.js';
import { parseRange } from './range.js';

/**
 * Answers a GET or HEAD for a download with what resuming clients rely on: Content-Length, a
 * strong ETag, Accept-Ranges, single ranges (206/416), If-Range and If-None-Match (304).
 * `onStart` runs (e.g. to audit) once per download that sends the body: not for HEAD, a 304
 * revalidation or a 416, not for a resumed chunk (a range not starting at byte 0), not for the
 * one-byte `bytes=0-0` probe clients send to learn a file's size and validator. Headers the
 * caller set beforehand are kept.
 */
export async function sendDownload(
  request: FastifyRequest,
  reply: FastifyReply,
  download: Download,
  onStart: () => Promise<void>,
): Promise<FastifyReply> {
  if (isNotModified(request.headers['if-none-match'], download.etag)) {
    return reply
      .status(304)
      .header('etag', download.etag)
      .header('cache-control', 'private, no-cache')
      .send();
  }
  const rangeHeader = rangeStillApplies(request.headers['if-range'], download.etag)
    ? request.headers.range
    : undefined;
  const outcome = parseRange(rangeHeader, download.size);
  if (outcome.kind === 'unsatisfiable') {
    return reply
      .status(416)
      .header('content-range', `bytes */${download.size}`)
      .send({ error: 'RANGE_NOT_SATISFIABLE', message: `The file is ${download.size} bytes long.` });
  }
  const isHead = request.method === 'HEAD';
  const startsDownload =
    !isHead &&
    (outcome.kind === 'full' ||
      (outcome.range.start === 0 && !(outcome.range.end === 0 && download.size > 1)));
  if (startsDownload) await onStart();

  if (download.redirectUrl) return reply.redirect(download.redirectUrl, 302);
  if (download.accelRedirect) {
    // nginx serves the bytes (sendfile, Range, conditional requests) from its internal location.
    return reply
      .header('x-accel-redirect', download.accelRedirect)
      .header('content-disposition', `attachment; filename="${download.fileName}"`)
      .type(download.contentType)
      .send('');
  }

  reply
    .header('accept-ranges', 'bytes')
    .header('etag', download.etag)
    .header('cache-control', 'private, no-cache')
    .header('content-disposition', contentDisposition(download.fileName))
    .type(download.contentType);
  if (download.sha256Hex) {
    reply.header('repr-digest', `sha-256=:${Buffer.from(download.sha256Hex, 'hex').toString('base64')}:`);
  }
  let range: ByteRange | undefined;
  if (outcome.kind === 'partial') {
    range = outcome.range;
    reply
      .status(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${download.size}`)
      .header('content-length', range.end - range.start + 1);
  } else {
    reply.header('content-length', download.size);
  }
  if (isHead || download.size === 0) return reply.send();
  if (download.writeTo) return writeBody(request, reply, download.writeTo, range ?? whole(download));
  return reply.send(await download.stream(range));
}

/**
 * Sends the status, the headers set so far and the body written by `writeTo`, bypassing Fastify's
 * stream piping (which would take a fresh buffer per chunk). onResponse hooks still run when the
 * response finishes. A failure after the headers went out can only cut the connection short.
 */
async function writeBody(
  request: FastifyRequest,
  reply: FastifyReply,
  writeTo: NonNullable<Download['writeTo']>,
  range: ByteRange,
): Promise<FastifyReply> {
  const response = reply.raw;
  reply.hijack();
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) response.setHeader(name, value);
  }
  response.writeHead(reply.statusCode);
  try {
    await writeTo(response, range);
    response.end();
  } catch (error) {
    request.log.warn({ err: error }, 'download stopped: the body could not be read');
    response.destroy();
  }
  return reply;
}

function whole(download: Download): ByteRange {
  return { start: 0, end: download.size - 1 };
}

/** ASCII names as they are; others also as RFC 8187 UTF-8 (`filename*`), with an ASCII fallback. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  if (ascii === fileName) return `attachment; filename="${fileName}"`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
