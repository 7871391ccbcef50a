import { createCipheriv, createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { ArtifactSummary } from '../domain/artifact.js';
import { BadRequestError, ConflictError, NotFoundError } from '../domain/errors.js';
import type { WorkloadParameters, WorkloadResults, WorkloadRun } from '../domain/workload.js';
import { type PackageEntrySource, writePackageZip } from '../packages/write-package.js';
import type { Actor } from '../security/permissions.js';
import type { MetadataStore } from '../storage/metadata/metadata-store.js';
import type { ArtifactService } from './artifact-service.js';
import type { AuthService } from './auth-service.js';
import type { TempFiles } from './temp-files.js';

/** Every model the workload stores starts with this, so they are told apart and removed together. */
export const WORKLOAD_NAME_PREFIX = 'perf-workload-';
/** The runs listed by GET /performance/workloads. */
export const LISTED_RUNS = 100;
/** Progress is written to the store at most this often while downloads run. */
const PROGRESS_WRITE_MS = 500;
/** A preparing or running run not updated for this long belongs to a process that died. */
const STALE_AFTER_MS = 5 * 60_000;
const MIB = 1024 * 1024;

/**
 * One GET request, as node:http's `get` makes it (the default). A parameter so the workload's own
 * logic (models, progress, results, failures) can be tested against an in-process registry.
 */
export type HttpGet = (
  url: string,
  options: { headers: Record<string, string>; agent: false },
  callback: (response: Readable & { statusCode?: number | undefined; headers: IncomingHttpHeaders }) => void,
) => { on(event: 'error', listener: (error: Error) => void): unknown };

export interface WorkloadDeps {
  store: MetadataStore;
  artifacts: ArtifactService;
  auth: AuthService;
  temp: TempFiles;
  components: { metadata: string; blobs: string };
  maxPackageBytes: number;
  httpGet?: HttpGet;
}

/**
 * The course's performance workload as a feature: a registry holding `models` distinct models,
 * one of them a Tiny-LLM-sized model, and `clients` concurrent clients each downloading that model
 * once over real HTTP from this server. Models are stored once under WORKLOAD_NAME_PREFIX and
 * reused by later runs; runs are kept in the metadata store for comparison. One run at a time.
 */
export class PerformanceWorkloads {
  private running: Promise<void> | null = null;

  constructor(private readonly deps: WorkloadDeps) {}

  /**
   * Starts a run against `baseUrl` (this server's own address) and returns it while it prepares.
   * 409 while another run is preparing or running, here or on another instance.
   */
  async start(parameters: WorkloadParameters, actor: Actor, baseUrl: string): Promise<WorkloadRun> {
    if (parameters.modelSizeMb * MIB >= this.deps.maxPackageBytes) {
      throw new BadRequestError(
        `model_size_mb ${parameters.modelSizeMb} does not fit the package size limit (${this.deps.maxPackageBytes} bytes).`,
      );
    }
    if (this.running || (await this.activeElsewhere())) {
      throw new ConflictError('A performance workload is already running; wait for it to finish.');
    }
    const now = new Date();
    const run: WorkloadRun = {
      id: randomUUID(),
      status: 'preparing',
      parameters,
      startedBy: actor.name,
      completed: 0,
      total: parameters.clients,
      startedAt: now,
      finishedAt: null,
      updatedAt: now,
      components: this.deps.components,
      results: null,
      error: null,
    };
    await this.deps.store.workloads.insert(run);
    this.running = this.execute(run, actor, baseUrl).finally(() => {
      this.running = null;
    });
    return { ...run };
  }

  async get(id: string): Promise<WorkloadRun> {
    const run = await this.deps.store.workloads.get(id);
    if (!run) throw new NotFoundError(`No performance workload with id ${id}.`);
    return run;
  }

  list(): Promise<WorkloadRun[]> {
    return this.deps.store.workloads.list(LISTED_RUNS);
  }

  /** Waits for the run in progress, if any (tests, shutdown). */
  async settled(): Promise<void> {
    await this.running;
  }

  /** Active runs of other processes; one silent for too long is marked failed instead. */
  private async activeElsewhere(): Promise<boolean> {
    let active = false;
    for (const run of await this.deps.store.workloads.active()) {
      if (Date.now() - run.updatedAt.getTime() < STALE_AFTER_MS) {
        active = true;
        continue;
      }
      await this.finish(run, { error: 'The process running this workload stopped before it finished.' });
    }
    return active;
  }

  private async execute(run: WorkloadRun, actor: Actor, baseUrl: string): Promise<void> {
    try {
      const model = await this.prepare(run.parameters, actor);
      run.status = 'running';
      run.updatedAt = new Date();
      await this.deps.store.workloads.update(run);
      const token = await this.deps.auth.issueToken(actor.name, run.parameters.clients);
      const outcome = await this.download(run, `${baseUrl}/download/model/${model.id}`, token);
      await this.finish(run, outcome);
    } catch (error) {
      await this.finish(run, { error: error instanceof Error ? error.message : String(error) }).catch(
        () => {},
      );
    }
  }

  private async finish(run: WorkloadRun, outcome: { results: WorkloadResults } | { error: string }) {
    const now = new Date();
    Object.assign(run, {
      status: 'results' in outcome ? 'done' : 'failed',
      results: 'results' in outcome ? outcome.results : null,
      error: 'error' in outcome ? outcome.error : null,
      finishedAt: now,
      updatedAt: now,
    });
    await this.deps.store.workloads.update(run);
  }

  /** Stores whatever the registry lacks of the run's models; returns the large one. */
  private async prepare(parameters: WorkloadParameters, actor: Actor): Promise<ArtifactSummary> {
    for (let index = 1; index < parameters.models; index++) {
      const name = `${WORKLOAD_NAME_PREFIX}model-${String(index).padStart(4, '0')}`;
      await this.ensureModel(name, smallModelFiles(name, index), actor);
    }
    const name = `${WORKLOAD_NAME_PREFIX}tiny-llm-${parameters.modelSizeMb}mb`;
    return this.ensureModel(name, tinyLlmFiles(name, parameters.modelSizeMb * MIB), actor);
  }

  private async ensureModel(
    name: string,
    files: PackageEntrySource[],
    actor: Actor,
  ): Promise<ArtifactSummary> {
    const [existing] = await this.deps.store.findByName(name, 1);
    if (existing) return existing;
    return this.deps.temp.with('.zip', async (path) => {
      await writePackageZip(files, path, this.deps.maxPackageBytes);
      return this.deps.artifacts.upload('model', { name, body: createReadStream(path) }, actor);
    });
  }

  /** `clients` concurrent downloads of `url`; the run's progress is written as they finish. */
  private async download(
    run: WorkloadRun,
    url: string,
    token: string,
  ): Promise<{ results: WorkloadResults } | { error: string }> {
    const latencies: number[] = [];
    const failures: string[] = [];
    let bytes = 0;
    let lastWrite = Date.now();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: run.parameters.clients }, async () => {
        const outcome = await timedGet(this.deps.httpGet ?? httpGet, url, token);
        if ('error' in outcome) failures.push(outcome.error);
        else {
          latencies.push(outcome.ms);
          bytes += outcome.bytes;
        }
        run.completed++;
        run.updatedAt = new Date();
        if (Date.now() - lastWrite >= PROGRESS_WRITE_MS) {
          lastWrite = Date.now();
          await this.deps.store.workloads.update(run);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (failures.length > 0) {
      return {
        error: `${failures.length} of ${run.parameters.clients} downloads failed; first: ${failures[0]}`,
      };
    }
    return {
      results: {
        requests: latencies.length,
        bytes,
        throughputMbps: round((bytes * 8) / 1e6 / seconds),
        latencyMs: latencySummary(latencies),
      },
    };
  }
}

/** One GET to its last byte: its time, or why it failed (status other than 200, cut short). */
function timedGet(
  get: HttpGet,
  url: string,
  token: string,
): Promise<{ ms: number; bytes: number } | { error: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const request = get(url, { headers: { 'x-authorization': token }, agent: false }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      response.on('error', (error) => resolve({ error: error.message }));
      response.on('end', () => {
        const expected = Number(response.headers['content-length']);
        if (response.statusCode !== 200) resolve({ error: `HTTP ${response.statusCode}` });
        else if (bytes !== expected) resolve({ error: `body of ${bytes} bytes, expected ${expected}` });
        else resolve({ ms: performance.now() - started, bytes });
      });
    });
    request.on('error', (error) => resolve({ error: error.message }));
  });
}

function latencySummary(latencies: number[]): WorkloadResults['latencyMs'] {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
  const mean = sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length;
  return { mean: round(mean), median: round(at(0.5)), p99: round(at(0.99)) };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A small model distinct from every other index: its own name, config and weights. */
function smallModelFiles(name: string, index: number): PackageEntrySource[] {
  return [
    textFile('config.json', JSON.stringify({ model_type: 'perf-workload', index })),
    textFile('README.md', `---\nlicense: apache-2.0\n---\n# ${name}\nPerformance workload model ${index}.\n`),
    safetensorsFile('model.safetensors', 4096, name),
  ];
}

/** The public arnir0/Tiny-LLM's layout, with a weights file of `weightBytes` pseudo-random bytes. */
function tinyLlmFiles(name: string, weightBytes: number): PackageEntrySource[] {
  const config = {
    architectures: ['LlamaForCausalLM'],
    hidden_size: 192,
    num_hidden_layers: 1,
    vocab_size: 32000,
  };
  return [
    textFile('config.json', JSON.stringify(config, null, 2)),
    textFile(
      'README.md',
      `---\nlicense: mit\n---\n# ${name}\nTiny-LLM stand-in for the performance workload.\n`,
    ),
    textFile('tokenizer.json', JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: {} } })),
    textFile('tokenizer_config.json', '{"model_max_length":2048}'),
    safetensorsFile('model.safetensors', weightBytes, name),
  ];
}

function textFile(path: string, text: string): PackageEntrySource {
  const bytes = Buffer.from(text);
  return { path, size: bytes.length, open: async () => Readable.from([bytes]) };
}

/**
 * A valid safetensors file of `size` bytes (the weights scan reads its header): one U8 tensor of
 * deterministic, incompressible bytes for `seed` (an AES-CTR key stream).
 */
function safetensorsFile(path: string, size: number, seed: string): PackageEntrySource {
  let header = Buffer.alloc(0);
  let dataBytes = size;
  // The header's length depends on the digits of the data size, and the data size on it: settle.
  for (let settled = false; !settled; ) {
    const json = JSON.stringify({
      weight: { dtype: 'U8', shape: [dataBytes], data_offsets: [0, dataBytes] },
    });
    header = Buffer.from(json.padEnd(Math.ceil(json.length / 8) * 8, ' '));
    const next = size - 8 - header.length;
    settled = next === dataBytes;
    dataBytes = next;
  }
  const prefix = Buffer.alloc(8 + header.length);
  prefix.writeBigUInt64LE(BigInt(header.length));
  header.copy(prefix, 8);
  return {
    path,
    size,
    open: async () => {
      const key = createHash('sha256').update(seed).digest().subarray(0, 16);
      const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
      const zeros = Buffer.alloc(64 * 1024);
      return Readable.from(
        (function* () {
          yield prefix;
          for (let left = dataBytes; left > 0; left -= zeros.length) {
            yield cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
          }
        })(),
      );
    },
  };
}
