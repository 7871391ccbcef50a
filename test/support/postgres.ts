import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server tests use: TEST_DATABASE_URL, which the global setup
 * (postgres-global-setup.ts) sets when unset, to 127.0.0.1:5432 or to an embedded server.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test run uses, so parallel runs never see each other's tables. */
export function uniqueSchemaName(prefix = 'mg_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

async function withClient<T>(work: (client: pg.Client) => Promise<T>, url = TEST_DATABASE_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function dropSchema(schema: string, url?: string): Promise<void> {
  return withClient(async (client) => {
    await client.query(`drop schema if exists "${schema}" cascade`);
  }, url);
}

/**
 * Empties every table of the schema except Kysely's migration bookkeeping, and puts the one-row
 * registry_state back to its initial values: a fresh store, fast.
 */
export function emptyTables(schema: string, url?: string): Promise<void> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ tablename: string }>(
      `select tablename from pg_tables where schemaname = $1 and tablename not like 'kysely\\_%' and tablename <> 'registry_state'`,
      [schema],
    );
    // DELETE rather than TRUNCATE: on a handful of rows it skips TRUNCATE's file rewrites.
    const statements = rows.map((row) => `delete from "${schema}"."${row.tablename}";`);
    statements.push(`update "${schema}"."registry_state" set generation = 0, resetting = 0;`);
    await client.query(statements.join('\n'));
  }, url);
}

/** Kills the server side of every connection opened with this application_name (simulated outage). */
export function terminateConnections(applicationName: string, url?: string): Promise<number> {
  return withClient(async (client) => {
    const { rowCount } = await client.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
      [applicationName],
    );
    // pg_terminate_backend only signals: wait until the backends are gone, so the caller's next
    // query meets a dropped connection rather than racing the termination.
    for (let waited = 0; waited < 5000; waited += 50) {
      const { rows } = await client.query<{ n: string }>(
        'select count(*) as n from pg_stat_activity where application_name = $1',
        [applicationName],
      );
      if (Number(rows[0]?.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return rowCount ?? 0;
  }, url);
}
