import type { LookupFunction } from 'node:net';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BadRequestError,
  NotFoundError,
  PayloadTooLargeError,
  UpstreamError,
} from '../../../src/domain/errors.js';
import { type FetchOptions, openUrl } from '../../../src/sources/url-fetch.js';
import { fakeWeb } from '../support/fake-web.js';

vi.mock('node:http', async (importOriginal) => {
  const { fakeWeb } = await import('../support/fake-web.js');
  return {
    ...(await importOriginal<typeof import('node:http')>()),
    request: (url: URL, options: object) => fakeWeb.request('http', url, options),
  };
});
vi.mock('node:https', async (importOriginal) => {
  const { fakeWeb } = await import('../support/fake-web.js');
  return {
    ...(await importOriginal<typeof import('node:https')>()),
    request: (url: URL, options: object) => fakeWeb.request('https', url, options),
  };
});

const OPTIONS: FetchOptions = {
  allowPrivateNetwork: false,
  timeoutMs: 5000,
  maxRedirects: 3,
  maxBytes: 1000,
};
const ZIP_URL = 'https://files.example.com/model.zip';

async function text(body: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString();
}

function redirect(location: string, status = 302) {
  return { status, headers: { location } };
}

beforeEach(() => fakeWeb.reset());

describe('openUrl', () => {
  it('opens the URL and reports what the server says about the body', async () => {
    fakeWeb.answers.set(ZIP_URL, {
      status: 200,
      headers: { 'content-length': '5', 'content-type': 'application/zip' },
      body: 'PK...',
    });
    const opened = await openUrl(ZIP_URL, OPTIONS);
    expect(opened).toMatchObject({ finalUrl: ZIP_URL, contentLength: 5, contentType: 'application/zip' });
    expect(await text(opened.body)).toBe('PK...');
  });

  it('asks over TLS for https and in the clear for http, uncompressed, on a fresh connection', async () => {
    fakeWeb.answers.set(ZIP_URL, { status: 200 });
    fakeWeb.answers.set('http://files.example.com/m.zip', { status: 200 });
    await openUrl(ZIP_URL, OPTIONS);
    await openUrl('http://files.example.com/m.zip', OPTIONS);
    expect(fakeWeb.sent.map(({ module }) => module)).toEqual(['https', 'http']);
    expect(fakeWeb.sent[0]?.options).toMatchObject({
      agent: false,
      timeout: 5000,
      headers: { 'accept-encoding': 'identity', 'user-agent': 'ModelGuard' },
    });
  });

  it('connects through the SSRF-guarded lookup, which refuses private addresses', async () => {
    fakeWeb.answers.set(ZIP_URL, { status: 200 });
    await openUrl(ZIP_URL, OPTIONS);
    const lookup = fakeWeb.sent[0]?.options.lookup as LookupFunction;
    const error = await new Promise((resolve) => lookup('127.0.0.1', {}, (failure) => resolve(failure)));
    expect(error).toMatchObject({ statusCode: 400, code: 'PRIVATE_NETWORK_TARGET' });
  });

  it('reports an absent or malformed length and type as null', async () => {
    fakeWeb.answers.set(ZIP_URL, { status: 200, headers: { 'content-length': '12abc' }, body: 'PK' });
    expect(await openUrl(ZIP_URL, OPTIONS)).toMatchObject({ contentLength: null, contentType: null });
  });

  it('refuses a body declared larger than the limit before reading it', async () => {
    fakeWeb.answers.set(ZIP_URL, { status: 200, headers: { 'content-length': '1001' } });
    const failure = openUrl(ZIP_URL, OPTIONS);
    await expect(failure).rejects.toEqual(
      new PayloadTooLargeError('The package at files.example.com is 1001 bytes; the limit is 1000 bytes.'),
    );
    expect(fakeWeb.sent[0]?.response?.destroyed).toBe(true);
  });

  describe('redirects', () => {
    it('follows relative and absolute redirects, reporting the final URL', async () => {
      fakeWeb.answers.set(ZIP_URL, redirect('/v2/model.zip', 301));
      fakeWeb.answers.set(
        'https://files.example.com/v2/model.zip',
        redirect('https://cdn.example.net/x.zip', 307),
      );
      fakeWeb.answers.set('https://cdn.example.net/x.zip', { status: 200, body: 'PK' });
      const opened = await openUrl(ZIP_URL, OPTIONS);
      expect(opened.finalUrl).toBe('https://cdn.example.net/x.zip');
      expect(fakeWeb.sent.slice(0, 2).map(({ response }) => response?.destroyed)).toEqual([true, true]);
    });

    it('stops after the allowed number of redirects', async () => {
      for (let hop = 0; hop < 5; hop++) {
        fakeWeb.answers.set(`https://files.example.com/${hop}`, redirect(`/${hop + 1}`));
      }
      await expect(openUrl('https://files.example.com/0', OPTIONS)).rejects.toEqual(
        new UpstreamError('files.example.com redirected more than 3 times.'),
      );
      expect(fakeWeb.sent).toHaveLength(4);
    });

    it('checks every hop against the SSRF guard', async () => {
      fakeWeb.answers.set(ZIP_URL, redirect('https://169.254.169.254/latest/meta-data/'));
      const failure = openUrl(ZIP_URL, OPTIONS);
      await expect(failure).rejects.toBeInstanceOf(BadRequestError);
      await expect(failure).rejects.toMatchObject({ code: 'PRIVATE_NETWORK_TARGET' });
      expect(fakeWeb.sent).toHaveLength(1);
    });

    it('follows a redirect to a private address when private networks are allowed', async () => {
      fakeWeb.answers.set('http://files.example.com/m.zip', redirect('http://10.0.0.5/m.zip'));
      fakeWeb.answers.set('http://10.0.0.5/m.zip', { status: 200 });
      const opened = await openUrl('http://files.example.com/m.zip', {
        ...OPTIONS,
        allowPrivateNetwork: true,
      });
      expect(opened.finalUrl).toBe('http://10.0.0.5/m.zip');
    });

    it('refuses a downgrade from https to http', async () => {
      fakeWeb.answers.set(ZIP_URL, redirect('http://files.example.com/model.zip'));
      await expect(openUrl(ZIP_URL, OPTIONS)).rejects.toEqual(
        new UpstreamError('files.example.com redirected from https to http; the downgrade is refused.'),
      );
    });

    it('refuses a redirect to an invalid URL', async () => {
      fakeWeb.answers.set(ZIP_URL, redirect('http://[not-an-address/'));
      await expect(openUrl(ZIP_URL, OPTIONS)).rejects.toEqual(
        new UpstreamError('files.example.com sent a redirect to an invalid URL.'),
      );
    });

    it('treats a redirect status without a Location as a failure', async () => {
      fakeWeb.answers.set(ZIP_URL, { status: 302 });
      await expect(openUrl(ZIP_URL, OPTIONS)).rejects.toEqual(
        new UpstreamError('The source failed: files.example.com answered HTTP 302.'),
      );
    });
  });

  describe('failures', () => {
    it.each([404, 410])('answers 404 when the source answers %i', async (status) => {
      fakeWeb.answers.set(ZIP_URL, { status });
      await expect(openUrl(ZIP_URL, OPTIONS)).rejects.toEqual(
        new NotFoundError(`The source does not exist: files.example.com answered HTTP ${status}.`),
      );
    });

    it.each([500, 403, 199])('answers 502 when the source answers %i', async (status) => {
      fakeWeb.answers.set(ZIP_URL, { status });
      const failure = openUrl(ZIP_URL, OPTIONS);
      await expect(failure).rejects.toBeInstanceOf(UpstreamError);
      await expect(failure).rejects.toMatchObject({ statusCode: 502 });
    });

    it('refuses URLs that are not absolute http(s) URLs without credentials, sending nothing', async () => {
      await expect(openUrl('files.example.com/model.zip', OPTIONS)).rejects.toEqual(
        new BadRequestError('The source URL is not a valid absolute URL.'),
      );
      await expect(openUrl('ftp://files.example.com/model.zip', OPTIONS)).rejects.toBeInstanceOf(
        BadRequestError,
      );
      await expect(openUrl('https://user:pw@files.example.com/m.zip', OPTIONS)).rejects.toBeInstanceOf(
        BadRequestError,
      );
      await expect(openUrl('http://127.0.0.1:8080/m.zip', OPTIONS)).rejects.toBeInstanceOf(BadRequestError);
      expect(fakeWeb.sent).toEqual([]);
    });

    it('answers 502 naming the connection error', async () => {
      fakeWeb.answers.set(ZIP_URL, { fail: 'ECONNREFUSED' });
      await expect(openUrl(ZIP_URL, OPTIONS)).rejects.toEqual(
        new UpstreamError('Could not fetch from files.example.com: ECONNREFUSED.'),
      );
    });

    it('answers 504 when the source stays silent', async () => {
      fakeWeb.answers.set(ZIP_URL, { silent: true });
      const failure = openUrl(ZIP_URL, OPTIONS);
      await expect(failure).rejects.toEqual(
        new UpstreamError('Fetching from files.example.com timed out after 5000 ms.', 504),
      );
      await expect(failure).rejects.toMatchObject({ statusCode: 504 });
    });

    it('fails the body with a 504 when it stalls after the headers', async () => {
      fakeWeb.answers.set(ZIP_URL, { stallAfterHeaders: { status: 200 } });
      const opened = await openUrl(ZIP_URL, OPTIONS);
      await expect(text(opened.body)).rejects.toMatchObject({
        statusCode: 504,
        message: 'Fetching from files.example.com timed out after 5000 ms.',
      });
    });
  });
});
