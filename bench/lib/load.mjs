import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { FastGetConnection } from './fast-get.mjs';

/**
 * `clients` concurrent keep-alive clients download `url` back to back for `durationMs`.
 * Every request started inside the window runs to completion and gives a latency sample
 * (so slow requests are not cut off); throughput counts only bytes and completions inside
 * the window, while all clients are still busy; requests/s counts only 200 answers. Every `verifyEvery`-th body is hashed and
 * compared with `expected.sha256`; every body's length is compared with `expected.size`.
 */
export async function runLoad({ url, clients, durationMs, headersFor, expected, verifyEvery = 20 }) {
  const { origin, pathname, search } = new URL(url);
  const result = {
    clients,
    durationMs,
    windowBytes: 0,
    windowRequests: 0,
    latenciesMs: [],
    errors: {},
    verified: 0,
    corrupt: 0,
  };
  const countError = (kind) => {
    result.errors[kind] = (result.errors[kind] ?? 0) + 1;
  };
  const start = performance.now();
  const end = start + durationMs;
  const onBytes = (n) => {
    if (performance.now() <= end) result.windowBytes += n;
  };
  let sequence = 0;

  async function client(index) {
    const connection = new FastGetConnection(origin);
    while (performance.now() < end) {
      const hash = sequence++ % verifyEvery === 0;
      try {
        const headers = await headersFor(index);
        const response = await connection.get(pathname + search, { headers, hash, onBytes });
        if (response.status !== 200) {
          countError(`HTTP ${response.status}`);
          continue;
        }
        if (performance.now() <= end) result.windowRequests++;
        result.latenciesMs.push(response.ms);
        if (response.bytes !== expected.size) countError('wrong length');
        if (hash) {
          result.verified++;
          if (response.sha256 !== expected.sha256) result.corrupt++;
        }
      } catch (error) {
        countError(error.code ?? error.message);
        await sleep(100); // a refused connection fails instantly: do not spin
      }
    }
    connection.close();
  }

  await Promise.all(Array.from({ length: clients }, (_, index) => client(index)));
  result.elapsedMs = performance.now() - start;
  return result;
}
