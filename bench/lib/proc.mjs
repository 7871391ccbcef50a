import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { defer } from './cleanup.mjs';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A fresh temp dir, removed at cleanup. */
export async function tempDir(label) {
  const dir = await mkdtemp(join(tmpdir(), `mg-bench-${label}-`));
  defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A port free on loopback right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a long-running child whose output is kept (last lines shown if it dies early) and
 * which is killed at cleanup. `exited` settles when it stops.
 */
export function startChild(label, command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let tail = '';
  const keep = (chunk) => {
    tail = (tail + chunk).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
    if (timedOut) child.kill('SIGKILL');
    await exited;
  };
  defer(stop);
  return { label, child, pid: child.pid, exited, stop, output: () => tail };
}

/** Runs a command to completion, inheriting stdio; throws on a non-zero exit. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

/** Polls `probe` until it returns true; fails early if the child dies, or after `timeoutMs`. */
export async function waitUntil(description, probe, { child, timeoutMs = 60_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let died = false;
  child?.exited.then(() => {
    died = true;
  });
  while (Date.now() < deadline) {
    if (died) throw new Error(`${child.label} exited before ${description}:\n${child.output()}`);
    if (await probe().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${description}${child ? `:\n${child.output()}` : ''}`);
}

/** The status of an HTTP GET of `url` (throws when nothing answers). */
export async function httpStatus(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  return response.status;
}
