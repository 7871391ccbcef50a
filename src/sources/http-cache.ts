/**
 * A small in-process cache of upstream metadata responses, so rating, lineage and license checks
 * that ask again for a repo seconds after ingest do not spend the upstream rate limit twice.
 * Bounded by entry count (least recently used goes first), by body size (only JSON and text
 * bodies up to `maxBodyBytes`; weights stream past it) and by age (`ttlMs`).
 */
export interface ResponseCacheOptions {
  ttlMs: number;
  maxEntries: number;
  maxBodyBytes: number;
  /** Bound on all cached bodies together. */
  maxTotalBytes: number;
  now?: () => number;
}

interface CachedResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
  expiresAt: number;
}

export const DEFAULT_CACHE_OPTIONS: ResponseCacheOptions = {
  ttlMs: 10 * 60_000,
  maxEntries: 500,
  maxBodyBytes: 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024,
};

export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();
  private readonly now: () => number;
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly options: ResponseCacheOptions = DEFAULT_CACHE_OPTIONS) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  /** Wraps `fetch` so successful GETs of small JSON/text bodies are answered from the cache. */
  wrap(fetchImpl: typeof fetch): typeof fetch {
    return async (input, init) => {
      const method = (init?.method ?? 'GET').toUpperCase();
      if (method !== 'GET') return fetchImpl(input, init);
      const key = cacheKey(input, init);
      const cached = this.lookup(key);
      if (cached) {
        this.hits += 1;
        return new Response(cached.body.slice(), { status: cached.status, headers: cached.headers });
      }
      this.misses += 1;
      const response = await fetchImpl(input, init);
      return this.store(key, response);
    };
  }

  private lookup(key: string): CachedResponse | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.remove(key, entry);
    if (entry.expiresAt <= this.now()) return undefined;
    this.bytes += entry.body.byteLength;
    this.entries.set(key, entry); // re-insert: Map order is the LRU order
    return entry;
  }

  private remove(key: string, entry: CachedResponse): void {
    this.entries.delete(key);
    this.bytes -= entry.body.byteLength;
  }

  private async store(key: string, response: Response): Promise<Response> {
    const type = response.headers.get('content-type') ?? '';
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    const cacheable =
      response.ok &&
      response.body !== null &&
      /json|^text\//i.test(type) &&
      !(declared > this.options.maxBodyBytes);
    if (!cacheable || !response.body) return response;

    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
      if (total > this.options.maxBodyBytes) {
        // Too big after all (no or wrong Content-Length): hand back what was read plus the rest.
        return new Response(replay(chunks, reader), { status: response.status, headers: response.headers });
      }
    }
    const body = concat(chunks, total);
    const headers = [...response.headers.entries()];
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    this.entries.set(key, {
      status: response.status,
      headers,
      body,
      expiresAt: this.now() + this.options.ttlMs,
    });
    this.bytes += body.byteLength;
    while (this.entries.size > this.options.maxEntries || this.bytes > this.options.maxTotalBytes) {
      const oldest = this.entries.entries().next().value;
      if (oldest === undefined) break;
      this.remove(...oldest);
    }
    return new Response(body.slice(), { status: response.status, headers });
  }
}

function cacheKey(input: Parameters<typeof fetch>[0], init: RequestInit | undefined): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const headers = new Headers(init?.headers);
  return `${url}\n${headers.get('range') ?? ''}\n${headers.get('accept') ?? ''}`;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function replay(
  chunks: Uint8Array[],
  rest: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = chunks.shift();
      if (next) return controller.enqueue(next);
      const { done, value } = await rest.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return rest.cancel(reason);
    },
  });
}
