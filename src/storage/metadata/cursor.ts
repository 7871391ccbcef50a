import { BadRequestError } from '../../domain/errors.js';
import type { Page } from './metadata-store.js';

/**
 * Keyset pagination over the `seq` column. The cursor is the last `seq` a page returned, as a
 * decimal string: stable under concurrent inserts and deletes, and cheap for the database.
 */
export function seqAfter(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const seq = /^\d{1,16}$/.test(cursor) ? Number(cursor) : Number.NaN;
  if (!Number.isSafeInteger(seq)) throw new BadRequestError('invalid offset');
  return seq;
}

/** Builds a page from `limit + 1` rows fetched in seq order: the extra row proves a next page. */
export function toPage<Row extends { seq: number }, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
): Page<Item> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  const next = rows.length > limit && last ? String(last.seq) : null;
  return { items: pageRows.map(toItem), next };
}
