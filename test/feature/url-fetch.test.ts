import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BadRequestError,
  NotFoundError,
  PayloadTooLargeError,
  UpstreamError,
} from '../../src/domain/errors.js';
import { type FetchOptions, openUrl } from '../../src/sources/url-fetch.js';

/**
 * Every address on this machine is private, so no real host can play the part of a public
 * source. This stand-in resolves one reserved name to the loopback test server as if it were a
 * public host; every other name goes through the real guarded lookup.
 */
vi.mock('../../src/security/ssrf.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/security/ssrf.js')>();
  const guardedLookup: typeof actual.guardedLookup = (allowPrivate) => {
    const real = actual.guardedLookup(allowPrivate);
    return (hostname, options, callback) => {
      if (hostname !== 'public-source.test') return real(hostname, options, callback);
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
  };
  return { ...actual, guardedLookup };
});

const PACKAGE = Buffer.from('PK\u0003\u0004 pretend this is a zip');

let server: Server;
let port: number;
const requested: string[] = [];

function route(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  requested.push(url.pathname);
  const redirect = url.pathname.match(/^\/redirect\/(\d+)$/);
  if (redirect) {
    const left = Number(redirect[1]);
    res.writeHead(302, { location: left > 0 ? `/redirect/${left - 1}` : '/file.zip' }).end();
    return;
  }
  switch (url.pathname) {
    case '/file.zip':
      res
        .writeHead(200, { 'content-type': 'application/zip', 'content-length': PACKAGE.length })
        .end(PACKAGE);
      return;
    case '/to':
      res.writeHead(307, { location: url.searchParams.get('location') ?? '' }).end();
      return;
    case '/no-location':
      res.writeHead(302).end();
      return;
    case '/missing':
      res.writeHead(404).end('no such file');
      return;
    case '/gone':
      res.writeHead(410).end();
      return;
    case '/broken':
      res.writeHead(500).end('oops');
      return;
    case '/forbidden':
      res.writeHead(403).end();
      return;
    case '/huge':
      res.writeHead(200, { 'content-length': '1000000' });
      res.write('a little of a lot');
      return;
    case '/stalls-mid-body':
      res.writeHead(200, { 'content-length': '1000' });
      res.write('the first bytes');
      return;
    case '/hang':
      return;
    default:
      res.writeHead(400).end();
  }
}

beforeAll(async () => {
  server = createServer(route);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterEach(() => {
  requested.length = 0;
  server.closeAllConnections();
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

const options = (overrides: Partial<FetchOptions> = {}): FetchOptions => ({
  allowPrivateNetwork: true,
  timeoutMs: 5_000,
  maxRedirects: 5,
  maxBytes: 1024,
  ...overrides,
});
const local = (path: string) => `http://127.0.0.1:${port}${path}`;
const publicSource = (path: string) => `http://public-source.test:${port}${path}`;

async function readAll(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(
    body,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(chunks);
}

describe('openUrl', () => {
  it('opens a URL and streams its body', async () => {
    const opened = await openUrl(local('/file.zip'), options());
    expect(opened.finalUrl).toBe(local('/file.zip'));
    expect(opened.contentLength).toBe(PACKAGE.length);
    expect(opened.contentType).toBe('application/zip');
    expect(await readAll(opened.body)).toEqual(PACKAGE);
  });

  it('opens a public host with private targets refused', async () => {
    const opened = await openUrl(publicSource('/file.zip'), options({ allowPrivateNetwork: false }));
    expect(await readAll(opened.body)).toEqual(PACKAGE);
  });

  describe('refuses private network targets without connecting', () => {
    it.each([
      ['a literal loopback address', () => local('/file.zip')],
      ['a name that resolves to loopback', () => `http://localhost:${port}/file.zip`],
      ['an IPv6 loopback literal', () => `http://[::1]:${port}/file.zip`],
    ])('%s', async (_, url) => {
      const attempt = openUrl(url(), options({ allowPrivateNetwork: false }));
      await expect(attempt).rejects.toThrow(BadRequestError);
      await expect(attempt).rejects.toThrow(/not on the public internet/);
      expect(requested).toEqual([]);
    });
  });

  it.each([
    ['not a url', /not a valid absolute URL/],
    ['ftp://example.com/a.zip', /must use http or https/],
    ['http://user:pw@example.com/a.zip', /must not carry credentials/],
  ])('refuses the malformed source %s', async (url, message) => {
    await expect(openUrl(url, options())).rejects.toThrow(message);
  });

  describe('redirects', () => {
    it('follows a chain of relative redirects up to the limit', async () => {
      const opened = await openUrl(local('/redirect/4'), options({ maxRedirects: 5 }));
      expect(opened.finalUrl).toBe(local('/file.zip'));
      expect(await readAll(opened.body)).toEqual(PACKAGE);
      expect(requested).toEqual([
        '/redirect/4',
        '/redirect/3',
        '/redirect/2',
        '/redirect/1',
        '/redirect/0',
        '/file.zip',
      ]);
    });

    it('follows an absolute redirect', async () => {
      const location = encodeURIComponent(`http://localhost:${port}/file.zip`);
      const opened = await openUrl(local(`/to?location=${location}`), options());
      expect(opened.finalUrl).toBe(`http://localhost:${port}/file.zip`);
    });

    it('gives up after too many redirects', async () => {
      const attempt = openUrl(local('/redirect/5'), options({ maxRedirects: 5 }));
      await expect(attempt).rejects.toThrow(UpstreamError);
      await expect(attempt).rejects.toThrow(/redirected more than 5 times/);
      expect(requested).toHaveLength(6);
    });

    it('refuses any redirect when none are allowed', async () => {
      await expect(openUrl(local('/redirect/0'), options({ maxRedirects: 0 }))).rejects.toThrow(
        /redirected more than 0 times/,
      );
    });

    it.each([
      ['a literal private address', () => `http://127.0.0.1:${port}/file.zip`],
      ['a name that resolves to a private address', () => `http://localhost:${port}/file.zip`],
      ['the cloud metadata service', () => 'http://169.254.169.254/latest/meta-data/'],
    ])('refuses a redirect from a public host to %s', async (_, target) => {
      const location = encodeURIComponent(target());
      const attempt = openUrl(
        publicSource(`/to?location=${location}`),
        options({ allowPrivateNetwork: false }),
      );
      await expect(attempt).rejects.toThrow(BadRequestError);
      await expect(attempt).rejects.toThrow(/not on the public internet/);
      expect(requested).toEqual(['/to']);
    });

    it('refuses a redirect to another scheme', async () => {
      const location = encodeURIComponent('file:///etc/passwd');
      await expect(openUrl(local(`/to?location=${location}`), options())).rejects.toThrow(
        /must use http or https, not file/,
      );
    });

    it('reports a redirect without a usable location as an upstream failure', async () => {
      await expect(openUrl(local('/no-location'), options())).rejects.toThrow(/answered HTTP 302/);
      const invalid = encodeURIComponent('http://[::1');
      await expect(openUrl(local(`/to?location=${invalid}`), options())).rejects.toThrow(
        /redirect to an invalid URL/,
      );
    });
  });

  describe('failures', () => {
    it.each([
      ['/missing', 404],
      ['/gone', 410],
    ])('reports %s (HTTP %i) as a missing source', async (path, status) => {
      const attempt = openUrl(local(path), options());
      await expect(attempt).rejects.toThrow(NotFoundError);
      await expect(attempt).rejects.toThrow(`127.0.0.1:${port} answered HTTP ${status}`);
    });

    it.each([
      ['/broken', 500],
      ['/forbidden', 403],
    ])('reports %s (HTTP %i) as an upstream failure', async (path, status) => {
      const attempt = openUrl(local(path), options());
      await expect(attempt).rejects.toThrow(UpstreamError);
      await expect(attempt).rejects.toMatchObject({
        statusCode: 502,
        message: expect.stringContaining(`127.0.0.1:${port} answered HTTP ${status}`),
      });
    });

    it('reports a refused connection as an upstream failure', async () => {
      const closed = createServer();
      closed.listen(0, '127.0.0.1');
      await once(closed, 'listening');
      const closedPort = (closed.address() as AddressInfo).port;
      closed.close();
      await once(closed, 'close');
      await expect(openUrl(`http://127.0.0.1:${closedPort}/a.zip`, options())).rejects.toMatchObject({
        statusCode: 502,
        message: expect.stringContaining('ECONNREFUSED'),
      });
    });

    it('times out when the server never answers', async () => {
      const attempt = openUrl(local('/hang'), options({ timeoutMs: 200 }));
      await expect(attempt).rejects.toThrow(UpstreamError);
      await expect(attempt).rejects.toMatchObject({
        statusCode: 504,
        message: expect.stringMatching(/timed out/),
      });
    });

    it('times out when the body stalls', async () => {
      const opened = await openUrl(local('/stalls-mid-body'), options({ timeoutMs: 200 }));
      await expect(readAll(opened.body)).rejects.toMatchObject({
        statusCode: 504,
        message: expect.stringMatching(/timed out/),
      });
    });

    it('refuses a Content-Length over the limit before reading the body', async () => {
      const attempt = openUrl(local('/huge'), options({ maxBytes: 999_999 }));
      await expect(attempt).rejects.toThrow(PayloadTooLargeError);
      await expect(attempt).rejects.toThrow(/1000000 bytes; the limit is 999999 bytes/);
    });

    it('accepts a Content-Length exactly at the limit', async () => {
      const opened = await openUrl(local('/file.zip'), options({ maxBytes: PACKAGE.length }));
      expect(opened.contentLength).toBe(PACKAGE.length);
      opened.body.destroy();
    });
  });
});
