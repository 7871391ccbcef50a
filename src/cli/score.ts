/** `npm run score -- URLS.txt`: rates each model in the file and prints NDJSON (see score-command.ts). */
import { runScoreCommand } from './score-command.js';

process.exitCode = await runScoreCommand(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (message) => process.stderr.write(`${message}\n`),
});
