import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import {
  fakeRegistry,
  type Handler,
  json,
  modelguard,
  type SentRequest,
  SIGNED_IN,
  tempDir,
} from './support.js';

const PACKAGE = randomBytes(50_000);
const ETAG = '"v1"';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** The file's SHA-256 (comparing digests, not 50 kB byte by byte). */
const digestOf = async (path: string) => sha256(await readFile(path));
const reprDigest = (bytes: Buffer) => `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;

/**
 * GET /download/model/m1 as the registry answers it: the package with its ETag and Repr-Digest,
 * one byte range (206) when Range is sent and If-Range still names this ETag, 416 past the end.
 * `cutAt` breaks the connection after that many body bytes (once per listed call).
 */
function downloadRoute(
  options: { bytes?: Buffer; etag?: string; digest?: string | null; cutAt?: (number | null)[] } = {},
): Handler {
  const bytes = options.bytes ?? PACKAGE;
  const etag = options.etag ?? ETAG;
  const cuts = [...(options.cutAt ?? [])];
  return (request: SentRequest) => {
    const range = /^bytes=(\d+)-$/.exec(request.headers.get('range') ?? '');
    const applies = range !== null && request.headers.get('if-range') === etag;
    const start = applies ? Number(range?.[1]) : 0;
    const headers: Record<string, string> = { etag, 'accept-ranges': 'bytes' };
    if (options.digest !== null) headers['repr-digest'] = options.digest ?? reprDigest(bytes);
    if (start >= bytes.length && applies) {
      return new Response(null, {
        status: 416,
        headers: { ...headers, 'content-range': `bytes */${bytes.length}` },
      });
    }
    const body = bytes.subarray(start);
    if (applies) headers['content-range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    else headers['content-length'] = String(bytes.length);
    const cut = cuts.shift() ?? null;
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls += 1;
        if (cut === null) {
          controller.enqueue(body);
          controller.close();
        } else if (pulls === 1) controller.enqueue(body.subarray(0, cut));
        else {
          // The bytes sent before the break reach the file first, as on a real socket.
          await new Promise((resolve) => setTimeout(resolve, 20));
          controller.error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
        }
      },
    });
    return new Response(stream, { status: applies ? 206 : 200, headers });
  };
}

let dir: Awaited<ReturnType<typeof tempDir>>;
let output: string;
beforeEach(async () => {
  dir = await tempDir();
  output = join(dir.path, 'bert.zip');
});
afterEach(() => dir.remove());

const download = (registry: ReturnType<typeof fakeRegistry>, ...args: string[]) =>
  modelguard(['download', 'm1', '-t', 'model', '-o', output, ...args], {
    env: SIGNED_IN,
    fetch: registry.fetch,
  });

describe('modelguard download', () => {
  it('writes the package, checks its SHA-256 and says so; no partial files are left', async () => {
    const registry = fakeRegistry({ 'GET /download/model/m1': downloadRoute() });
    const run = await download(registry);
    expect(run.code).toBe(EXIT.ok);
    expect(await digestOf(output)).toBe(sha256(PACKAGE));
    expect(await readdir(dir.path)).toEqual(['bert.zip']);
    expect(run.stderr).toMatch(
      new RegExp(`^Downloaded ${output} \\(50.0 kB in [\\d.]+ s, .*/s\\)\\n${output}: SHA-256 verified.\\n$`),
    );
  });

  it('names the file after the artifact (and the aspect), asking the registry for its name', async () => {
    const registry = fakeRegistry({
      'GET /artifacts/model/m1': () =>
        json({ metadata: { id: 'm1', name: 'org/bert base', type: 'model' }, data: { url: 'u' } }),
      'GET /download/model/m1': downloadRoute({ digest: null }),
    });
    const cwd = process.cwd();
    process.chdir(dir.path);
    try {
      const run = await modelguard(['download', 'm1', '-t', 'model', '--aspect', 'weights', '--json'], {
        env: SIGNED_IN,
        fetch: registry.fetch,
      });
      expect(run.code).toBe(EXIT.ok);
      expect(JSON.parse(run.stdout)).toEqual({
        output: 'org_bert_base-weights.zip',
        bytes: PACKAGE.length,
        resumedFrom: 0,
        reconnects: 0,
        verified: false,
      });
      expect(run.stderr).toBe('');
    } finally {
      process.chdir(cwd);
    }
    expect(registry.requests.at(-1)?.path).toBe('/download/model/m1?aspect=weights');
    expect(await digestOf(join(dir.path, 'org_bert_base-weights.zip'))).toBe(sha256(PACKAGE));
  });

  it('an artifact without a usable name is saved under its id; unverified downloads claim nothing', async () => {
    const registry = fakeRegistry({
      'GET /artifacts/model/m1': () =>
        json({ metadata: { id: 'm1', name: '', type: 'model' }, data: { url: 'u' } }),
      'GET /download/model/m1': downloadRoute({ digest: null }),
    });
    const cwd = process.cwd();
    process.chdir(dir.path);
    try {
      const run = await modelguard(['download', 'm1', '-t', 'model'], {
        env: SIGNED_IN,
        fetch: registry.fetch,
      });
      expect(run.code).toBe(EXIT.ok);
      expect(run.stderr).toMatch(/^Downloaded m1\.zip \(50\.0 kB in [\d.]+ s, .*\/s\)\n$/);
    } finally {
      process.chdir(cwd);
    }
    expect(await digestOf(join(dir.path, 'm1.zip'))).toBe(sha256(PACKAGE));
  });

  it('resumes a broken connection with Range and If-Range within the run', async () => {
    const registry = fakeRegistry({ 'GET /download/model/m1': downloadRoute({ cutAt: [20_000] }) });
    const run = await download(registry, '--retries', '1', '--json');
    expect(run.code).toBe(EXIT.ok);
    expect(await digestOf(output)).toBe(sha256(PACKAGE));
    expect(JSON.parse(run.stdout)).toMatchObject({ reconnects: 1, resumedFrom: 0, verified: true });
    expect(run.stderr).toContain('resuming from byte 20000 (retry 1 of 1)');
    expect(registry.requests.map((r) => [r.headers.get('range'), r.headers.get('if-range')])).toEqual([
      [null, null],
      ['bytes=20000-', ETAG],
    ]);
  });

  it('out of retries it keeps the partial file, and the next run resumes it', async () => {
    const broken = fakeRegistry({ 'GET /download/model/m1': downloadRoute({ cutAt: [30_000] }) });
    const first = await download(broken, '--retries', '0');
    expect(first.code).toBe(EXIT.failure);
    expect(first.stderr).toContain(
      `30000 bytes are in ${output}.part: run the same command again to resume.`,
    );
    expect((await readFile(`${output}.part`)).length).toBe(30_000);

    const healthy = fakeRegistry({ 'GET /download/model/m1': downloadRoute() });
    const second = await download(healthy, '--json');
    expect(second.code).toBe(EXIT.ok);
    expect(second.stderr).toBe(`Resuming ${output} from byte 30000.\n`);
    expect(JSON.parse(second.stdout)).toMatchObject({
      resumedFrom: 30_000,
      bytes: PACKAGE.length,
      verified: true,
    });
    expect(healthy.requests[0]?.headers.get('range')).toBe('bytes=30000-');
    expect(await digestOf(output)).toBe(sha256(PACKAGE));
    expect(await readdir(dir.path)).toEqual(['bert.zip']);
  });

  it('starts over when the package changed since the partial download (If-Range no longer matches)', async () => {
    await download(
      fakeRegistry({ 'GET /download/model/m1': downloadRoute({ cutAt: [10_000] }) }),
      '--retries',
      '0',
    );
    const changed = randomBytes(20_000);
    const registry = fakeRegistry({
      'GET /download/model/m1': downloadRoute({ bytes: changed, etag: '"v2"' }),
    });
    const run = await download(registry);
    expect(run.code).toBe(EXIT.ok);
    expect(await digestOf(output)).toBe(sha256(changed));
  });

  it('a partial file that is already complete (416) is just finished', async () => {
    await writeFile(`${output}.part`, PACKAGE);
    await writeFile(
      `${output}.part.json`,
      JSON.stringify({ url: 'http://registry.test/download/model/m1', etag: ETAG }),
    );
    const registry = fakeRegistry({ 'GET /download/model/m1': downloadRoute() });
    const run = await download(registry, '--json');
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ resumedFrom: PACKAGE.length, verified: false });
    expect(registry.requests).toHaveLength(1);
    expect(await digestOf(output)).toBe(sha256(PACKAGE));
  });

  it('a 416 for a partial file of the wrong length starts over', async () => {
    await writeFile(`${output}.part`, Buffer.concat([PACKAGE, Buffer.from('extra')]));
    await writeFile(
      `${output}.part.json`,
      JSON.stringify({ url: 'http://registry.test/download/model/m1', etag: ETAG }),
    );
    const registry = fakeRegistry({ 'GET /download/model/m1': downloadRoute() });
    const run = await download(registry);
    expect(run.code).toBe(EXIT.ok);
    expect(registry.requests.map((r) => r.headers.get('range'))).toEqual([
      `bytes=${PACKAGE.length + 5}-`,
      null,
    ]);
    expect(await digestOf(output)).toBe(sha256(PACKAGE));
  });

  it('a partial file of another download is not resumed', async () => {
    await writeFile(`${output}.part`, 'stale bytes');
    await writeFile(`${output}.part.json`, JSON.stringify({ url: 'http://elsewhere/x', etag: ETAG }));
    const registry = fakeRegistry({ 'GET /download/model/m1': downloadRoute() });
    const run = await download(registry);
    expect(run.code).toBe(EXIT.ok);
    expect(registry.requests[0]?.headers.get('range')).toBeNull();
    expect(await digestOf(output)).toBe(sha256(PACKAGE));
  });

  it("bytes that do not match the registry's SHA-256 are removed, exit 1", async () => {
    const registry = fakeRegistry({
      'GET /download/model/m1': downloadRoute({ digest: reprDigest(Buffer.from('other')) }),
    });
    const run = await download(registry);
    expect(run.code).toBe(EXIT.failure);
    expect(run.stderr).toContain(
      `error: ${output} does not match the registry's SHA-256; the partial file was removed`,
    );
    expect(await readdir(dir.path)).toEqual([]);
  });

  it('a body shorter than announced (connection closed early) is a broken transfer', async () => {
    const registry = fakeRegistry({
      'GET /download/model/m1': () =>
        new Response(PACKAGE.subarray(0, 100), {
          headers: { 'content-length': String(PACKAGE.length), etag: ETAG },
        }),
    });
    const run = await download(registry, '--retries', '0');
    expect(run.code).toBe(EXIT.failure);
    expect(run.stderr).toContain(`the connection closed at byte 100 of ${PACKAGE.length}`);
  });

  it('draws a progress bar on a terminal', async () => {
    const registry = fakeRegistry({ 'GET /download/model/m1': downloadRoute() });
    const run = await modelguard(['download', 'm1', '-t', 'model', '-o', output], {
      env: SIGNED_IN,
      fetch: registry.fetch,
      tty: true,
    });
    expect(run.stderr).toMatch(/\rdownload {2}\[#+-*\] {2}\d+% {2}[\d.]+ kB\/50.0 kB/);
    expect(run.stderr).toContain('\r\u001b[K');
  });

  it("refuses a --retries that is not a count, and a 403 from a sensitive model's monitor is exit 3", async () => {
    const bad = await download(fakeRegistry({}), '--retries', '-1');
    expect(bad).toMatchObject({ code: EXIT.usage, stderr: 'error: --retries takes a count\n' });
    const refused = fakeRegistry({
      'GET /download/model/m1': () =>
        json({ error: 'FORBIDDEN', message: 'The monitor program refused this download.' }, 403),
    });
    const run = await download(refused);
    expect(run).toMatchObject({
      code: EXIT.auth,
      stderr: 'error: The monitor program refused this download. (403 FORBIDDEN)\n',
    });
    expect(await readdir(dir.path)).toEqual([]);
  });
});
