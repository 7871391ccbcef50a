import type { Kysely, Selectable } from 'kysely';
import type { WorkloadRun, WorkloadStatus } from '../../domain/workload.js';
import type { Database, PerformanceWorkloadsTable } from './schema.js';

/** Runs of the performance workload, kept for comparison. */
export interface WorkloadStore {
  insert(run: WorkloadRun): Promise<void>;
  /** Status, progress, end, results and error of the run. */
  update(run: WorkloadRun): Promise<void>;
  get(id: string): Promise<WorkloadRun | null>;
  /** The newest `limit` runs, newest first. */
  list(limit: number): Promise<WorkloadRun[]>;
  /** Runs still preparing or running (on any instance). */
  active(): Promise<WorkloadRun[]>;
}

type Guard = <T>(operation: () => Promise<T>) => Promise<T>;

export class KyselyWorkloadStore implements WorkloadStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly guard: Guard,
  ) {}

  insert(run: WorkloadRun): Promise<void> {
    return this.guard(async () => {
      await this.db
        .insertInto('performance_workloads')
        .values({
          id: run.id,
          started_by: run.startedBy,
          clients: run.parameters.clients,
          models: run.parameters.models,
          model_size_mb: run.parameters.modelSizeMb,
          started_at: run.startedAt.getTime(),
          components: JSON.stringify(run.components),
          ...changes(run),
        })
        .execute();
    });
  }

  update(run: WorkloadRun): Promise<void> {
    return this.guard(async () => {
      await this.db.updateTable('performance_workloads').set(changes(run)).where('id', '=', run.id).execute();
    });
  }

  get(id: string): Promise<WorkloadRun | null> {
    return this.guard(async () => {
      const row = await this.db
        .selectFrom('performance_workloads')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? rowToRun(row) : null;
    });
  }

  list(limit: number): Promise<WorkloadRun[]> {
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('performance_workloads')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(limit)
        .execute();
      return rows.map(rowToRun);
    });
  }

  active(): Promise<WorkloadRun[]> {
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('performance_workloads')
        .selectAll()
        .where('status', 'in', ['preparing', 'running'])
        .execute();
      return rows.map(rowToRun);
    });
  }
}

function changes(run: WorkloadRun) {
  return {
    status: run.status,
    completed: run.completed,
    total: run.total,
    finished_at: run.finishedAt?.getTime() ?? null,
    updated_at: run.updatedAt.getTime(),
    results: run.results ? JSON.stringify(run.results) : null,
    error: run.error,
  };
}

function rowToRun(row: Selectable<PerformanceWorkloadsTable>): WorkloadRun {
  return {
    id: row.id,
    status: row.status as WorkloadStatus,
    parameters: { clients: row.clients, models: row.models, modelSizeMb: row.model_size_mb },
    startedBy: row.started_by,
    completed: row.completed,
    total: row.total,
    startedAt: new Date(Number(row.started_at)),
    finishedAt: row.finished_at === null ? null : new Date(Number(row.finished_at)),
    updatedAt: new Date(Number(row.updated_at)),
    components: JSON.parse(row.components),
    results: row.results === null ? null : JSON.parse(row.results),
    error: row.error,
  };
}
