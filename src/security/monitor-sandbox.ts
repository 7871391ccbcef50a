import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs an untrusted monitor program (issue 11: `node PROGRAM MODEL UPLOADER DOWNLOADER ZIP`) in its
 * own process with Node's permission model (read access to exactly the program and the zip; no child
 * processes, workers, addons or writes), a new network namespace (`unshare -n`, when it works here),
 * an empty environment, an empty temporary working folder, a wall-time limit, heap and native memory
 * limits (`prlimit --data`, when present) and a cap on captured output. Any exit but 0, a crash, a
 * timeout or too much output is a refusal (docs/security.md).
 */
export interface SandboxLimits {
  timeoutMs: number;
  heapMb: number;
  /** Bound on the process's data segment (heap, buffers and every other private allocation). */
  memoryMb: number;
  outputBytes: number;
}

/** Which OS-level layers this machine supports; the permission model and limits always apply. */
export interface IsolationSupport {
  /** `unshare -n`: a network namespace without interfaces. */
  network: boolean;
  /** `prlimit --data`: native memory bounded as well as V8's heap. */
  memory: boolean;
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

/** Probes once which layers work here (`unshare -n` needs root or unprivileged user namespaces). */
export async function probeIsolation(): Promise<IsolationSupport> {
  const [network, memory] = await Promise.all([
    succeeds('unshare', ['-n', 'true']),
    succeeds('prlimit', ['--data=67108864', 'true']),
  ]);
  return { network, memory };
}

function succeeds(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn(command, args, { stdio: 'ignore' });
    probe.on('error', () => resolve(false));
    probe.on('exit', (code) => resolve(code === 0));
  });
}

export async function runMonitor(
  program: string,
  args: string[],
  zipPath: string,
  limits: SandboxLimits,
  isolation: IsolationSupport,
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
  const command = [
    ...(isolation.network ? ['unshare', '-n'] : []),
    ...(isolation.memory ? ['prlimit', `--data=${limits.memoryMb * 1024 * 1024}`] : []),
    ...node,
  ];
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
