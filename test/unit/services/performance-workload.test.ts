import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import yauzl from 'yauzl';
import { ConflictError, NotFoundError, type RegistryError } from '../../../src/domain/errors.js';
import type { WorkloadParameters, WorkloadRun } from '../../../src/domain/workload.js';
import type { Actor } from '../../../src/security/permissions.js';
import {
  type HttpGet,
  PerformanceWorkloads,
  WORKLOAD_NAME_PREFIX,
} from '../../../src/services/performance-workload.js';
import { createUnitRegistry, type UnitRegistry } from '../support/unit-registry.js';

/** How the in-process server treats one request (by its order of arrival). */
type Fault = 'refuse-connection' | 'status-503' | 'cut-short' | 'stream-error';

interface Response extends Readable {
  statusCode?: number | undefined;
  headers: Record<string, string>;
}

function response(body: Readable, statusCode: number, contentLength: number): Response {
  return Object.assign(body, { statusCode, headers: { 'content-length': String(contentLength) } });
}

/**
 * GET /download/model/{id} answered in process by the registry's own services, as the route does:
 * the token is resolved (and spent), the package streamed with its Content-Length. `faults` makes
 * chosen requests fail the ways a real connection can; `hold` keeps answers back until released.
 */
function inProcessServer(unit: UnitRegistry) {
  const { registry } = unit;
  const faults = new Map<number, Fault>();
  const held: Array<() => void> = [];
  let holding = false;
  let requests = 0;

  async function answer(url: string, token: string | undefined, fault: Fault | undefined): Promise<Response> {
    if (fault === 'refuse-connection') throw new Error('connect ECONNREFUSED 127.0.0.1:3000');
    if (fault === 'status-503') return response(Readable.from([]), 503, 0);
    try {
      await registry.auth.resolve(token);
    } catch (error) {
      return response(Readable.from([]), (error as RegistryError).statusCode, 0);
    }
    const id = /^\/download\/model\/([^/]+)$/.exec(new URL(url).pathname)?.[1] ?? '';
    const record = await registry.artifacts.get('model', id);
    const download = await registry.downloads.open(record, 'full', new AbortController().signal);
    if (fault === 'cut-short') {
      return response(await download.stream({ start: 0, end: 99 }), 200, download.size);
    }
    if (fault === 'stream-error') {
      const broken = new Readable({
        read() {
          this.destroy(new Error('socket hang up'));
        },
      });
      return response(broken, 200, download.size);
    }
    return response(await download.stream(), 200, download.size);
  }

  const httpGet: HttpGet = (url, options, callback) => {
    const request = new EventEmitter();
    const fault = faults.get(requests++);
    const respond = () =>
      answer(url, options.headers['x-authorization'], fault).then(callback, (error: Error) =>
        request.emit('error', error),
      );
    if (holding) held.push(respond);
    else void respond();
    return request;
  };

  return {
    httpGet,
    faults,
    requests: () => requests,
    hold() {
      holding = true;
    },
    /** Answers the oldest held request. */
    releaseOne() {
      held.shift()?.();
    },
    releaseAll() {
      holding = false;
      for (const respond of held.splice(0)) respond();
    },
    held: () => held.length,
  };
}

const SMALL: WorkloadParameters = { clients: 4, models: 3, modelSizeMb: 1 };

let unit: UnitRegistry;

beforeAll(async () => {
  unit = await createUnitRegistry();
});

afterAll(() => unit.close());

afterEach(() => {
  vi.useRealTimers();
});

function workloads(server: ReturnType<typeof inProcessServer>, maxPackageBytes = 8 * 1024 * 1024) {
  const { registry } = unit;
  return new PerformanceWorkloads({
    store: registry.store,
    artifacts: registry.artifacts,
    auth: registry.auth,
    temp: registry.temp,
    components: { metadata: registry.store.kind, blobs: registry.blobs.kind },
    maxPackageBytes,
    httpGet: server.httpGet,
  });
}

async function runToEnd(
  parameters: WorkloadParameters,
  server = inProcessServer(unit),
  actor: Actor = unit.admin,
): Promise<WorkloadRun> {
  const perf = workloads(server);
  const started = await perf.start(parameters, actor, 'http://registry.test');
  await perf.settled();
  return perf.get(started.id);
}

async function workloadModels(): Promise<Map<string, string>> {
  const all = await Promise.all(
    ['model-0001', 'model-0002', 'tiny-llm-1mb'].map(async (suffix) => {
      const [summary] = await unit.registry.store.findByName(`${WORKLOAD_NAME_PREFIX}${suffix}`, 1);
      return [suffix, summary?.id ?? ''] as const;
    }),
  );
  return new Map(all);
}

/** Entry names and sizes of a stored package. */
function zipEntrySizes(zip: Buffer): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error || !file) return reject(error);
      const sizes = new Map<string, number>();
      file.on('entry', (entry: yauzl.Entry) => {
        sizes.set(entry.fileName, entry.uncompressedSize);
        file.readEntry();
      });
      file.on('end', () => resolve(sizes));
      file.readEntry();
    });
  });
}

async function packageOf(id: string): Promise<Buffer> {
  const record = await unit.registry.artifacts.get('model', id);
  const chunks: Buffer[] = [];
  for await (const chunk of await unit.registry.blobs.read(record.packageDigest))
    chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('PerformanceWorkloads', () => {
  it('stores the models, has every client download the large one, and reports the results', async () => {
    const server = inProcessServer(unit);
    const perf = workloads(server);
    const started = await perf.start(SMALL, unit.admin, 'http://registry.test');
    expect(started).toMatchObject({
      status: 'preparing',
      completed: 0,
      total: 4,
      startedBy: unit.admin.name,
      components: { metadata: 'sqlite', blobs: 'filesystem' },
      results: null,
    });
    await perf.settled();
    const run = await perf.get(started.id);

    const models = await workloadModels();
    expect([...models.values()].every((id) => id !== '')).toBe(true);
    const large = await packageOf(models.get('tiny-llm-1mb') ?? '');
    const entries = await zipEntrySizes(large);
    expect(entries.get('model.safetensors')).toBe(1024 * 1024);
    expect([...entries.keys()].sort()).toEqual([
      'README.md',
      'config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);

    expect(run.status).toBe('done');
    expect(run.error).toBeNull();
    expect(run.completed).toBe(4);
    expect(run.finishedAt).toBeInstanceOf(Date);
    expect(run.results?.requests).toBe(4);
    expect(run.results?.bytes).toBe(4 * large.length);
    expect(run.results?.throughputMbps).toBeGreaterThan(0);
    const latency = run.results?.latencyMs ?? { mean: 0, median: 0, p99: 0 };
    expect(latency.median).toBeGreaterThan(0);
    expect(latency.median).toBeLessThanOrEqual(latency.p99);
    expect(server.requests()).toBe(4);
  });

  it('gives every small model its own weights, and reuses the stored models in later runs', async () => {
    expect((await runToEnd(SMALL)).status).toBe('done');
    const before = await workloadModels();
    const [first, second] = await Promise.all(
      ['model-0001', 'model-0002'].map(async (suffix) =>
        zipEntrySizes(await packageOf(before.get(suffix) ?? '')),
      ),
    );
    expect(first?.get('model.safetensors')).toBe(4096);
    const a = await packageOf(before.get('model-0001') ?? '');
    const b = await packageOf(before.get('model-0002') ?? '');
    expect(a.equals(b)).toBe(false);
    expect(second?.size).toBe(3);

    const run = await runToEnd(SMALL);
    expect(run.status).toBe('done');
    expect(await workloadModels()).toEqual(before);
  });

  it('lists runs newest first and answers 404 for an unknown id', async () => {
    const earlier = await runToEnd({ ...SMALL, clients: 1 });
    const later = await runToEnd({ ...SMALL, clients: 2 });
    const listed = await workloads(inProcessServer(unit)).list();
    expect(listed.map((run) => run.id).slice(0, 2)).toEqual([later.id, earlier.id]);
    await expect(workloads(inProcessServer(unit)).get('no-such-run')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a model size the package limit cannot hold', async () => {
    const perf = workloads(inProcessServer(unit), 2 * 1024 * 1024);
    await expect(
      perf.start({ ...SMALL, modelSizeMb: 2 }, unit.admin, 'http://registry.test'),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: 'model_size_mb 2 does not fit the package size limit (2097152 bytes).',
    });
  });

  it('runs one workload at a time, and writes progress while downloads finish', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const server = inProcessServer(unit);
    server.hold();
    const perf = workloads(server);
    const run = await perf.start(SMALL, unit.admin, 'http://registry.test');
    await expect(perf.start(SMALL, unit.admin, 'http://registry.test')).rejects.toBeInstanceOf(ConflictError);
    // Another instance sees it through the store.
    await expect(workloads(server).start(SMALL, unit.admin, 'http://registry.test')).rejects.toMatchObject({
      statusCode: 409,
      message: 'A performance workload is already running; wait for it to finish.',
    });

    await vi.waitFor(() => expect(server.held()).toBe(4));
    expect((await perf.get(run.id)).status).toBe('running');
    vi.setSystemTime(Date.now() + 1000);
    server.releaseOne();
    await vi.waitFor(async () => expect((await perf.get(run.id)).completed).toBe(1));
    expect((await perf.get(run.id)).status).toBe('running');

    server.releaseAll();
    await perf.settled();
    expect(await perf.get(run.id)).toMatchObject({ status: 'done', completed: 4 });
  });

  it('marks a run left by a process that stopped as failed, and starts a new one', async () => {
    const now = Date.now();
    const abandoned: WorkloadRun = {
      id: 'abandoned-run',
      status: 'running',
      parameters: SMALL,
      startedBy: unit.admin.name,
      completed: 1,
      total: 4,
      startedAt: new Date(now - 3_600_000),
      finishedAt: null,
      updatedAt: new Date(now - 6 * 60_000),
      components: { metadata: 'sqlite', blobs: 'filesystem' },
      results: null,
      error: null,
    };
    await unit.registry.store.workloads.insert(abandoned);
    const run = await runToEnd(SMALL);
    expect(run.status).toBe('done');
    expect(await unit.registry.store.workloads.get('abandoned-run')).toMatchObject({
      status: 'failed',
      error: 'The process running this workload stopped before it finished.',
    });
  });

  it.each([
    ['refuse-connection', 'connect ECONNREFUSED 127.0.0.1:3000'],
    ['status-503', 'HTTP 503'],
    ['cut-short', /^body of 100 bytes, expected \d+$/],
    ['stream-error', 'socket hang up'],
  ] as const)('fails the run when a download fails (%s), naming the first failure', async (fault, first) => {
    const server = inProcessServer(unit);
    server.faults.set(2, fault);
    const run = await runToEnd(SMALL, server);
    expect(run.status).toBe('failed');
    expect(run.results).toBeNull();
    expect(run.completed).toBe(4);
    const [count, message] = (run.error ?? '').split('; first: ');
    expect(count).toBe('1 of 4 downloads failed');
    if (typeof first === 'string') expect(message).toBe(first);
    else expect(message).toMatch(first);
  });

  it('fails the run, without downloads, when the registry refuses the token', async () => {
    const server = inProcessServer(unit);
    const run = await runToEnd(SMALL, server, { ...unit.admin, name: 'nobody-signed-in' });
    expect(run.status).toBe('failed');
    expect(run.error).toBe('4 of 4 downloads failed; first: HTTP 403');
  });

  it('fails the run with the reason when its models cannot be stored', async () => {
    const server = inProcessServer(unit);
    // The weights fit the limit, the package around them (README, config, tokenizer) does not.
    const limit = 2 * 1024 * 1024 + 64;
    const perf = workloads(server, limit);
    const started = await perf.start({ ...SMALL, modelSizeMb: 2 }, unit.admin, 'http://registry.test');
    await perf.settled();
    expect(await perf.get(started.id)).toMatchObject({
      status: 'failed',
      error: `package exceeds the size limit of ${limit} bytes`,
      results: null,
    });
    expect(server.requests()).toBe(0);
    expect(await unit.registry.store.findByName(`${WORKLOAD_NAME_PREFIX}tiny-llm-2mb`, 1)).toEqual([]);
  });
});
