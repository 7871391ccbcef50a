import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_NAME } from '../../src/services/auth-service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { uploadOk } from '../support/requests.js';
import { userToken } from '../support/users.js';
import { makeZip, safetensorsBytes, sha256 } from '../support/zips.js';

/**
 * Allows alice only, and proves it saw the real arguments and could read the package: it prints
 * the model, uploader and downloader, and the zip's first two bytes.
 */
const ALICE_ONLY = `
const [model, uploader, downloader, zip] = process.argv.slice(2);
const magic = require('fs').readFileSync(zip).subarray(0, 2).toString();
console.log(\`\${model} by \${uploader} for \${downloader}: \${magic}\`);
process.exit(downloader === 'alice' ? 0 : 7);
`;

describe('sensitive models (JSProgramUpload and the monitor before every download)', () => {
  let t: TestApp;
  let admin: string;
  let alice: string;
  let mallory: string;
  let uploader: string;
  let id: string;
  let datasetId: string;
  let zip: Buffer;

  beforeAll(async () => {
    t = await startTestApp({ MONITOR_TIMEOUT_MS: '3000', PAGE_SIZE: '3' });
    admin = await t.token();
    const downloader = { can_download: true, can_search: true };
    alice = await userToken(t.app, admin, 'alice', downloader);
    mallory = await userToken(t.app, admin, 'mallory', downloader);
    uploader = await userToken(t.app, admin, 'carol', { can_upload: true });
    zip = await makeZip([
      { path: 'README.md', content: '# guarded' },
      { path: 'model.safetensors', content: safetensorsBytes(50_000), store: true },
    ]);
    id = await uploadOk(t.app, uploader, 'acme/guarded', zip);
    datasetId = await uploadOk(t.app, admin, 'acme/data', zip, { type: 'dataset' });
  });
  afterAll(() => t.close());

  const call = (
    token: string | null,
    method: 'GET' | 'POST' | 'DELETE' | 'HEAD',
    url: string,
    payload?: object,
  ) =>
    t.app.inject({
      method,
      url,
      headers: token ? { 'x-authorization': token } : {},
      ...(payload ? { payload } : {}),
    });
  const setProgram = (program: string, token = admin, extra: object = {}) =>
    call(token, 'POST', '/artifacts/JSProgramUpload', { artifact_id: id, js_program: program, ...extra });
  const download = (token: string, query = '', headers: Record<string, string> = {}) =>
    t.app.inject({ url: `/download/model/${id}${query}`, headers: { 'x-authorization': token, ...headers } });
  const history = async (token = admin) =>
    (await call(token, 'GET', `/artifacts/model/${id}/downloads`)).json();

  describe('POST /artifacts/JSProgramUpload', () => {
    it('answers 400 for missing or invalid fields, naming what is wrong', async () => {
      const cases: [object, RegExp][] = [
        [{ artifact_id: id }, /js_program/],
        [{ js_program: 'process.exit(0)' }, /artifact_id/],
        [{ artifact_id: 'not an id!', js_program: 'process.exit(0)' }, /artifact_id/],
        [{ artifact_id: id, js_program: '   ' }, /empty/],
        [{ artifact_id: id, js_program: 'if (', isBase64Encoded: false }, /not valid JavaScript/],
        [{ artifact_id: id, js_program: 'not base64!', isBase64Encoded: true }, /base64/],
        [
          {
            artifact_id: id,
            js_program: Buffer.from([0xff, 0xfe]).toString('base64'),
            isBase64Encoded: true,
          },
          /UTF-8/,
        ],
        [{ artifact_id: id, js_program: `// ${'x'.repeat(300_000)}` }, /limit is 262144/],
      ];
      for (const [payload, message] of cases) {
        const response = await call(admin, 'POST', '/artifacts/JSProgramUpload', payload);
        expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
        expect(response.json().message).toMatch(message);
      }
    });

    it('answers 403 without a token and for anyone but an admin', async () => {
      expect((await setProgram('process.exit(0)', '')).statusCode).toBe(403);
      expect((await setProgram('process.exit(0)', uploader)).statusCode).toBe(403);
      expect((await setProgram('process.exit(0)', alice)).statusCode).toBe(403);
    });

    it('answers 404 for an unknown artifact and for one that is not a model', async () => {
      for (const artifact_id of ['123e4567-e89b-12d3-a456-426614174000', datasetId]) {
        const response = await call(admin, 'POST', '/artifacts/JSProgramUpload', {
          artifact_id,
          js_program: 'process.exit(0)',
        });
        expect(response.statusCode).toBe(404);
      }
    });

    it('stores a plain or base64 program, readable and removable by admins', async () => {
      const plain = await setProgram('#!/usr/bin/env node\nprocess.exit(0);\n');
      expect(plain.statusCode).toBe(200);
      expect(plain.json()).toEqual({
        message: expect.stringContaining('sensitive'),
        s3_key: expect.any(String),
      });

      const encoded = await setProgram(Buffer.from(ALICE_ONLY).toString('base64'), admin, {
        isBase64Encoded: true,
      });
      expect(encoded.statusCode).toBe(200);
      expect(encoded.json().s3_key).toContain(sha256(Buffer.from(ALICE_ONLY)));
      const read = await call(admin, 'GET', `/artifacts/model/${id}/monitor`);
      expect(read.json()).toMatchObject({
        artifact_id: id,
        program: ALICE_ONLY,
        sha256: sha256(Buffer.from(ALICE_ONLY)),
        size: Buffer.byteLength(ALICE_ONLY),
        uploaded_by: DEFAULT_ADMIN_NAME,
      });
      expect((await call(alice, 'GET', `/artifacts/model/${id}/monitor`)).statusCode).toBe(403);
    });
  });

  describe('downloads of a sensitive model', () => {
    it('lets the bytes go when the program exits 0, after it saw the arguments and the package', async () => {
      const response = await download(alice);
      expect(response.statusCode).toBe(200);
      expect(sha256(response.rawPayload)).toBe(sha256(zip));
      const [latest] = await history();
      expect(latest).toMatchObject({
        username: 'alice',
        allowed: true,
        exit_code: 0,
        reason: 'exit',
        part: 'full',
        reused: false,
        stdout: 'acme/guarded by carol for alice: PK\n',
      });
    });

    it('refuses with 403 and the program output otherwise: full, aspect, range and Hub file alike', async () => {
      for (const [query, headers] of [
        ['', {}],
        ['?aspect=weights', {}],
        ['', { range: 'bytes=0-99' }],
      ] as const) {
        const response = await download(mallory, query, headers);
        expect(response.statusCode).toBe(403);
        expect(response.json()).toEqual({
          error: 'MONITOR_REFUSED',
          message: expect.stringContaining('exit code 7). Its output: acme/guarded by carol for mallory: PK'),
        });
      }
      const hub = await t.app.inject({
        url: '/acme/guarded/resolve/main/model.safetensors',
        headers: { authorization: `Bearer ${mallory.replace(/^bearer\s+/i, '')}` },
      });
      expect(hub.statusCode).toBe(403);
      expect(hub.headers['x-error-code']).toBe('GatedRepo');
      expect(hub.json().message).toContain('for mallory: PK');
      const parts = (await history()).map((entry: { part: string; allowed: boolean }) => [
        entry.part,
        entry.allowed,
      ]);
      expect(parts.slice(0, 3)).toEqual([
        ['file:model.safetensors', false],
        ['full', false],
        ['weights', false],
      ]);
    });

    it('sends no bytes for HEAD and so does not ask the program', async () => {
      const before = (await history())[0];
      const head = await t.app.inject({
        method: 'HEAD',
        url: `/download/model/${id}`,
        headers: { 'x-authorization': mallory },
      });
      expect(head.statusCode).toBe(200);
      expect((await history())[0]).toEqual(before);
    });

    it('reuses a recent allowing verdict for a resumed range, until the program changes', async () => {
      expect((await download(alice)).statusCode).toBe(200);
      const resumed = await download(alice, '', { range: 'bytes=100-' });
      expect(resumed.statusCode).toBe(206);
      expect(resumed.rawPayload.equals(zip.subarray(100))).toBe(true);
      expect((await history())[0]).toMatchObject({ username: 'alice', allowed: true, reused: true });

      expect((await setProgram(`console.log('closed for maintenance'); process.exit(1);`)).statusCode).toBe(
        200,
      );
      const refused = await download(alice, '', { range: 'bytes=200-' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().message).toContain('closed for maintenance');
    });

    it('fails closed: a program that reads the registry database or never ends is stopped, and the registry stays healthy', async () => {
      const database = join(t.dataDir, 'registry.db');
      expect(
        (await setProgram(`require('fs').readFileSync(${JSON.stringify(database)}); process.exit(0);`))
          .statusCode,
      ).toBe(200);
      const reading = await download(alice);
      expect(reading.statusCode).toBe(403);
      expect((await history())[0]).toMatchObject({ allowed: false, reason: 'exit' });

      expect((await setProgram('for (;;) {}')).statusCode).toBe(200);
      const looping = await download(alice);
      expect(looping.statusCode).toBe(403);
      expect(looping.json().message).toContain('timed out');
      expect((await call(null, 'GET', '/health')).statusCode).toBe(200);
      // The package copy an object store needs, and the program file, are gone after each run.
      const scratch = join(t.dataDir, 'tmp');
      for (const folder of await readdir(scratch)) expect(await readdir(join(scratch, folder))).toEqual([]);
    });

    it('records every verdict in the security audit trail', async () => {
      const events: { action: string; outcome: string }[] = [];
      let offset: string | undefined;
      do {
        const query = `subject=${id}${offset ? `&offset=${offset}` : ''}`;
        const page = await call(admin, 'GET', `/audit/security?${query}`);
        events.push(...page.json());
        offset = page.headers.offset as string | undefined;
      } while (offset);
      const verdicts = events.filter((event) => event.action === 'SENSITIVE_DOWNLOAD');
      expect(verdicts.some((event) => event.outcome === 'success')).toBe(true);
      expect(verdicts.some((event) => event.outcome === 'failure')).toBe(true);
      expect(events.some((event) => event.action === 'MONITOR_SET')).toBe(true);
    });
  });

  describe('the download history', () => {
    it('is paged newest first, for admins and the uploader only', async () => {
      const first = await call(uploader, 'GET', `/artifacts/model/${id}/downloads`);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toHaveLength(3);
      const next = await call(
        uploader,
        'GET',
        `/artifacts/model/${id}/downloads?offset=${first.headers.offset}`,
      );
      expect(next.json()).toHaveLength(3);
      const firstAt = first.json().map((entry: { at: string }) => entry.at);
      expect([...firstAt].sort().reverse()).toEqual(firstAt);
      expect((await call(alice, 'GET', `/artifacts/model/${id}/downloads`)).statusCode).toBe(403);
      expect((await call(alice, 'GET', '/artifacts/model/nope/downloads')).statusCode).toBe(404);
    });

    it('stays after the program is removed, and the model is no longer sensitive', async () => {
      const removed = await call(admin, 'DELETE', `/artifacts/model/${id}/monitor`);
      expect(removed.statusCode).toBe(200);
      expect((await call(admin, 'DELETE', `/artifacts/model/${id}/monitor`)).statusCode).toBe(404);
      expect((await call(admin, 'GET', `/artifacts/model/${id}/monitor`)).statusCode).toBe(404);
      const count = (await history()).length;
      expect((await download(mallory)).statusCode).toBe(200);
      expect((await history()).length).toBe(count);
    });
  });

  it('reports the sandbox in the component health', async () => {
    const components = (await call(null, 'GET', '/health/components')).json().components as {
      id: string;
      status: string;
      metrics: Record<string, unknown>;
    }[];
    expect(components.find((c) => c.id === 'monitor-sandbox')).toMatchObject({
      status: 'ok',
      metrics: { network_isolated: true, native_memory_limited: true },
    });
  });
});
