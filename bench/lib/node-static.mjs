import { join } from 'node:path';
import { freePort, httpStatus, PROJECT_ROOT, startChild, waitUntil } from './proc.mjs';

/** Runs bench/node-static-server.mjs over `root` on a free loopback port; stopped at cleanup. */
export async function startNodeStatic(root) {
  const port = await freePort();
  const child = startChild('node-static', process.execPath, [
    join(PROJECT_ROOT, 'bench/node-static-server.mjs'),
    root,
    String(port),
  ]);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil('the Node static server to answer', async () => (await httpStatus(`${baseUrl}/`)) > 0, {
    child,
    timeoutMs: 15_000,
  });
  return { baseUrl, stop: child.stop };
}
