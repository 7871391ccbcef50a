import { storageEnv } from './combos.mjs';
import { freePort, httpStatus, PROJECT_ROOT, run, startChild, tempDir, waitUntil } from './proc.mjs';
import { resetRegistry, TokenSource } from './registry-client.mjs';

/** Extra node flags for the registry process, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p". */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** Inherited variables that would silently change the storage under test. */
const STORAGE_VARIABLES = /^(DATABASE_URL|S3_|AWS_)/;

/** `npm run build`, unless BENCH_SKIP_BUILD=1 asks to bench the dist/ already built. */
export async function buildRegistry() {
  if (process.env.BENCH_SKIP_BUILD === '1') return;
  await run('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT });
}

/**
 * Starts the built registry (`dist/server.js`) for a storage combination on a free loopback
 * port with a fresh DATA_DIR; it and its storage services are stopped at cleanup. Resolves once
 * /health answers 200 and the registry has been reset (unless `reset: false`, for a registry whose
 * database a bench filled beforehand), with an admin token source.
 */
export async function startRegistry(combo, extraEnv = {}, { reset = true } = {}) {
  const port = await freePort();
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !STORAGE_VARIABLES.test(key)),
  );
  const env = {
    ...inherited,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: await tempDir(`data-${combo}`),
    LOG_LEVEL: 'warn',
    ...(await storageEnv(combo)),
    ...extraEnv,
  };
  const server = startChild(`registry (${combo})`, process.execPath, [...NODE_ARGS, 'dist/server.js'], {
    cwd: PROJECT_ROOT,
    env,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil('registry /health', async () => (await httpStatus(`${baseUrl}/health`)) === 200, {
    child: server,
  });
  if (reset) await resetRegistry(baseUrl, new TokenSource(baseUrl));
  // A reset also revokes tokens, so authenticate afresh for the run.
  return {
    baseUrl,
    port,
    dataDir: env.DATA_DIR,
    pid: server.pid,
    tokens: new TokenSource(baseUrl),
    output: server.output,
  };
}
