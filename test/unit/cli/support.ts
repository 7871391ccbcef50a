import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { CliIo } from '../../../src/cli/context.js';
import { runCli } from '../../../src/cli/program.js';

/** A request the CLI sent, as the registry received it. */
export interface SentRequest {
  method: string;
  /** Path and query, e.g. `/artifacts/model/m1?explain=true`. */
  path: string;
  headers: Headers;
  /** The body as text (a streamed body read to its end). */
  body: string;
}

export type Handler = (request: SentRequest) => Response | Promise<Response>;

/**
 * A stand-in for the registry's HTTP API behind an injected fetch: routes keyed `METHOD /path`
 * (query left out), each answering as the registry does; any other route is the registry's 404.
 * A route may be a list of answers, given one per call (the last one repeats).
 */
export function fakeRegistry(routes: Record<string, Handler | Handler[]>) {
  const requests: SentRequest[] = [];
  const calls = new Map<string, number>();
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const request: SentRequest = {
      method: init.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      headers: new Headers(init.headers),
      body:
        init.body === undefined
          ? ''
          : await new Response(init.body as ConstructorParameters<typeof Response>[0]).text(),
    };
    requests.push(request);
    const key = `${request.method} ${url.pathname}`;
    const route = routes[key];
    if (route === undefined) return problem(404, 'NOT_FOUND', `No route ${key}.`);
    if (!Array.isArray(route)) return route(request);
    const index = calls.get(key) ?? 0;
    calls.set(key, index + 1);
    return (route[Math.min(index, route.length - 1)] as Handler)(request);
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** The registry's error body: `{error, message}` with the status. */
export function problem(status: number, error: string, message: string): Response {
  return json({ error, message }, status);
}

/** Collects what is written to a stream, as text (at once: no event-loop turn in between). */
export function sink(isTTY = false) {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  }) as Writable & { isTTY?: boolean };
  if (isTTY) stream.isTTY = true;
  return { stream, text: () => text };
}

/** A stdin: piped text, or a terminal the user types `typed` into (each string one burst of keys). */
export function fakeStdin(options: { piped?: string; typed?: string[] } = {}) {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean; setRawMode(raw: boolean): void };
  const modes: boolean[] = [];
  stdin.setRawMode = (raw: boolean) => {
    modes.push(raw);
  };
  if (options.typed) {
    stdin.isTTY = true;
    const bursts = [...options.typed];
    // Each burst arrives when the program starts reading (a question was asked).
    const feed = () => {
      const next = bursts.shift();
      if (next !== undefined) setImmediate(() => stdin.write(next));
    };
    stdin.on('resume', feed);
    stdin.on('newListener', (event) => {
      if (event === 'data' || event === 'readable') feed();
    });
  } else stdin.end(options.piped ?? '');
  return { stdin, modes };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  fetch?: typeof globalThis.fetch;
  env?: NodeJS.ProcessEnv;
  stdin?: CliIo['stdin'];
  /** stderr is a terminal: progress bars are drawn. */
  tty?: boolean;
}

/** `modelguard ...argv` in process, against the given fetch, with its own config folder. */
export async function modelguard(argv: string[], options: CliOptions = {}): Promise<CliRun> {
  const stdout = sink();
  const stderr = sink(options.tty);
  const code = await runCli(argv, {
    env: { MODELGUARD_CONFIG_DIR: '/nonexistent/modelguard-config', ...options.env },
    stdin: options.stdin ?? fakeStdin().stdin,
    stdout: stdout.stream,
    stderr: stderr.stream,
    fetch: options.fetch ?? fakeRegistry({}).fetch,
    exitCode: 0,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A temporary folder, removed by the returned `remove`. */
export async function tempDir(
  prefix = 'modelguard-cli-',
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export const REGISTRY_URL = 'http://registry.test';
/** Environment for a signed-in user of the fake registry. */
export const SIGNED_IN = { MODELGUARD_URL: REGISTRY_URL, MODELGUARD_TOKEN: 'bearer tok' };
