import type { Command } from 'commander';
import { artifactCommand, type Context, contextOf } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { lineageTree } from '../lineage-tree.js';
import { paint, print, printJson, table } from '../output.js';

type Rating = Record<string, unknown> & { reasons?: Record<string, string> };

const modelPath = (id: string, what: string) => `artifact/model/${encodeURIComponent(id)}/${what}`;

export function registerInsightCommands(program: Command): void {
  program
    .command('rate')
    .description("a model's trust scores, with the reason for each where the registry gives one")
    .argument('<id>', 'model id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const client = await context.client();
      // explain=true asks for the reasons (an extension); a registry without it answers the scores alone.
      const rating = await client.json<Rating>(modelPath(id, 'rate'), { query: { explain: 'true' } });
      if (context.out.json) return printJson(context.out, rating);
      print(context.out, `${rating.name} (${rating.category})`);
      print(context.out, ratingTable(context, rating));
    });

  program
    .command('lineage')
    .description("a model's lineage as a tree: parent models, datasets and code it came from")
    .argument('<id>', 'model id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const graph = await (await context.client()).json<Parameters<typeof lineageTree>[1]>(
        modelPath(id, 'lineage'),
      );
      if (context.out.json) return printJson(context.out, graph);
      print(context.out, lineageTree(id, graph));
    });

  artifactCommand<{ dependency?: boolean }>(
    program,
    'cost',
    'download size in MB, alone or with everything it depends on',
    async ({ context, client, ref }, options) => {
      const cost = await client.json<Record<string, { standalone_cost?: number; total_cost: number }>>(
        `artifact/${ref}/cost`,
        { query: options.dependency ? { dependency: 'true' } : {} },
      );
      if (context.out.json) return printJson(context.out, cost);
      const rows = Object.entries(cost).map(([key, value]) => [
        key,
        ...(options.dependency ? [value.standalone_cost ?? value.total_cost] : []),
        value.total_cost,
      ]);
      const headers = ['ID', ...(options.dependency ? ['STANDALONE MB'] : []), 'TOTAL MB'];
      print(context.out, table(headers, rows));
    },
  ).option('-d, --dependency', 'include what it depends on (its lineage in the registry)');

  program
    .command('license-check')
    .description('can a GitHub project use (fine-tune, run) the model under both licenses? exit 6 when not')
    .argument('<id>', 'model id')
    .requiredOption('-g, --github <url>', "the project's GitHub repository URL")
    .action(async (id: string, options: { github: string }, command: Command) => {
      const context = contextOf(command);
      const response = await (await context.client()).request(modelPath(id, 'license-check'), {
        method: 'POST',
        body: { github_url: options.github },
      });
      const compatible = (await response.json()) as boolean;
      const reason = response.headers.get('x-license-reason');
      if (context.out.json) printJson(context.out, { compatible, reason });
      else {
        print(
          context.out,
          compatible
            ? paint(context.out, 'green', 'compatible')
            : paint(context.out, 'red', 'not compatible'),
        );
        if (reason) print(context.out, reason);
      }
      if (!compatible) context.setExitCode(EXIT.negative);
    });

  artifactCommand(
    program,
    'audit',
    'who created, updated, downloaded and rated an artifact',
    async ({ context, client, ref }) => {
      const entries = await client.json<{ date: string; user: { name: string }; action: string }[]>(
        `artifact/${ref}/audit`,
      );
      if (context.out.json) return printJson(context.out, entries);
      const rows = entries.map((entry) => [entry.date, entry.user.name, entry.action]);
      print(context.out, table(['DATE', 'USER', 'ACTION'], rows));
    },
  );
}

/** One row per metric: its score (size_score per device), latency and, when given, the reason. */
function ratingTable(context: Context, rating: Rating): string {
  const metrics = Object.keys(rating).filter((key) => `${key}_latency` in rating);
  const reasons = rating.reasons ?? {};
  const rows = metrics.map((metric) => {
    const value = rating[metric];
    const score =
      typeof value === 'number'
        ? value.toFixed(2)
        : Object.entries(value as Record<string, number>)
            .map(([device, device_score]) => `${device} ${device_score.toFixed(2)}`)
            .join(', ');
    const low = typeof value === 'number' && value >= 0 && value < 0.5;
    return [
      metric,
      low ? paint(context.out, 'red', score) : score,
      (rating[`${metric}_latency`] as number).toFixed(3),
      ...(Object.keys(reasons).length > 0 ? [reasons[metric] ?? ''] : []),
    ];
  });
  if (rows.length === 0) throw new CliError('the registry answered no metrics', EXIT.failure);
  const headers = ['METRIC', 'SCORE', 'LATENCY s', ...(Object.keys(reasons).length > 0 ? ['REASON'] : [])];
  return table(headers, rows);
}
