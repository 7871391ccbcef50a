import { afterEach, describe, expect, it, vi } from 'vitest';

// `serve` loads the server module, which listens when loaded: here it is an empty module, so
// what `serve` hands the server (its configuration, in the environment) can be checked.
vi.mock('../../../src/server.js', () => ({}));

/** Runs an executable module (src/cli/*.ts) as node would, with `args`, capturing its streams. */
async function runExecutable(module: string, args: string[]) {
  const argv = process.argv;
  const written = { stdout: '', stderr: '' };
  const capture = (name: 'stdout' | 'stderr') =>
    vi.spyOn(process[name], 'write').mockImplementation((chunk: string | Uint8Array) => {
      written[name] += String(chunk);
      return true;
    });
  capture('stdout');
  capture('stderr');
  process.argv = ['node', module, ...args];
  try {
    vi.resetModules();
    await import(module);
    return { code: process.exitCode, ...written };
  } finally {
    process.argv = argv;
    process.exitCode = undefined;
    vi.restoreAllMocks();
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the executables', () => {
  it('modelguard runs the command line of the process and sets its exit code', async () => {
    vi.stubEnv('MODELGUARD_CONFIG_DIR', '/nonexistent/modelguard-config');
    const version = await runExecutable('../../../src/cli/modelguard.js', ['--cli-version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(version.code).toBe(0);
    const refused = await runExecutable('../../../src/cli/modelguard.js', ['reset']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes to go ahead');
  });

  it('modelguard serve hands --port, --host and --data-dir to the server as PORT, HOST and DATA_DIR', async () => {
    vi.stubEnv('PORT', undefined);
    vi.stubEnv('HOST', undefined);
    vi.stubEnv('DATA_DIR', undefined);
    await runExecutable('../../../src/cli/modelguard.js', ['serve']);
    expect([process.env.PORT, process.env.HOST, process.env.DATA_DIR]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const run = await runExecutable('../../../src/cli/modelguard.js', [
      'serve',
      '-p',
      '4321',
      '--host',
      '127.0.0.9',
      '-d',
      '/srv/mg',
    ]);
    expect(run.code).toBe(0);
    expect([process.env.PORT, process.env.HOST, process.env.DATA_DIR]).toEqual([
      '4321',
      '127.0.0.9',
      '/srv/mg',
    ]);
  });
});
