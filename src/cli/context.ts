import { type Command, Option } from 'commander';
import { hostKey, loadCredentials } from './credentials.js';
import { CliError, EXIT } from './exit-codes.js';
import { createOutput, type Output } from './output.js';
import { RegistryClient } from './registry-client.js';

export const DEFAULT_URL = 'http://localhost:3000';
export const ARTIFACT_TYPES = ['model', 'dataset', 'code'] as const;
export type ArtifactType = (typeof ARTIFACT_TYPES)[number];

interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** What every command gets: where its output goes, and the registry it talks to. */
export interface Context {
  out: Output;
  env: NodeJS.ProcessEnv;
  /** --url, MODELGUARD_URL, the registry of the last login, or http://localhost:3000. */
  baseUrl(): Promise<string>;
  /** --token, MODELGUARD_TOKEN or the one `login` kept for this registry. */
  token(): Promise<string>;
  /** A client sending that token. */
  client(): Promise<RegistryClient>;
}

export function contextOf(command: Command, env: NodeJS.ProcessEnv = process.env): Context {
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
    out: createOutput(Boolean(options.json), env),
    env,
    baseUrl,
    token,
    client: async () => new RegistryClient(await baseUrl(), await token()),
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
