import { type Command, Option } from 'commander';
import { artifactCommand } from '../context.js';
import { downloadWithResume } from '../download.js';
import { CliError, EXIT } from '../exit-codes.js';
import { note, printJson } from '../output.js';

const ASPECTS = ['full', 'weights', 'datasets', 'code', 'docs'];

export function registerDownloadCommand(program: Command): void {
  artifactCommand<{ aspect: string; output?: string; retries: string }>(
    program,
    'download',
    'download a package or one aspect of it, resuming after a broken connection',
    async ({ context, client, id, ref }, options) => {
      const retries = Number(options.retries);
      if (!Number.isInteger(retries) || retries < 0)
        throw new CliError('--retries takes a count', EXIT.usage);
      let output = options.output;
      if (output === undefined) {
        const { metadata } = await client.json<{ metadata: { name: string } }>(`artifacts/${ref}`);
        // The registry's own file name for the download (Content-Disposition), known before asking for it.
        const base = metadata.name.replace(/[^A-Za-z0-9._-]+/g, '_') || id;
        output = `${base}${options.aspect === 'full' ? '' : `-${options.aspect}`}.zip`;
      }
      const result = await downloadWithResume({
        client,
        path: `download/${ref}`,
        query: options.aspect === 'full' ? {} : { aspect: options.aspect },
        output,
        retries,
        out: context.out,
      });
      if (context.out.json) printJson(context.out, result);
      else if (result.verified) note(context.out, `${result.output}: SHA-256 verified.`);
    },
  )
    .addOption(new Option('-a, --aspect <aspect>', 'part of the package').choices(ASPECTS).default('full'))
    .option('-o, --output <file>', 'where to write (default: <name>[-<aspect>].zip here)')
    .option('--retries <count>', 'reconnections within this run', '5');
}
