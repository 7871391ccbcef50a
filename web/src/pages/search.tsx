import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useId } from 'react';
import { Link, useSearchParams } from 'react-router';
import {
  ApiError,
  ARTIFACT_TYPES,
  type ArtifactMetadata,
  type ArtifactType,
  api,
  apiResponse,
  artifactPath,
} from '../api';
import { Page } from '../components/page';
import { ErrorMessage, Loading } from '../components/status';

/** Regex results arrive whole (at most the registry's search limit); they are shown in pages of this size. */
const REGEX_PAGE = 25;

interface SearchQuery {
  text: string;
  mode: 'name' | 'regex';
  types: ArtifactType[];
  version: string;
  offset: string;
}

/** The query lives in the URL (`?q=&mode=&type=&version=&offset=`), so a search can be shared. */
function queryFrom(params: URLSearchParams): SearchQuery {
  return {
    text: params.get('q') ?? '',
    mode: params.get('mode') === 'regex' ? 'regex' : 'name',
    types: params.getAll('type').filter((t): t is ArtifactType => ARTIFACT_TYPES.includes(t as ArtifactType)),
    version: params.get('version') ?? '',
    offset: params.get('offset') ?? '',
  };
}

function paramsFrom(query: SearchQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.text) params.set('q', query.text);
  if (query.mode === 'regex') params.set('mode', 'regex');
  for (const type of query.types) params.append('type', type);
  if (query.version && query.mode === 'name') params.set('version', query.version);
  if (query.offset) params.set('offset', query.offset);
  return params;
}

interface ResultPage {
  items: ArtifactMetadata[];
  /** The offset of the next page, when there is one. */
  next: string | null;
  total?: number;
}

async function runSearch(query: SearchQuery, signal: AbortSignal): Promise<ResultPage> {
  if (query.mode === 'regex') {
    let all: ArtifactMetadata[];
    try {
      all = await api<ArtifactMetadata[]>('/artifact/byRegEx', {
        method: 'POST',
        body: { regex: query.text },
        signal,
      });
    } catch (error) {
      // The contract answers 404 when nothing matches.
      if (error instanceof ApiError && error.status === 404) all = [];
      else throw error;
    }
    const matching = query.types.length > 0 ? all.filter((a) => query.types.includes(a.type)) : all;
    const start = Number.parseInt(query.offset || '0', 10) || 0;
    const end = start + REGEX_PAGE;
    return {
      items: matching.slice(start, end),
      next: end < matching.length ? String(end) : null,
      total: matching.length,
    };
  }
  const body = [
    {
      name: query.text || '*',
      ...(query.types.length > 0 ? { types: query.types } : {}),
      ...(query.version ? { version: query.version } : {}),
    },
  ];
  const response = await apiResponse('/artifacts', {
    method: 'POST',
    body,
    query: { offset: query.offset || undefined },
    signal,
  });
  return { items: (await response.json()) as ArtifactMetadata[], next: response.headers.get('offset') };
}

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const query = queryFrom(params);
  const results = useQuery({
    queryKey: ['search', paramsFrom(query).toString()],
    queryFn: ({ signal }) => runSearch(query, signal),
    placeholderData: (previous) => previous,
  });
  const ids = { mode: useId(), version: useId(), versionHint: useId(), results: useId() };

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setParams(
      paramsFrom({
        text: String(form.get('q') ?? '').trim(),
        mode: form.get('mode') === 'regex' ? 'regex' : 'name',
        types: form.getAll('type') as ArtifactType[],
        version: String(form.get('version') ?? '').trim(),
        offset: '',
      }),
    );
  }

  return (
    <Page title="Search the registry">
      <search>
        {/* key: the form starts over from the URL when it changes (back button, shared link). */}
        <form key={params.toString()} className="search-form" onSubmit={submit}>
          <div className="field grow">
            <label htmlFor="search-q">Name or pattern</label>
            <input
              id="search-q"
              name="q"
              type="search"
              defaultValue={query.text}
              placeholder="* for everything"
            />
          </div>
          <fieldset className="inline">
            <legend>Match</legend>
            <label>
              <input type="radio" name="mode" value="name" defaultChecked={query.mode === 'name'} /> Exact
              name
            </label>
            <label>
              <input type="radio" name="mode" value="regex" defaultChecked={query.mode === 'regex'} /> Regular
              expression (names and cards)
            </label>
          </fieldset>
          <fieldset className="inline">
            <legend>Types</legend>
            {ARTIFACT_TYPES.map((type) => (
              <label key={type}>
                <input type="checkbox" name="type" value={type} defaultChecked={query.types.includes(type)} />{' '}
                {type}
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor={ids.version}>Version</label>
            <input
              id={ids.version}
              name="version"
              defaultValue={query.version}
              aria-describedby={ids.versionHint}
              placeholder="^1.2.0"
            />
            <p id={ids.versionHint} className="hint">
              Exact (1.2.3), range (1.2.3-2.1.0), ~1.2.0 or ^1.2.0; with exact names only.
            </p>
          </div>
          <div className="actions">
            <button type="submit">Search</button>
          </div>
        </form>
      </search>
      <section aria-labelledby={ids.results} className="results" aria-busy={results.isFetching}>
        <h2 id={ids.results}>Results</h2>
        {results.isPending && <Loading label="Searching" minHeight="8rem" />}
        {results.isError && <ErrorMessage title="The search failed" error={results.error} />}
        {results.data && <ResultList page={results.data} query={query} />}
      </section>
    </Page>
  );
}

function ResultList({ page, query }: { page: ResultPage; query: SearchQuery }) {
  const summary =
    page.items.length === 0
      ? 'No artifacts match.'
      : page.total !== undefined
        ? `${page.total} match${page.total === 1 ? '' : 'es'}.`
        : `${page.items.length} shown${page.next ? ', more on the next page' : ''}.`;
  return (
    <>
      <p role="status">{summary}</p>
      {page.items.length > 0 && (
        <ul className="result-list">
          {page.items.map((item) => (
            <li key={`${item.type}/${item.id}`}>
              <Link to={artifactPath(item.type, item.id)}>{item.name}</Link>
              <span className={`badge badge-${item.type}`}>{item.type}</span>
              <span className="muted id">{item.id}</span>
            </li>
          ))}
        </ul>
      )}
      <nav aria-label="Result pages" className="pager">
        {query.offset && <Link to={`/search?${paramsFrom({ ...query, offset: '' })}`}>First page</Link>}
        {page.next && <Link to={`/search?${paramsFrom({ ...query, offset: page.next })}`}>Next page</Link>}
      </nav>
    </>
  );
}
