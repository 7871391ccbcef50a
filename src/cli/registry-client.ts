import { CliError, EXIT, exitCodeForStatus } from './exit-codes.js';

export interface RequestOptions {
  method?: string;
  /** JSON-encoded unless it is a stream (then sent as is, chunked). */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | undefined>;
  /** Statuses the caller handles itself instead of an error. */
  accept?: number[];
  signal?: AbortSignal;
}

/**
 * The registry's HTTP API for the CLI: the token in X-Authorization, JSON in and out, and every
 * refusal turned into a CliError carrying the registry's message and the matching exit code.
 */
export class RegistryClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | null,
    /** The transport (the global fetch unless one is given, as tests do). */
    private readonly fetch: typeof globalThis.fetch = globalThis.fetch,
  ) {}

  url(path: string, query: Record<string, string | undefined> = {}): string {
    const url = new URL(path, `${this.baseUrl}/`);
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(key, value);
    return url.href;
  }

  async request(path: string, options: RequestOptions = {}): Promise<Response> {
    const streaming = isStream(options.body);
    const headers: Record<string, string> = {
      ...(this.token ? { 'x-authorization': this.token } : {}),
      ...(options.body !== undefined && !streaming ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    };
    const send = this.fetch;
    let response: Response;
    try {
      response = await send(this.url(path, options.query), {
        method: options.method ?? 'GET',
        headers,
        ...(options.body === undefined
          ? {}
          : streaming
            ? { body: options.body as RequestInit['body'], duplex: 'half' }
            : { body: JSON.stringify(options.body) }),
        ...(options.signal ? { signal: options.signal } : {}),
      } as RequestInit);
    } catch (error) {
      throw new NetworkError(`cannot reach ${this.baseUrl}: ${causeOf(error)}`);
    }
    if (!response.ok && !(options.accept ?? []).includes(response.status)) throw await errorOf(response);
    return response;
  }

  async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(path, options);
    return (await response.json()) as T;
  }

  /** Every page of a paginated list (the `offset` response header is the next page's cursor). */
  async allPages<T>(path: string, options: RequestOptions = {}): Promise<T[]> {
    const all: T[] = [];
    let offset: string | undefined;
    do {
      const response = await this.request(path, { ...options, query: { ...options.query, offset } });
      all.push(...((await response.json()) as T[]));
      offset = response.headers.get('offset') ?? undefined;
    } while (offset);
    return all;
  }
}

/** The connection failed or broke off: worth retrying, unlike an answer from the registry. */
export class NetworkError extends CliError {
  constructor(message: string) {
    super(message, EXIT.failure);
  }
}

/** `{error, message}` bodies become the message; anything else, the status line. */
export async function errorOf(response: Response): Promise<CliError> {
  const text = await response.text().catch(() => '');
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = JSON.parse(text) as { error?: string; message?: string };
    if (body.message) message = `${body.message} (${response.status} ${body.error ?? ''})`.replace(' )', ')');
  } catch {
    if (text.trim()) message += `: ${text.trim().slice(0, 200)}`;
  }
  return new CliError(message, exitCodeForStatus(response.status));
}

export function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

function isStream(body: unknown): boolean {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}
