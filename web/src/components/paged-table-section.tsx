import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useId, useState } from 'react';
import { apiResponse } from '../api';
import { ScrollArea } from './scroll-area';
import { ErrorMessage, Loading } from './status';

/** One page of a list the API pages with the `offset` header. */
async function page<T>(path: string, offset: string | null, signal: AbortSignal) {
  const response = await apiResponse(path, { query: { offset: offset ?? undefined }, signal });
  return { items: (await response.json()) as T[], next: response.headers.get('offset') };
}

/**
 * A panel with a table of a list the API pages with the `offset` header, and buttons to the first
 * and the next page. Its queries are keyed `[queryKey, offset]`, so invalidating `[queryKey]`
 * reloads whichever page is shown.
 */
export function PagedTableSection<T>({
  title,
  path,
  queryKey,
  caption,
  columns,
  rows,
  pager,
  empty,
  children,
}: {
  title: string;
  /** The API path of the list. */
  path: string;
  queryKey: string;
  /** What the table holds, for screen readers. */
  caption: string;
  /** The column headers. */
  columns: ReactNode[];
  rows: (items: T[]) => ReactNode;
  /** The buttons' words, e.g. "First page" and "Next page". */
  pager: { first: string; next: string };
  /** Said instead of an empty table. */
  empty?: string;
  /** Shown below the table (e.g. a form that adds to the list). */
  children?: ReactNode;
}) {
  const heading = useId();
  const [offset, setOffset] = useState<string | null>(null);
  const list = useQuery({
    queryKey: [queryKey, offset],
    queryFn: ({ signal }) => page<T>(path, offset, signal),
  });
  return (
    <section aria-labelledby={heading} className="panel">
      <h2 id={heading}>{title}</h2>
      {list.isError ? (
        <ErrorMessage title={`${title}: not available`} error={list.error} />
      ) : offset === null && list.data?.items.length === 0 && empty ? (
        <p>{empty}</p>
      ) : list.data ? (
        <>
          <ScrollArea className="table-scroll" label={`${title} table`}>
            <table>
              <caption className="visually-hidden">{caption}</caption>
              <thead>
                <tr>
                  {columns.map((column, index) => (
                    // The columns are fixed: their order is their identity.
                    // biome-ignore lint/suspicious/noArrayIndexKey: see above
                    <th key={index} scope="col">
                      {column}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>{rows(list.data.items)}</tbody>
            </table>
          </ScrollArea>
          <div className="pager">
            {offset && (
              <button type="button" className="secondary" onClick={() => setOffset(null)}>
                {pager.first}
              </button>
            )}
            {list.data.next && (
              <button type="button" className="secondary" onClick={() => setOffset(list.data.next)}>
                {pager.next}
              </button>
            )}
          </div>
        </>
      ) : (
        <Loading label={`Loading: ${title.toLowerCase()}`} minHeight="8rem" />
      )}
      {children}
    </section>
  );
}
