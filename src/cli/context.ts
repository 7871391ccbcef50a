import { type Command, Option } from 'commander';
import { hostKey, loadCredentials } from './credentials.js';
import { CliError, EXIT } from './exit-codes.js';
import { createOutput, type Output, type OutputStreams } from './output.js';
import type { Terminal } from './prompt.js';
import { RegistryClient } from './registry-client.js';

export const DEFAULT_URL = 'http://localhost:3000';
export const ARTIFACT_TYPES = ['model', 'dataset', 'code'] as const;
export type ArtifactType = (typeof ARTIFACT_TYPES)[number];

interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/**
 * What the CLI runs with: the process's environment, streams and fetch, or (in tests) others.
 * `exitCode` is where a command that ends without an error puts a non-zero verdict.
 */
export interface CliIo extends OutputStreams {
  env: NodeJS.ProcessEnv;
  stdin: Terminal['stdin'];
  fetch: typeof globalThis.fetch;
  exitCode: number;
}

export function processIo(): CliIo {
  return {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    fetch: globalThis.fetch,
    exitCode: 0,
  };
}

const ios = new WeakMap<Command, CliIo>();

/** Runs `program` (and its subcommands) with `io`. */
export function bindIo(program: Command, io: CliIo): void {
  ios.set(program, io);
}

function ioOf(command: Command): CliIo {
  let root = command;
  while (root.parent) root = root.parent;
  return ios.get(root) ?? processIo();
}

/** What every command gets: where its output goes, and the registry it talks to. */
export interface Context {
  out: Output;
  env: NodeJS.ProcessEnv;
  /** Where prompts read and write. */
  terminal: Terminal;
  /** The transport to the registry (and, for `score`, to Hugging Face and GitHub). */
  fetch: typeof globalThis.fetch;
  /** The exit code when the command ends without an error (a "no" answer, a failing check). */
  setExitCode(code: number): void;
  /** --url, MODELGUARD_URL, the registry of the last login, or http://localhost:3000. */
  baseUrl(): Promise<string>;
  /** --token, MODELGUARD_TOKEN or the one `login` kept for this registry. */
  token(): Promise<string>;
  /** A client sending that token. */
  client(): Promise<RegistryClient>;
  /** A client sending no token (signing in, health). */
  anonymousClient(): Promise<RegistryClient>;
}

export function contextOf(command: Command): Context {
  const io = ioOf(command);
  const env = io.env;
  const options = command.optsWithGlobals<GlobalOptions>();
  const baseUrl = async () =>
    hostKey(options.url || env.MODELGUARD_URL || (await loadCredentials(env)).defaultUrl || DEFAULT_URL);
  const token = async () => {
    const url = await baseUrl();
    const found = options.token || env.MODELGUARD_TOKEN || (await loadCredentials(env)).hosts[url]?.token;
    if (!found) throw new CliError(`not signed in to ${url}: run \`modelguard login\` first`, EXIT.auth);
    return found;
  };
  return {
    out: createOutput(Boolean(options.json), env, io),
    env,
    terminal: { stdin: io.stdin, stderr: io.stderr },
    fetch: io.fetch,
    setExitCode: (code) => {
      io.exitCode = code;
    },
    baseUrl,
    token,
    client: async () => new RegistryClient(await baseUrl(), await token(), io.fetch),
    anonymousClient: async () => new RegistryClient(await baseUrl(), null, io.fetch),
  };
}

/**
 * The artifact's type: the one given, or found by asking for the id as each type in turn (ids
 * are unique across types, so at most one answers).
 */
export async function typeOf(
  client: RegistryClient,
  id: string,
  given: string | undefined,
): Promise<ArtifactType> {
  if (given !== undefined) return parseType(given);
  for (const type of ARTIFACT_TYPES) {
    const response = await client.request(`artifacts/${type}/${encodeURIComponent(id)}`, { accept: [404] });
    await response.body?.cancel();
    if (response.ok) return type;
  }
  throw new CliError(`no artifact with id ${id}`, EXIT.notFound);
}

export function parseType(value: string): ArtifactType {
  if ((ARTIFACT_TYPES as readonly string[]).includes(value)) return value as ArtifactType;
  throw new CliError(`unknown type "${value}" (expected model, dataset or code)`, EXIT.usage);
}

export const typeOption = () =>
  new Option('-t, --type <type>', 'artifact type (default: found from the id)').choices([...ARTIFACT_TYPES]);

/** What a command on one artifact works with: its id, its type (given or found) and the client. */
export interface ArtifactTarget {
  context: Context;
  client: RegistryClient;
  id: string;
  type: ArtifactType;
  /** `{type}/{id}` for the registry's paths. */
  ref: string;
}

/**
 * A command on one artifact: `<id>` (then any `more` arguments, handed over in order) and
 * `--type`, the type found from the id when not given.
 */
export function artifactCommand<Options extends object>(
  program: Command,
  name: string,
  description: string,
  handle: (target: ArtifactTarget, options: Options, more: string[]) => Promise<void>,
  more: [name: string, description: string][] = [],
): Command {
  const command = program.command(name).description(description).argument('<id>', 'artifact id');
  for (const [argument, about] of more) command.argument(argument, about);
  return command.addOption(typeOption()).action(async (...args: unknown[]) => {
    const self = args.at(-1) as Command;
    const options = args.at(-2) as Options;
    const [id, ...rest] = args.slice(0, -2) as string[];
    const context = contextOf(self);
    const client = await context.client();
    const type = await typeOf(client, id as string, (options as { type?: string }).type);
    const target = {
      context,
      client,
      id: id as string,
      type,
      ref: `${type}/${encodeURIComponent(id as string)}`,
    };
    await handle(target, options, rest);
  });
}
