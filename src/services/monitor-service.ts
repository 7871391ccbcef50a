import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { compileFunction } from 'node:vm';
import type { MonitorConfig } from '../config.js';
import type { ArtifactRecord } from '../domain/artifact.js';
import { BadRequestError, MonitorRefusedError, NotFoundError } from '../domain/errors.js';
import type { MonitorProgram, SensitiveDownload } from '../domain/monitor.js';
import {
  type IsolationSupport,
  probeIsolation,
  runMonitor,
  type SandboxVerdict,
} from '../security/monitor-sandbox.js';
import type { Actor } from '../security/permissions.js';
import type { BlobStore } from '../storage/blobs/blob-store.js';
import type { MetadataStore, Page, PageRequest } from '../storage/metadata/metadata-store.js';
import type { SecurityAudit } from './security-audit.js';
import type { TempFiles } from './temp-files.js';

/** What a monitor is asked about: one request for some of a sensitive model's bytes. */
export interface DownloadRequest {
  record: ArtifactRecord;
  downloader: Actor;
  /** `full`, an aspect, or `file:<path>` (one file through the Hub-compatible API). */
  part: string;
  /** A ranged request resuming past byte 0: a recent allowing verdict may cover it. */
  resuming: boolean;
}

/**
 * Where programs run: the OS sandbox of src/security/monitor-sandbox.ts. A parameter so the
 * service's own logic (which requests run a program, verdict reuse, the run limit, the history
 * and audit trail) can be tested without starting processes.
 */
export interface MonitorSandbox {
  probeIsolation(): Promise<IsolationSupport>;
  runMonitor: typeof runMonitor;
}

/** Monitor runs at once; more wait their turn, so a burst of downloads cannot fork hundreds of Nodes. */
const CONCURRENT_RUNS = 4;

/**
 * Sensitive models: a model with a monitor program is sensitive, and every request for its bytes
 * runs that program in the sandbox first (src/security/monitor-sandbox.ts). Exit 0 lets the bytes
 * go; anything else refuses (fail closed). Every verdict is kept in the model's download history
 * and in the security audit trail.
 */
export class MonitorService {
  /** Allowing verdicts a resumed request may reuse, by request key, with their expiry (epoch ms). */
  private readonly recentAllowed = new Map<string, number>();
  private isolation: Promise<IsolationSupport> | null = null;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly store: MetadataStore,
    private readonly blobs: BlobStore,
    private readonly temp: TempFiles,
    private readonly audit: SecurityAudit,
    private readonly config: MonitorConfig,
    private readonly sandbox: MonitorSandbox = { probeIsolation, runMonitor },
  ) {}

  /** Which OS isolation layers work here (probed once); the health report names what is missing. */
  isolationSupport(): Promise<IsolationSupport> {
    this.isolation ??= this.sandbox.probeIsolation();
    return this.isolation;
  }

  /** The contract's JSProgramUpload: sets or replaces the model's program. */
  async setProgram(
    actor: Actor,
    record: ArtifactRecord,
    text: string,
    isBase64Encoded: boolean,
  ): Promise<MonitorProgram> {
    const source = this.decode(text, isBase64Encoded);
    const program: MonitorProgram = {
      artifactId: record.id,
      source,
      sha256: createHash('sha256').update(source).digest('hex'),
      size: Buffer.byteLength(source),
      uploadedBy: actor.name,
      uploadedAt: new Date(),
    };
    await this.recordChange('MONITOR_SET', actor, program);
    await this.store.monitors.putProgram(program);
    return program;
  }

  async getProgram(record: ArtifactRecord): Promise<MonitorProgram> {
    const program = await this.store.monitors.getProgram(record.id);
    if (!program) throw new NotFoundError(`Model ${record.id} has no monitor program.`);
    return program;
  }

  async removeProgram(actor: Actor, record: ArtifactRecord): Promise<void> {
    const program = await this.getProgram(record);
    await this.recordChange('MONITOR_REMOVE', actor, program);
    await this.store.monitors.deleteProgram(record.id);
  }

  /** Written before the change: a change the security trail cannot record does not happen. */
  private recordChange(action: 'MONITOR_SET' | 'MONITOR_REMOVE', actor: Actor, program: MonitorProgram) {
    return this.audit.record({
      action,
      outcome: 'success',
      actor: actor.name,
      subject: program.artifactId,
      detail: `sha256 ${program.sha256}`,
    });
  }

  history(record: ArtifactRecord, page: PageRequest): Promise<Page<SensitiveDownload>> {
    return this.store.monitors.listDownloads(record.id, page);
  }

  /** Resolves when the bytes may go; throws MonitorRefusedError (403) when the program refuses. */
  async authorize(request: DownloadRequest): Promise<void> {
    const program = await this.store.monitors.getProgram(request.record.id);
    if (!program) return;
    const key = [request.record.id, program.sha256, request.downloader.name, request.part].join('\u0000');
    const reusable = request.resuming && (this.recentAllowed.get(key) ?? 0) > Date.now();
    const verdict = reusable ? null : await this.limited(() => this.run(program, request));
    const entry: SensitiveDownload = {
      artifactId: request.record.id,
      userName: request.downloader.name,
      at: new Date(),
      allowed: verdict?.allowed ?? true,
      exitCode: verdict ? verdict.exitCode : 0,
      reason: verdict?.reason ?? 'exit',
      stdout: verdict?.stdout ?? '',
      part: request.part,
      durationMs: verdict?.durationMs ?? 0,
      reused: verdict === null,
    };
    await this.audit.record({
      action: 'SENSITIVE_DOWNLOAD',
      outcome: entry.allowed ? 'success' : 'failure',
      actor: entry.userName,
      subject: entry.artifactId,
      detail: `${entry.part}: ${describe(entry)}`,
    });
    await this.store.monitors.recordDownload(entry);
    if (!entry.allowed) {
      this.recentAllowed.delete(key);
      const output = entry.stdout.trim();
      throw new MonitorRefusedError(
        `The monitor program of this sensitive model refused the download (${describe(entry)})` +
          (output ? `. Its output: ${output}` : '.'),
      );
    }
    if (verdict) this.remember(key);
  }

  private async run(program: MonitorProgram, request: DownloadRequest): Promise<SandboxVerdict> {
    const isolation = await this.isolationSupport();
    const { record } = request;
    return this.temp.with('.js', async (programPath) => {
      await writeFile(programPath, program.source, { mode: 0o400 });
      return this.withZipFile(record.packageDigest, (zipPath) =>
        this.sandbox.runMonitor(
          programPath,
          [record.name, record.createdBy, request.downloader.name, zipPath],
          zipPath,
          this.config,
          isolation,
        ),
      );
    });
  }

  /** The package as a local file: the filesystem store's own, or a temp copy from an object store. */
  private async withZipFile<T>(digest: string, work: (path: string) => Promise<T>): Promise<T> {
    const local = this.blobs.localPath?.(digest);
    if (local) return work(local);
    return this.temp.with('.zip', async (path) => {
      await pipeline(await this.blobs.read(digest), createWriteStream(path, { mode: 0o400 }));
      return work(path);
    });
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    while (this.running >= CONCURRENT_RUNS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private remember(key: string): void {
    if (this.config.verdictTtlSeconds === 0) return;
    const now = Date.now();
    // Forget expired verdicts as new ones come, so the map stays as small as the recent traffic.
    for (const [old, expires] of this.recentAllowed) if (expires <= now) this.recentAllowed.delete(old);
    this.recentAllowed.set(key, now + this.config.verdictTtlSeconds * 1000);
  }

  private decode(text: string, isBase64Encoded: boolean): string {
    let source = text;
    if (isBase64Encoded) {
      const compact = text.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0)
        throw new BadRequestError('js_program is not valid base64 (isBase64Encoded is true).');
      try {
        source = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64'));
      } catch {
        throw new BadRequestError('js_program does not decode to UTF-8 text.');
      }
    }
    if (source.trim() === '') throw new BadRequestError('js_program is empty.');
    const size = Buffer.byteLength(source);
    if (size > this.config.programMaxBytes)
      throw new BadRequestError(
        `js_program is ${size} bytes; the limit is ${this.config.programMaxBytes} (MONITOR_PROGRAM_MAX_BYTES).`,
      );
    assertCompiles(source);
    return source;
  }
}

/**
 * Parsed (never run) as the CommonJS module body `node PROGRAM` will run, so a program that could
 * only ever crash, and thereby refuse every download, is refused at upload instead.
 */
function assertCompiles(source: string): void {
  // Node accepts a leading hashbang line in a file; a function body does not.
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  try {
    compileFunction(body, ['exports', 'require', 'module', '__filename', '__dirname']);
  } catch (error) {
    throw new BadRequestError(`js_program is not valid JavaScript: ${(error as Error).message}`);
  }
}

function describe(entry: SensitiveDownload): string {
  if (entry.reused) return 'allowed by a recent verdict';
  switch (entry.reason) {
    case 'timeout':
      return 'timed out';
    case 'output-limit':
      return 'printed more than allowed';
    case 'spawn-error':
      return 'could not start';
    case 'exit':
      return entry.exitCode === null ? 'killed' : `exit code ${entry.exitCode}`;
  }
}
