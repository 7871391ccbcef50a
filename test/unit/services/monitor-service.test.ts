import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MonitorConfig } from '../../../src/config.js';
import type { ArtifactRecord } from '../../../src/domain/artifact.js';
import { MonitorRefusedError, NotFoundError } from '../../../src/domain/errors.js';
import type { IsolationSupport, SandboxVerdict } from '../../../src/security/monitor-sandbox.js';
import type { Actor } from '../../../src/security/permissions.js';
import {
  type DownloadRequest,
  type MonitorSandbox,
  MonitorService,
} from '../../../src/services/monitor-service.js';
import { SecurityAudit } from '../../../src/services/security-audit.js';
import type { BlobStore } from '../../../src/storage/blobs/blob-store.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { modelZip } from '../../support/zips.js';
import { createUnitRegistry, type UnitRegistry, uploadZip } from '../support/unit-registry.js';

/** What one program run saw: its source, argv after the program, and the zip's bytes. */
interface Run {
  source: string;
  args: string[];
  zip: Buffer;
  zipPath: string;
  isolation: IsolationSupport;
}

class Exit {
  constructor(readonly code: number) {}
}

/**
 * Runs a program in process, in a fresh V8 context with `process.argv`, `process.exit` and
 * `console.log`, as `node PROGRAM MODEL UPLOADER DOWNLOADER ZIP` would: exit 0 (or the end of the
 * program) allows; another exit code, an exception, the time limit or too much output refuses.
 */
async function runInContext(source: string, args: string[], timeoutMs: number, outputBytes: number) {
  let stdout = '';
  const process = {
    argv: ['node', 'monitor.js', ...args],
    exit: (code = 0) => {
      throw new Exit(code);
    },
  };
  const console = { log: (...parts: unknown[]) => (stdout += `${parts.join(' ')}\n`) };
  let exitCode = 0;
  let reason: SandboxVerdict['reason'] = 'exit';
  try {
    runInNewContext(source, { process, console }, { timeout: timeoutMs });
  } catch (error) {
    if (error instanceof Exit) exitCode = error.code;
    else if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') reason = 'timeout';
    else exitCode = 1;
  }
  if (Buffer.byteLength(stdout) > outputBytes) reason = 'output-limit';
  return {
    allowed: reason === 'exit' && exitCode === 0,
    exitCode: reason === 'exit' ? exitCode : null,
    reason,
    stdout: Buffer.from(stdout).subarray(0, outputBytes).toString(),
    durationMs: 1,
  } satisfies SandboxVerdict;
}

/** The in-process sandbox: records every run and counts how many run at once. */
function inProcessSandbox(isolation: IsolationSupport = { network: true, memory: false }) {
  const runs: Run[] = [];
  let probes = 0;
  let active = 0;
  let maxActive = 0;
  let hold: Promise<void> | null = null;
  const sandbox: MonitorSandbox = {
    probeIsolation: async () => {
      probes++;
      return isolation;
    },
    runMonitor: async (programPath, args, zipPath, limits, givenIsolation) => {
      const source = await readFile(programPath, 'utf8');
      runs.push({ source, args, zip: await readFile(zipPath), zipPath, isolation: givenIsolation });
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        await hold;
        return await runInContext(source, args, limits.timeoutMs, limits.outputBytes);
      } finally {
        active--;
      }
    },
  };
  return {
    sandbox,
    runs,
    probes: () => probes,
    maxActive: () => maxActive,
    /** Runs wait until the returned function is called. */
    holdRuns(): () => void {
      let release: () => void = () => {};
      hold = new Promise((resolve) => (release = resolve));
      return () => {
        hold = null;
        release();
      };
    },
  };
}

/** A blob store without local files (like S3): the service must copy the package to a temp file. */
function objectStoreView(blobs: BlobStore): BlobStore {
  return {
    kind: 'object-store',
    putFile: (path, digest, size) => blobs.putFile(path, digest, size),
    read: (digest, range) => blobs.read(digest, range),
    stat: (digest) => blobs.stat(digest),
    delete: (digest) => blobs.delete(digest),
    list: () => blobs.list(),
    clear: () => blobs.clear(),
    ping: () => blobs.ping(),
  };
}

const ALLOW = 'process.exit(0);';
/** A signed-in caller allowed to download, without admin rights. */
function user(name: string): Actor {
  return { name, isAdmin: false, canUpload: false, canSearch: true, canDownload: true };
}

const DOWNLOADER = user('dana');

let unit: UnitRegistry;
let zip: Buffer;
let models = 0;
/** A fresh model per test: programs, history and audit events are the model's own. */
let model: ArtifactRecord;

beforeAll(async () => {
  unit = await createUnitRegistry({ MONITOR_VERDICT_TTL_SECONDS: '60', MONITOR_PROGRAM_MAX_BYTES: '2048' });
  zip = await modelZip('sensitive-model');
});

afterAll(() => unit.close());

beforeEach(async () => {
  models++;
  model = await uploadZip(unit, 'model', `sensitive-model-${models}`, zip);
});

afterEach(() => {
  vi.useRealTimers();
});

function service(
  sandbox: MonitorSandbox,
  {
    blobs,
    store,
    config,
  }: { blobs?: BlobStore; store?: MetadataStore; config?: Partial<MonitorConfig> } = {},
) {
  const { registry } = unit;
  const metadata = store ?? registry.store;
  return new MonitorService(
    metadata,
    blobs ?? registry.blobs,
    registry.temp,
    new SecurityAudit(metadata),
    { ...registry.config.monitor, ...config },
    sandbox,
  );
}

function request(overrides: Partial<DownloadRequest> = {}): DownloadRequest {
  return { record: model, downloader: DOWNLOADER, part: 'full', resuming: false, ...overrides };
}

async function history() {
  return (await unit.registry.store.monitors.listDownloads(model.id, { limit: 100 })).items;
}

async function auditTrail(action: string) {
  const events = (await unit.registry.securityAudit.list({ limit: 100 }, model.id)).items;
  return events.filter((event) => event.action === action);
}

async function refusal(work: Promise<unknown>): Promise<MonitorRefusedError> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MonitorRefusedError);
  return error as MonitorRefusedError;
}

describe('MonitorService programs', () => {
  it('stores a program with its digest and size, and records the change in the audit trail first', async () => {
    const monitors = service(inProcessSandbox().sandbox);
    const source = "console.log('checked');\n";
    const program = await monitors.setProgram(unit.admin, model, source, false);
    expect(program).toMatchObject({
      artifactId: model.id,
      source,
      size: Buffer.byteLength(source),
      uploadedBy: unit.admin.name,
      sha256: createHash('sha256').update(source).digest('hex'),
    });
    expect((await monitors.getProgram(model)).source).toBe(source);
    const [event] = await auditTrail('MONITOR_SET');
    expect(event).toMatchObject({
      outcome: 'success',
      actor: unit.admin.name,
      detail: `sha256 ${program.sha256}`,
    });
  });

  it('decodes a base64 program, and accepts a leading hashbang line', async () => {
    const monitors = service(inProcessSandbox().sandbox);
    const source = '#!/usr/bin/env node\nprocess.exit(0);\n';
    const encoded = Buffer.from(source)
      .toString('base64')
      .replace(/(.{8})/g, '$1\n');
    const program = await monitors.setProgram(unit.admin, model, encoded, true);
    expect(program.source).toBe(source);
  });

  it.each([
    ['not base64', 'not*base64', true, 'js_program is not valid base64 (isBase64Encoded is true).'],
    ['base64 of a wrong length', 'abc', true, 'js_program is not valid base64 (isBase64Encoded is true).'],
    [
      'base64 of bytes that are not UTF-8',
      Buffer.from([0xff, 0xfe, 0xfd]).toString('base64'),
      true,
      'js_program does not decode to UTF-8 text.',
    ],
    ['blank', ' \n\t', false, 'js_program is empty.'],
    [
      'over the size limit',
      `// ${'x'.repeat(2100)}`,
      false,
      'js_program is 2103 bytes; the limit is 2048 (MONITOR_PROGRAM_MAX_BYTES).',
    ],
  ])('refuses a program that is %s with 400', async (_, text, isBase64, message) => {
    const monitors = service(inProcessSandbox().sandbox);
    await expect(monitors.setProgram(unit.admin, model, text, isBase64)).rejects.toMatchObject({
      statusCode: 400,
      message,
    });
    await expect(unit.registry.store.monitors.getProgram(model.id)).resolves.toBeNull();
  });

  it('refuses a program that does not parse as JavaScript, naming the syntax error', async () => {
    const monitors = service(inProcessSandbox().sandbox);
    await expect(monitors.setProgram(unit.admin, model, 'if (', false)).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/^js_program is not valid JavaScript: Unexpected end of input/),
    });
  });

  it('does not store a program when the audit trail cannot record the change', async () => {
    const { store } = unit.registry;
    const failing: MetadataStore = Object.assign(Object.create(store) as MetadataStore, {
      appendSecurityEvent: () => Promise.reject(new Error('audit trail unavailable')),
    });
    const monitors = service(inProcessSandbox().sandbox, { store: failing });
    await expect(monitors.setProgram(unit.admin, model, ALLOW, false)).rejects.toThrow(
      'audit trail unavailable',
    );
    await expect(store.monitors.getProgram(model.id)).resolves.toBeNull();
  });

  it('removes a program (audited); a model without one answers 404', async () => {
    const monitors = service(inProcessSandbox().sandbox);
    const program = await monitors.setProgram(unit.admin, model, ALLOW, false);
    await monitors.removeProgram(unit.admin, model);
    await expect(monitors.getProgram(model)).rejects.toBeInstanceOf(NotFoundError);
    await expect(monitors.removeProgram(unit.admin, model)).rejects.toMatchObject({
      statusCode: 404,
      message: `Model ${model.id} has no monitor program.`,
    });
    const [removed] = await auditTrail('MONITOR_REMOVE');
    expect(removed).toMatchObject({ actor: unit.admin.name, detail: `sha256 ${program.sha256}` });
  });
});

describe('MonitorService.authorize', () => {
  it('lets the bytes of a model without a program go without running anything', async () => {
    const fake = inProcessSandbox();
    await service(fake.sandbox).authorize(request());
    expect(fake.runs).toEqual([]);
    expect(await history()).toEqual([]);
  });

  it('runs the program with the model, uploader, downloader and the package zip, and records the verdict', async () => {
    const fake = inProcessSandbox({ network: false, memory: true });
    const monitors = service(fake.sandbox);
    await monitors.setProgram(unit.admin, model, "console.log('hello', process.argv[4]);", false);
    await monitors.authorize(request({ part: 'weights' }));

    expect(fake.runs).toHaveLength(1);
    const [run] = fake.runs;
    expect(run?.args.slice(0, 3)).toEqual([model.name, unit.admin.name, 'dana']);
    expect(run?.args[3]).toBe(run?.zipPath);
    expect(run?.zip.equals(zip)).toBe(true);
    expect(run?.isolation).toEqual({ network: false, memory: true });

    const [entry] = await history();
    expect(entry).toMatchObject({
      userName: 'dana',
      allowed: true,
      exitCode: 0,
      reason: 'exit',
      stdout: 'hello dana\n',
      part: 'weights',
      reused: false,
    });
    const [event] = await auditTrail('SENSITIVE_DOWNLOAD');
    expect(event).toMatchObject({ outcome: 'success', actor: 'dana', detail: 'weights: exit code 0' });
  });

  it('refuses with 403 when the program exits non-zero, quoting its output', async () => {
    const monitors = service(inProcessSandbox().sandbox);
    const program =
      "if (process.argv[4] !== 'alice') { console.log('  only alice may download  '); process.exit(3); }";
    await monitors.setProgram(unit.admin, model, program, false);
    const error = await refusal(monitors.authorize(request()));
    expect(error.statusCode).toBe(403);
    expect(error.message).toBe(
      'The monitor program of this sensitive model refused the download (exit code 3). Its output: only alice may download',
    );
    await monitors.authorize(request({ downloader: user('alice') }));
    expect((await history()).map((entry) => [entry.userName, entry.allowed, entry.exitCode])).toEqual([
      ['alice', true, 0],
      ['dana', false, 3],
    ]);
    const outcomes = (await auditTrail('SENSITIVE_DOWNLOAD')).map((event) => event.outcome);
    expect(outcomes.sort()).toEqual(['failure', 'success']);
  });

  it.each([
    ['throws', 'throw new Error("boom")', 'exit code 1'],
    ['runs past its time limit', 'for (;;) {}', 'timed out'],
    ['prints more than allowed', "console.log('x'.repeat(10000))", 'printed more than allowed'],
  ])('refuses when the program %s', async (_, program, why) => {
    const { sandbox } = inProcessSandbox();
    const monitors = service(sandbox, { config: { timeoutMs: 50 } });
    await monitors.setProgram(unit.admin, model, program, false);
    const error = await refusal(monitors.authorize(request()));
    expect(error.message).toMatch(
      new RegExp(`^The monitor program of this sensitive model refused the download \\(${why}\\)`),
    );
  });

  it.each([
    [{ reason: 'spawn-error', exitCode: null }, 'could not start'],
    [{ reason: 'exit', exitCode: null }, 'killed'],
  ] as const)('names a run that ended with %o: %s', async (ending, why) => {
    const monitors = service({
      probeIsolation: async () => ({ network: false, memory: false }),
      runMonitor: async () => ({ allowed: false, stdout: '', durationMs: 3, ...ending }),
    });
    await monitors.setProgram(unit.admin, model, ALLOW, false);
    const error = await refusal(monitors.authorize(request()));
    expect(error.message).toBe(`The monitor program of this sensitive model refused the download (${why}).`);
    expect((await history())[0]).toMatchObject({ allowed: false, reason: ending.reason, exitCode: null });
  });

  it('copies the package to a temp file when the blob store has no local files, and removes it after', async () => {
    const fake = inProcessSandbox();
    const monitors = service(fake.sandbox, { blobs: objectStoreView(unit.registry.blobs) });
    await monitors.setProgram(unit.admin, model, ALLOW, false);
    await monitors.authorize(request());
    const [run] = fake.runs;
    expect(run?.zip.equals(zip)).toBe(true);
    expect(run?.zipPath).not.toBe(unit.registry.blobs.localPath?.(model.packageDigest));
    await expect(access(run?.zipPath ?? '')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('probes the isolation layers once', async () => {
    const fake = inProcessSandbox();
    const monitors = service(fake.sandbox);
    await monitors.setProgram(unit.admin, model, ALLOW, false);
    await monitors.authorize(request());
    await monitors.authorize(request());
    expect(await monitors.isolationSupport()).toEqual({ network: true, memory: false });
    expect(fake.probes()).toBe(1);
  });

  it('runs at most four programs at once; the others wait their turn', async () => {
    const fake = inProcessSandbox();
    const monitors = service(fake.sandbox);
    await monitors.setProgram(unit.admin, model, ALLOW, false);
    const release = fake.holdRuns();
    const downloads = Array.from({ length: 7 }, (_, i) =>
      monitors.authorize(request({ downloader: user(`u${i}`) })),
    );
    await vi.waitFor(() => expect(fake.runs).toHaveLength(4));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.runs).toHaveLength(4);
    release();
    await Promise.all(downloads);
    expect(fake.runs).toHaveLength(7);
    expect(fake.maxActive()).toBe(4);
    expect(await history()).toHaveLength(7);
  });
});

describe('MonitorService verdict reuse for resumed requests', () => {
  async function allowingService(config: Partial<MonitorConfig> = {}) {
    const fake = inProcessSandbox();
    const monitors = service(fake.sandbox, { config });
    await monitors.setProgram(unit.admin, model, ALLOW, false);
    return { fake, monitors };
  }

  it('reuses a recent allowing verdict for a resumed request of the same user and part', async () => {
    const { fake, monitors } = await allowingService();
    await monitors.authorize(request());
    await monitors.authorize(request({ resuming: true }));
    expect(fake.runs).toHaveLength(1);
    const [latest] = await history();
    expect(latest).toMatchObject({ allowed: true, reused: true, exitCode: 0, durationMs: 0, stdout: '' });
    const details = (await auditTrail('SENSITIVE_DOWNLOAD')).map((event) => event.detail);
    expect(details).toContain('full: allowed by a recent verdict');
  });

  it('runs the program again for a request from the start, another user, another part or a changed program', async () => {
    const { fake, monitors } = await allowingService();
    await monitors.authorize(request());
    await monitors.authorize(request());
    await monitors.authorize(request({ resuming: true, downloader: user('erin') }));
    await monitors.authorize(request({ resuming: true, part: 'weights' }));
    await monitors.setProgram(unit.admin, model, `${ALLOW}\n// v2`, false);
    await monitors.authorize(request({ resuming: true }));
    expect(fake.runs).toHaveLength(5);
    expect((await history()).every((entry) => !entry.reused)).toBe(true);
  });

  it('forgets a verdict after its time to live', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const { fake, monitors } = await allowingService();
    await monitors.authorize(request());
    vi.setSystemTime(new Date('2026-01-01T00:00:59Z'));
    await monitors.authorize(request({ resuming: true }));
    expect(fake.runs).toHaveLength(1);
    vi.setSystemTime(new Date('2026-01-01T00:01:01Z'));
    await monitors.authorize(request({ resuming: true }));
    expect(fake.runs).toHaveLength(2);
  });

  it('keeps no verdicts when the time to live is 0', async () => {
    const { fake, monitors } = await allowingService({ verdictTtlSeconds: 0 });
    await monitors.authorize(request());
    await monitors.authorize(request({ resuming: true }));
    expect(fake.runs).toHaveLength(2);
  });

  it('drops the kept verdict when a later run refuses', async () => {
    let allow = true;
    const runs: string[] = [];
    const monitors = service({
      probeIsolation: async () => ({ network: false, memory: false }),
      runMonitor: async (_program, args) => {
        runs.push(args[2] ?? '');
        return { allowed: allow, exitCode: allow ? 0 : 1, reason: 'exit', stdout: '', durationMs: 1 };
      },
    });
    await monitors.setProgram(unit.admin, model, ALLOW, false);
    await monitors.authorize(request());
    allow = false;
    await refusal(monitors.authorize(request()));
    await refusal(monitors.authorize(request({ resuming: true })));
    expect(runs).toEqual(['dana', 'dana', 'dana']);
  });
});

describe('MonitorService.history', () => {
  it('pages the download history, newest first', async () => {
    const { sandbox } = inProcessSandbox();
    const monitors = service(sandbox);
    await monitors.setProgram(unit.admin, model, ALLOW, false);
    for (const name of ['a', 'b', 'c']) await monitors.authorize(request({ downloader: user(name) }));
    const first = await monitors.history(model, { limit: 2 });
    expect(first.items.map((entry) => entry.userName)).toEqual(['c', 'b']);
    const second = await monitors.history(model, { limit: 2, after: first.next ?? undefined });
    expect(second.items.map((entry) => entry.userName)).toEqual(['a']);
    expect(second.next).toBeNull();
  });
});
