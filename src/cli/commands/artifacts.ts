import { Transform } from 'node:stream';
import type { Command } from 'commander';
import { artifactCommand, type Context, contextOf, parseType, typeOption } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { note, print, printJson, table } from '../output.js';
import { packageStream } from '../package-stream.js';
import { createProgress } from '../progress.js';

interface Artifact {
  metadata: { name: string; id: string; type: string };
  data: { url: string; download_url?: string };
}
interface Summary {
  name: string;
  id: string;
  type: string;
}

export function registerArtifactCommands(program: Command): void {
  program
    .command('upload')
    .description('upload a package: a zip file, or a folder zipped on the fly (streamed)')
    .argument('<path>', 'zip file or folder')
    .option('-n, --name <name>', 'artifact name (default: the file or folder name)')
    .option('-v, --version <version>', 'semantic version, e.g. 1.2.0')
    .addOption(typeOption().default('model'))
    .action(
      async (path: string, options: { name?: string; version?: string; type: string }, command: Command) => {
        const context = contextOf(command);
        const client = await context.client();
        const source = await packageStream(path);
        const progress = createProgress(context.out, 'upload', source.exact ? source.approximateSize : null);
        let sent = 0;
        const counted = source.stream.pipe(
          new Transform({
            transform(chunk: Buffer, _encoding, done) {
              sent += chunk.length;
              progress.update(sent);
              done(null, chunk);
            },
          }),
        );
        const artifact = await client.json<Artifact>(`artifact/${parseType(options.type)}/upload`, {
          method: 'POST',
          query: { name: options.name ?? source.defaultName, version: options.version },
          headers: { 'content-type': 'application/zip' },
          body: counted,
        });
        progress.finish(`Uploaded ${artifact.metadata.name}`);
        showArtifact(context, artifact);
      },
    );

  program
    .command('add')
    .description('register a model, dataset or code from a URL (Hugging Face, GitHub, a zip)')
    .argument('<url>', 'source URL')
    .addOption(typeOption().default('model'))
    .action(async (url: string, options: { type: string }, command: Command) => {
      const context = contextOf(command);
      const client = await context.client();
      note(context.out, `Fetching ${url} ...`);
      showArtifact(
        context,
        await client.json<Artifact>(`artifact/${parseType(options.type)}`, { method: 'POST', body: { url } }),
      );
    });

  artifactCommand(
    program,
    'update',
    'replace an artifact from a fresh fetch of a URL',
    async ({ context, client, ref }, _options, [url]) => {
      const current = await client.json<Artifact>(`artifacts/${ref}`);
      await client.request(`artifacts/${ref}`, {
        method: 'PUT',
        body: { metadata: current.metadata, data: { url } },
      });
      showArtifact(context, await client.json<Artifact>(`artifacts/${ref}`));
    },
    [['<url>', 'source URL to fetch the new package from']],
  );

  artifactCommand(
    program,
    'show',
    'show an artifact: name, type, source and download link',
    async ({ context, client, ref }) =>
      showArtifact(context, await client.json<Artifact>(`artifacts/${ref}`)),
  );

  artifactCommand(program, 'delete', 'delete an artifact', async ({ context, client, id, type, ref }) => {
    await client.request(`artifacts/${ref}`, { method: 'DELETE' });
    if (context.out.json) printJson(context.out, { id, type, deleted: true });
    else note(context.out, `Deleted ${type} ${id}.`);
  });

  program
    .command('search')
    .description('find artifacts by exact name (or all), by regular expression, type and version')
    .argument('[name]', 'exact name; omitted: every artifact')
    .option('-r, --regex <pattern>', 'RE2 regular expression over names and READMEs')
    .addOption(typeOption())
    .option('-v, --version <range>', 'version: 1.2.3, 1.2.3-2.1.0, ~1.2.0 or ^1.2.0')
    .action(
      async (
        name: string | undefined,
        options: { regex?: string; type?: string; version?: string },
        command: Command,
      ) => {
        const context = contextOf(command);
        const client = await context.client();
        let found: Summary[];
        if (options.regex !== undefined) {
          if (name !== undefined || options.version !== undefined) {
            throw new CliError(
              '--regex searches on its own: give no name and no --version with it',
              EXIT.usage,
            );
          }
          const matches = await client.json<Summary[]>('artifact/byRegEx', {
            method: 'POST',
            body: { regex: options.regex },
            accept: [404],
          });
          found = Array.isArray(matches)
            ? matches.filter((item) => !options.type || item.type === options.type)
            : [];
        } else {
          found = await enumerate(context, {
            name: name ?? '*',
            ...(options.type ? { types: [options.type] } : {}),
            ...(options.version ? { version: options.version } : {}),
          });
        }
        if (context.out.json) return printJson(context.out, found);
        if (found.length === 0) return note(context.out, 'No artifacts found.');
        print(
          context.out,
          table(
            ['NAME', 'TYPE', 'ID'],
            found.map((item) => [item.name, item.type, item.id]),
          ),
        );
      },
    );
}

/** Every page of `POST /artifacts` (the `offset` response header is the next page's cursor). */
async function enumerate(context: Context, query: Record<string, unknown>): Promise<Summary[]> {
  return (await context.client()).allPages<Summary>('artifacts', { method: 'POST', body: [query] });
}

function showArtifact(context: Context, artifact: Artifact): void {
  if (context.out.json) {
    printJson(context.out, artifact);
    return;
  }
  const rows: [string, string][] = [
    ['name', artifact.metadata.name],
    ['type', artifact.metadata.type],
    ['id', artifact.metadata.id],
    ['source', artifact.data.url],
    ...(artifact.data.download_url ? [['download', artifact.data.download_url] as [string, string]] : []),
  ];
  print(context.out, rows.map(([key, value]) => `${key.padEnd(9)}${value}`).join('\n'));
}
