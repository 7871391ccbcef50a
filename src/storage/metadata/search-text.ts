import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { TextQuery } from '../../search/required-text.js';
import type { SqlDialect } from './migrations.js';

/**
 * The text a regex search reads of an artifact on PostgreSQL, as one expression: its name and
 * README. The pg_trgm index (migration 0009) is built on exactly this expression, and queries
 * must repeat it verbatim for the planner to use that index.
 */
export const SEARCH_TEXT_SQL = `(name || E'\\n' || coalesce(readme, ''))`;

/**
 * SQL condition on `artifacts` keeping the artifacts whose name or README may satisfy `query`
 * (a superset: ASCII letters compare case-insensitively), answered from the trigram index, for
 * a scan that continues after `afterSeq`.
 */
export function mayContain(dialect: SqlDialect, query: TextQuery, afterSeq: number): Expression<SqlBool> {
  if (dialect === 'sqlite') {
    // The rowid bound lets FTS5 skip the pages of candidates already scanned.
    return sql<SqlBool>`seq in (select rowid from artifact_search where artifact_search match ${ftsQuery(query)} and rowid > ${afterSeq})`;
  }
  return ilikeCondition(query);
}

/** FTS5 query syntax: each substring a quoted phrase, which the trigram tokenizer matches anywhere. */
function ftsQuery(query: TextQuery): string {
  if (query.op === 'has') return `"${query.text.replaceAll('"', '""')}"`;
  return `(${query.of.map(ftsQuery).join(query.op === 'and' ? ' AND ' : ' OR ')})`;
}

function ilikeCondition(query: TextQuery): RawBuilder<SqlBool> {
  if (query.op === 'has') {
    const pattern = `%${query.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return sql<SqlBool>`${sql.raw(SEARCH_TEXT_SQL)} ilike ${pattern}`;
  }
  return sql<SqlBool>`(${sql.join(query.of.map(ilikeCondition), sql.raw(query.op === 'and' ? ' and ' : ' or '))})`;
}
