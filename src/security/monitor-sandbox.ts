import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs an untrusted monitor program (issue 11: `node PROGRAM MODEL UPLOADER DOWNLOADER ZIP`) in its
 * own process with Node's permission model (read access to exactly the program and the zip; no child
 * processes, workers, addons or writes), a new network namespace (`unshare -n`, when it works here),
 * an empty environment, an empty temporary working folder, a wall-time limit, a heap limit and a cap
 * on captured output. Any exit but 0, a crash, a timeout or too much output is a refusal.
 * Not yet wired into downloads (see docs/security.md).
 */
export interface SandboxLimits {
  timeoutMs: number;
  heapMb: number;
  outputBytes: number;
}

export interface SandboxVerdict {
  allowed: boolean;
  exitCode: number | null;
  /** Why it was refused when it did not simply exit non-zero. */
  reason: 'exit' | 'timeout' | 'output-limit' | 'spawn-error';
  /** The first `outputBytes` of stdout. */
  stdout: string;
  durationMs: number;
}

/** Whether `unshare -n` can make a network namespace here (root, or user namespaces allowed). */
export async function networkIsolationAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn('unshare', ['-n', 'true'], { stdio: 'ignore' });
    probe.on('error', () => resolve(false));
    probe.on('exit', (code) => resolve(code === 0));
  });
}

export async function runMonitor(
  program: string,
  args: string[],
  zipPath: string,
  limits: SandboxLimits,
  isolateNetwork: boolean,
): Promise<SandboxVerdict> {
  const cwd = await mkdtemp(join(tmpdir(), 'modelguard-monitor-'));
  const node = [
    process.execPath,
    '--experimental-permission',
    `--allow-fs-read=${program}`,
    `--allow-fs-read=${zipPath}`,
    `--max-old-space-size=${limits.heapMb}`,
    program,
    ...args,
  ];
  const command = isolateNetwork ? ['unshare', '-n', ...node] : node;
  const started = Date.now();
  try {
    return await new Promise<SandboxVerdict>((resolve) => {
      const child = spawn(command[0] as string, command.slice(1), {
        cwd,
        env: {},
        stdio: ['ignore', 'pipe', 'ignore'],
        detached: true,
      });
      const chunks: Buffer[] = [];
      let captured = 0;
      let reason: SandboxVerdict['reason'] = 'exit';
      const kill = (why: SandboxVerdict['reason']) => {
        reason = why;
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      };
      const timer = setTimeout(() => kill('timeout'), limits.timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        const room = limits.outputBytes - captured;
        if (room > 0) chunks.push(chunk.subarray(0, room));
        captured += chunk.length;
        if (captured > limits.outputBytes) kill('output-limit');
      });
      const finish = (exitCode: number | null, why: SandboxVerdict['reason']) => {
        clearTimeout(timer);
        resolve({
          allowed: why === 'exit' && exitCode === 0,
          exitCode,
          reason: why,
          stdout: Buffer.concat(chunks).toString('utf8'),
          durationMs: Date.now() - started,
        });
      };
      child.on('error', () => finish(null, 'spawn-error'));
      child.on('close', (code) => finish(code, reason));
    });
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}
