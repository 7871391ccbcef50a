import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IsolationSupport, probeIsolation, runMonitor } from '../../src/security/monitor-sandbox.js';

/** Escape attempts against the monitor sandbox: each must be stopped and refuse the download. */
describe('monitor sandbox', () => {
  let dir: string;
  let zip: string;
  let listener: Server;
  let port = 0;
  let connections = 0;
  let isolation: IsolationSupport = { network: false, memory: false };
  const limits = { timeoutMs: 3000, heapMb: 32, memoryMb: 256, outputBytes: 4096 };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-test-'));
    zip = join(dir, 'model.zip');
    await writeFile(zip, 'PK-not-really');
    await writeFile(join(dir, 'registry.db'), 'secret rows');
    isolation = await probeIsolation();
    listener = createServer((socket) => {
      connections++;
      socket.end('hello');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });
  afterAll(async () => {
    listener.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(name: string, source: string) {
    const program = join(dir, `${name}.js`);
    await writeFile(program, source);
    return runMonitor(program, ['model', 'alice', 'bob', zip], zip, limits, isolation);
  }

  it('allows on exit 0, passes the arguments and lets the program read its zip', async () => {
    const verdict = await run(
      'ok',
      `const fs = require('fs'); const [m, u, d, z] = process.argv.slice(2);
       console.log(m, u, d, fs.readFileSync(z, 'utf8'));`,
    );
    expect(verdict).toMatchObject({ allowed: true, exitCode: 0, stdout: 'model alice bob PK-not-really\n' });
  });

  it('refuses on a non-zero exit, with its stdout', async () => {
    const verdict = await run('no', `console.log('bob may not'); process.exit(3);`);
    expect(verdict).toMatchObject({ allowed: false, exitCode: 3, reason: 'exit', stdout: 'bob may not\n' });
  });

  it.each([
    ['read the registry database', `require('fs').readFileSync(${JSON.stringify('REGISTRY_DB')})`],
    ['read /etc/passwd', `require('fs').readFileSync('/etc/passwd')`],
    ['write a file', `require('fs').writeFileSync('escaped.txt', 'x')`],
    ['spawn a process', `require('child_process').execSync('id')`],
    ['start a worker', `new (require('worker_threads').Worker)('1', { eval: true })`],
    ['crash', `throw new Error('boom')`],
  ])('stops an attempt to %s', async (_what, source) => {
    const verdict = await run(
      'attempt',
      `${source.replace('REGISTRY_DB', join(dir, 'registry.db'))}; process.exit(0);`,
    );
    expect(verdict.allowed).toBe(false);
    expect(verdict.exitCode).not.toBe(0);
  });

  it('gives the program an empty environment and an empty working folder', async () => {
    process.env.JWT_SECRET_FOR_SANDBOX_TEST = 'do-not-leak';
    const verdict = await run(
      'env',
      `if (Object.keys(process.env).length > 0) { console.log(JSON.stringify(process.env)); process.exit(1); }
       process.exit(0);`,
    );
    delete process.env.JWT_SECRET_FOR_SANDBOX_TEST;
    expect(verdict).toMatchObject({ allowed: true, stdout: '' });
    expect(await readdir(dir)).not.toContain('escaped.txt');
  });

  // Root (as here) or unprivileged user namespaces make a network namespace; elsewhere the health
  // report says the isolation is partial.
  it('cannot reach a loopback listener', async () => {
    expect(isolation.network, 'unshare -n must work on this machine').toBe(true);
    const verdict = await run(
      'net',
      `const s = require('net').connect(${port}, '127.0.0.1', () => { console.log('connected'); process.exit(0); });
       s.on('error', () => process.exit(2));`,
    );
    expect(verdict).toMatchObject({ allowed: false, exitCode: 2 });
    expect(connections).toBe(0);
  });

  it('stops a program that loops forever (timeout)', async () => {
    const verdict = await run('loop', 'for (;;) {}');
    expect(verdict).toMatchObject({ allowed: false, reason: 'timeout' });
    expect(verdict.durationMs).toBeLessThan(limits.timeoutMs + 2000);
  });

  it('stops a program that allocates without bound (heap limit)', async () => {
    const verdict = await run('alloc', 'const a = []; for (;;) a.push(new Array(1e6).fill(1));');
    expect(verdict.allowed).toBe(false);
  });

  it('stops a program that allocates native memory without bound (data limit)', async () => {
    expect(isolation.memory, 'prlimit must work on this machine').toBe(true);
    const verdict = await run(
      'native',
      `const kept = []; for (;;) kept.push(Buffer.alloc(16 * 1024 * 1024, 1));`,
    );
    expect(verdict.allowed).toBe(false);
    expect(verdict.reason).toBe('exit');
  });

  it('caps what it prints (100 MB attempted)', async () => {
    const verdict = await run(
      'print',
      `const line = 'x'.repeat(1 << 20); for (let i = 0; i < 100; i++) process.stdout.write(line);`,
    );
    expect(verdict).toMatchObject({ allowed: false, reason: 'output-limit' });
    expect(verdict.stdout.length).toBe(limits.outputBytes);
  });

  it('stops a fork bomb (no child processes)', async () => {
    const verdict = await run('fork', `const cp = require('child_process'); for (;;) cp.fork(__filename);`);
    expect(verdict.allowed).toBe(false);
  });
});
