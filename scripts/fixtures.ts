/**
 * Starts the fixture Hugging Face Hub and GitHub API on fixed local ports, for trying ingest by
 * hand without the internet: `npm run fixtures`, then start the registry with the printed
 * variables. Ports: HF_FIXTURE_PORT (default 8901) and GITHUB_FIXTURE_PORT (default 8902).
 */
import { startGitHubServer } from '../test/fixtures/github-server.js';
import { GRANTED_HF_TOKEN, startHfServer } from '../test/fixtures/hf-server.js';

const hfPort = Number(process.env.HF_FIXTURE_PORT ?? 8901);
const githubPort = Number(process.env.GITHUB_FIXTURE_PORT ?? 8902);

const hub = await startHfServer({ port: hfPort });
const github = await startGitHubServer({ port: githubPort });

const models = hub.repos
  .filter((repo) => repo.type === 'model')
  .map((repo) => `  https://huggingface.co/${repo.id}`);
const datasets = hub.repos
  .filter((repo) => repo.type === 'dataset')
  .map((repo) => `  https://huggingface.co/datasets/${repo.id}`);
const code = github.repos.map((repo) => `  https://github.com/${repo.owner}/${repo.name}`);

process.stdout.write(
  [
    'Fixture servers are running. Start ModelGuard with:',
    '',
    `  HF_ENDPOINT=${hub.url} GITHUB_API_URL=${github.url} npm start`,
    '',
    `Gated repos open with HF_TOKEN=${GRANTED_HF_TOKEN}. Without GITHUB_TOKEN (any value works here)`,
    'GitHub allows 60 requests an hour, as the real API does.',
    'Models:',
    ...models,
    'Datasets:',
    ...datasets,
    'Code:',
    ...code,
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([hub.close(), github.close()]).then(() => process.exit(0));
  });
}
