import type { Kysely, Selectable } from 'kysely';
import type { MonitorOutcome, MonitorProgram, SensitiveDownload } from '../../domain/monitor.js';
import { seqAfter, toPage } from './cursor.js';
import type { Page, PageRequest } from './metadata-store.js';
import type { Database, SensitiveDownloadsTable } from './schema.js';

/** Sensitive models' monitor programs and the history of requests for their bytes. */
export interface MonitorStore {
  /** Set or replace the model's program. */
  putProgram(program: MonitorProgram): Promise<void>;
  getProgram(artifactId: string): Promise<MonitorProgram | null>;
  /** False when the model had none. */
  deleteProgram(artifactId: string): Promise<boolean>;
  recordDownload(entry: SensitiveDownload): Promise<void>;
  /** The model's history, newest first. */
  listDownloads(artifactId: string, page: PageRequest): Promise<Page<SensitiveDownload>>;
}

type Guard = <T>(operation: () => Promise<T>) => Promise<T>;

export class KyselyMonitorStore implements MonitorStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly guard: Guard,
  ) {}

  putProgram(program: MonitorProgram): Promise<void> {
    const row = {
      artifact_id: program.artifactId,
      source: program.source,
      sha256: program.sha256,
      size: program.size,
      uploaded_by: program.uploadedBy,
      uploaded_at: program.uploadedAt.getTime(),
    };
    return this.guard(async () => {
      await this.db
        .insertInto('monitor_programs')
        .values(row)
        .onConflict((oc) => oc.column('artifact_id').doUpdateSet(row))
        .execute();
    });
  }

  getProgram(artifactId: string): Promise<MonitorProgram | null> {
    return this.guard(async () => {
      const row = await this.db
        .selectFrom('monitor_programs')
        .selectAll()
        .where('artifact_id', '=', artifactId)
        .executeTakeFirst();
      if (!row) return null;
      return {
        artifactId: row.artifact_id,
        source: row.source,
        sha256: row.sha256,
        size: Number(row.size),
        uploadedBy: row.uploaded_by,
        uploadedAt: new Date(Number(row.uploaded_at)),
      };
    });
  }

  deleteProgram(artifactId: string): Promise<boolean> {
    return this.guard(async () => {
      const result = await this.db
        .deleteFrom('monitor_programs')
        .where('artifact_id', '=', artifactId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  recordDownload(entry: SensitiveDownload): Promise<void> {
    return this.guard(async () => {
      await this.db
        .insertInto('sensitive_downloads')
        .values({
          artifact_id: entry.artifactId,
          user_name: entry.userName,
          at: entry.at.getTime(),
          allowed: entry.allowed ? 1 : 0,
          exit_code: entry.exitCode,
          reason: entry.reason,
          stdout: entry.stdout,
          part: entry.part,
          duration_ms: entry.durationMs,
          reused: entry.reused ? 1 : 0,
        })
        .execute();
    });
  }

  listDownloads(artifactId: string, page: PageRequest): Promise<Page<SensitiveDownload>> {
    return this.guard(async () => {
      let query = this.db
        .selectFrom('sensitive_downloads')
        .selectAll()
        .where('artifact_id', '=', artifactId)
        .orderBy('id', 'desc')
        .limit(page.limit + 1);
      if (page.after !== undefined) query = query.where('id', '<', seqAfter(page.after));
      const rows = await query.execute();
      return toPage(
        rows.map((row) => ({ ...row, seq: Number(row.id) })),
        page.limit,
        rowToSensitiveDownload,
      );
    });
  }
}

function rowToSensitiveDownload(row: Selectable<SensitiveDownloadsTable>): SensitiveDownload {
  return {
    artifactId: row.artifact_id,
    userName: row.user_name,
    at: new Date(Number(row.at)),
    allowed: Number(row.allowed) === 1,
    exitCode: row.exit_code === null ? null : Number(row.exit_code),
    reason: row.reason as MonitorOutcome,
    stdout: row.stdout,
    part: row.part,
    durationMs: Number(row.duration_ms),
    reused: Number(row.reused) === 1,
  };
}
