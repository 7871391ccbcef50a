import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';

export interface SentQuery {
  sql: string;
  parameters: readonly unknown[];
}

/**
 * Kysely speaking PostgreSQL's SQL to no server: every query compiles as it would for PostgreSQL
 * and is recorded in `sent`, and answers no rows. For checking the SQL the PostgreSQL paths send
 * (their results are checked on a real PostgreSQL by test/storage).
 */
export function postgresSqlRecorder<DB>(): { db: Kysely<DB>; sent: SentQuery[] } {
  const sent: SentQuery[] = [];
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      if (event.level === 'query') sent.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  return { db, sent };
}
