import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../../../src/domain/artifact.js';
import { downloadRoutes } from '../../../../src/http/routes/downloads.js';
import { monitorRoutes } from '../../../../src/http/routes/monitors.js';
import type { SandboxVerdict } from '../../../../src/security/monitor-sandbox.js';
import { MonitorService } from '../../../../src/services/monitor-service.js';
import { modelZip } from '../../../support/zips.js';
import { type RouteHarness, routeHarness } from '../../support/route-harness.js';
import { uploadZip } from '../../support/unit-registry.js';

/** Programs run in process: one containing "deny" exits 1 with its output, any other exits 0. */
const verdictOf = async (programPath: string): Promise<SandboxVerdict> => {
  const source = await readFile(programPath, 'utf8');
  const deny = source.includes('deny');
  return {
    allowed: !deny,
    exitCode: deny ? 1 : 0,
    reason: 'exit',
    stdout: deny ? 'not you' : 'ok',
    durationMs: 3,
  };
};

describe('monitor routes', () => {
  let h: RouteHarness;
  let admin: string;
  let uploader: string;
  let model: ArtifactRecord;
  beforeAll(async () => {
    h = await routeHarness(
      [monitorRoutes, downloadRoutes],
      { PAGE_SIZE: '1' },
      {
        adapt: (registry) => ({
          ...registry,
          monitors: new MonitorService(
            registry.store,
            registry.blobs,
            registry.temp,
            registry.securityAudit,
            registry.config.monitor,
            {
              probeIsolation: async () => ({ network: true, memory: true }),
              runMonitor: (programPath) => verdictOf(programPath),
            },
          ),
        }),
      },
    );
    admin = await h.adminToken();
    uploader = await h.userToken('owner', { can_upload: true, can_download: true });
    model = await h.registry.artifacts.upload(
      'model',
      { name: 'watched', body: Readable.from([await modelZip('watched')]) },
      await h.actor('owner'),
    );
  });
  afterAll(() => h.close());

  const as = (token: string) => ({ 'x-authorization': token });
  const setProgram = (program: string, token = admin, extra: object = {}) =>
    h.app.inject({
      method: 'POST',
      url: '/artifacts/JSProgramUpload',
      headers: as(token),
      payload: { artifact_id: model.id, js_program: program, ...extra },
    });

  it('stores a program (plain or base64) that admins read back; others get 403', async () => {
    const source = 'process.exit(0); // allow';
    const stored = await setProgram(Buffer.from(source).toString('base64'), admin, { isBase64Encoded: true });
    expect(stored.statusCode).toBe(200);
    expect(stored.json().message).toMatch(/is now sensitive/);
    expect(stored.json().s3_key).toMatch(new RegExp(`^monitor-programs/${model.id}/[0-9a-f]{64}\\.js$`));

    const read = await h.app.inject({
      method: 'GET',
      url: `/artifacts/model/${model.id}/monitor`,
      headers: as(admin),
    });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ artifact_id: model.id, program: source, size: source.length });
    expect((await setProgram(source, uploader)).statusCode).toBe(403);
    const dataset = await uploadZip(h, 'dataset', 'not-a-model', await modelZip('not-a-model'));
    const wrongType = await h.app.inject({
      method: 'POST',
      url: '/artifacts/JSProgramUpload',
      headers: as(admin),
      payload: { artifact_id: dataset.id, js_program: source },
    });
    expect(wrongType.statusCode).toBe(404);
  });

  it('runs the program before the bytes go: refusal is 403 MONITOR_REFUSED, and both are in the history', async () => {
    expect((await setProgram('process.exit(0); // allow')).statusCode).toBe(200);
    const allowed = await h.app.inject({
      method: 'GET',
      url: `/download/model/${model.id}`,
      headers: as(uploader),
    });
    expect(allowed.statusCode).toBe(200);
    expect((await setProgram('process.exit(1); // deny')).statusCode).toBe(200);
    const refused = await h.app.inject({
      method: 'GET',
      url: `/download/model/${model.id}`,
      headers: as(uploader),
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toBe('MONITOR_REFUSED');
    // HEAD sends no bytes and is not asked.
    expect(
      (await h.app.inject({ method: 'HEAD', url: `/download/model/${model.id}`, headers: as(uploader) }))
        .statusCode,
    ).toBe(200);

    // The uploader may read the history, newest first, one entry per page here.
    const first = await h.app.inject({
      method: 'GET',
      url: `/artifacts/model/${model.id}/downloads`,
      headers: as(uploader),
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual([
      expect.objectContaining({
        username: 'owner',
        allowed: false,
        exit_code: 1,
        reason: 'exit',
        stdout: 'not you',
        part: 'full',
      }),
    ]);
    const offset = String(first.headers.offset);
    const second = await h.app.inject({
      method: 'GET',
      url: `/artifacts/model/${model.id}/downloads?offset=${encodeURIComponent(offset)}`,
      headers: as(admin),
    });
    expect(second.json()[0]).toMatchObject({ allowed: true, exit_code: 0, reused: false });

    const stranger = await h.userToken('stranger', { can_download: true });
    const denied = await h.app.inject({
      method: 'GET',
      url: `/artifacts/model/${model.id}/downloads`,
      headers: as(stranger),
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().message).toBe(
      "Only administrators and the model's uploader may read its download history.",
    );
  });

  it('removes the program (the model is no longer sensitive); 404 when there is none', async () => {
    await setProgram('process.exit(1); // deny');
    const removed = await h.app.inject({
      method: 'DELETE',
      url: `/artifacts/model/${model.id}/monitor`,
      headers: as(admin),
    });
    expect(removed.statusCode).toBe(200);
    expect(removed.json().message).toBe(`Model watched (${model.id}) is no longer sensitive.`);
    expect(
      (await h.app.inject({ method: 'GET', url: `/download/model/${model.id}`, headers: as(uploader) }))
        .statusCode,
    ).toBe(200);
    expect(
      (await h.app.inject({ method: 'GET', url: `/artifacts/model/${model.id}/monitor`, headers: as(admin) }))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await h.app.inject({
          method: 'DELETE',
          url: `/artifacts/model/${model.id}/monitor`,
          headers: as(admin),
        })
      ).statusCode,
    ).toBe(404);
  });
});
