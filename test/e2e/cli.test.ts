import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD } from '../../src/services/auth-service.js';
import { type FixtureSources, startFixtureSources } from '../support/fixture-sources.js';
import { freePort, type ServerProcess, startServerProcess } from '../support/server-process.js';
import { makeZip, safetensorsBytes, sha256, zipFileNames } from '../support/zips.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../dist/cli/modelguard.js');
const COMMANDS = [
  'login',
  'logout',
  'token',
  'upload',
  'add',
  'update',
  'show',
  'delete',
  'search',
  'download',
  'rate',
  'lineage',
  'cost',
  'license-check',
  'audit',
  'score',
  'serve',
  'health',
  'reset',
  'users',
  'fsck',
  'monitor',
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A loopback forwarder that, while armed, cuts the first connection after `cutAfter` bytes of
 * response: the network failing in the middle of a download.
 */
async function startCuttingProxy(target: number) {
  let armed = false;
  let cutAfter = 0;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.once('close', () => sockets.delete(socket));
    }
    let sent = 0;
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (armed && sent > cutAfter) {
        armed = false;
        cuts += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    arm(bytes: number) {
      armed = true;
      cutAfter = bytes;
    },
    cuts: () => cuts,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// Each step spawns the CLI (a Node start-up each) on a machine shared with other work.
describe('the modelguard CLI against the real server process', { timeout: 240_000 }, () => {
  let home: string;
  let sources: FixtureSources;
  let server: ServerProcess;
  let proxy: Awaited<ReturnType<typeof startCuttingProxy>>;
  let env: Record<string, string>;
  const big = safetensorsBytes(8_000_000, 11);
  let bigZip: Buffer;
  let bigId: string;

  const run = (
    args: string[],
    options: { input?: string; env?: Record<string, string>; cwd?: string } = {},
  ) =>
    new Promise<Run>((resolve) => {
      const child = spawn('node', [CLI, ...args], {
        cwd: options.cwd ?? home,
        env: { ...process.env, ...env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      child.stdin.end(options.input ?? '');
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const ok = async (args: string[], options: Parameters<typeof run>[1] = {}) => {
    const result = await run(args, options);
    expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
    return result;
  };
  const json = async <T>(args: string[]) => JSON.parse((await ok([...args, '--json'])).stdout) as T;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'modelguard-e2e-cli-'));
    sources = await startFixtureSources();
    // The gate is exercised by the feature suite; here the fine-tune must get in to show lineage.
    server = await startServerProcess({
      DATA_DIR: join(home, 'data'),
      ...sources.env,
      GATE_ENABLED: 'false',
    });
    proxy = await startCuttingProxy(Number(new URL(server.url).port));
    env = {
      MODELGUARD_URL: server.url,
      XDG_CONFIG_HOME: join(home, 'config'),
      MODELGUARD_CONFIG_DIR: '',
      MODELGUARD_TOKEN: '',
      NO_COLOR: '1',
      ...sources.env,
    };
    bigZip = await makeZip([
      { path: 'big/README.md', content: '# big\n' },
      { path: 'big/model.safetensors', content: big, store: true },
      { path: 'big/train.py', content: 'print(1)\n' },
    ]);
    await writeFile(join(home, 'big.zip'), bigZip);
  }, 240_000);

  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    await sources?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('has --help for every command', async () => {
    const top = await ok(['--help']);
    for (const command of COMMANDS) {
      expect(top.stdout).toContain(command);
      const help = await ok([command, '--help']);
      expect(help.stdout).toContain(`Usage: modelguard ${command}`);
    }
    const wrong = await run(['no-such-command']);
    expect(wrong.code).toBe(2);
  });

  it('refuses a wrong password (exit 3) and keeps the token of a good one in a 0600 file', async () => {
    const wrong = await run(['login', '-u', DEFAULT_ADMIN_NAME, '--password-stdin'], { input: 'not-it\n' });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('wrong user name or password');
    const notSignedIn = await run(['search']);
    expect(notSignedIn.code).toBe(3);
    expect(notSignedIn.stderr).toContain('modelguard login');

    await ok(['login', '-u', DEFAULT_ADMIN_NAME, '--password-stdin'], {
      input: `${DEFAULT_ADMIN_PASSWORD}\n`,
    });
    const file = join(home, 'config', 'modelguard', 'credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(file))).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.hosts[server.url].token).toMatch(/^bearer /);
    expect((await ok(['token', '--hf'])).stdout).toMatch(/^hf_eyJ/);
  });

  it('uploads a zip and a folder (zipped on the fly), and finds them by name, regex, type and version', async () => {
    const zip = await json<{ metadata: { id: string; name: string } }>([
      'upload',
      join(home, 'big.zip'),
      '--name',
      'acme/big',
      '--version',
      '1.0.0',
    ]);
    bigId = zip.metadata.id;
    expect(zip.metadata.name).toBe('acme/big');

    const folder = join(home, 'tiny-model');
    await mkdir(join(folder, 'data'), { recursive: true });
    await writeFile(join(folder, 'README.md'), '# tiny\nA tiny model.\n');
    await writeFile(join(folder, 'config.json'), '{"model_type":"gpt2"}');
    await writeFile(join(folder, 'data', 'train.csv'), 'a,b\n1,2\n');
    const uploaded = await ok(['upload', folder, '--version', '2.1.0']);
    expect(uploaded.stdout).toContain('name     tiny-model');
    expect(uploaded.stderr).toMatch(/Uploaded tiny-model \(/);

    const all = await json<{ name: string }[]>(['search']);
    expect(all.map((item) => item.name).sort()).toEqual(['acme/big', 'tiny-model']);
    expect((await json<unknown[]>(['search', 'tiny-model', '--version', '^2.0.0'])).length).toBe(1);
    expect((await json<unknown[]>(['search', 'tiny-model', '--version', '^1.0.0'])).length).toBe(0);
    expect((await json<{ name: string }[]>(['search', '--regex', '^acme/']))[0]?.name).toBe('acme/big');
    expect(await json<unknown[]>(['search', '--type', 'dataset'])).toEqual([]);
    const table = await ok(['search', '--regex', 'tiny']);
    expect(table.stdout).toMatch(/NAME\s+TYPE\s+ID\n-+/);
    expect((await run(['search', 'x', '--regex', 'y'])).code).toBe(2);
  });

  it('downloads byte for byte, by aspect, and resumes after a cut connection (in the run and on a re-run)', async () => {
    const full = await ok(['download', bigId, '-o', 'full.zip']);
    expect(full.stderr).toContain('SHA-256 verified');
    expect(sha256(await readFile(join(home, 'full.zip')))).toBe(sha256(bigZip));
    await ok(['download', bigId, '--aspect', 'code', '-o', 'code.zip']);
    expect(await zipFileNames(await readFile(join(home, 'code.zip')))).toEqual(['big/train.py']);

    // Cut mid-way with no retries: the partial file stays, exit 1, and the same command resumes it.
    proxy.arm(3_000_000);
    // Through the proxy the kept token (keyed by the registry's URL) is not found: pass it as --token.
    const token = (await ok(['token'])).stdout.trim();
    const viaProxy = ['--url', proxy.url, '--token', token];
    const cut = await run(['download', bigId, '-o', 'resumed.zip', '--retries', '0', ...viaProxy]);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toContain('run the same command again to resume');
    const partial = (await stat(join(home, 'resumed.zip.part'))).size;
    expect(partial).toBeGreaterThan(0);
    const rerun = await ok(['download', bigId, '-o', 'resumed.zip', ...viaProxy]);
    expect(rerun.stderr).toContain(`Resuming resumed.zip from byte ${partial}`);
    expect(sha256(await readFile(join(home, 'resumed.zip')))).toBe(sha256(bigZip));

    // Cut again: this time the run reconnects by itself.
    proxy.arm(2_000_000);
    const retried = await json<{ reconnects: number; verified: boolean }>([
      'download',
      bigId,
      '-o',
      'retried.zip',
      ...viaProxy,
    ]);
    expect(proxy.cuts()).toBe(2);
    expect(retried).toMatchObject({ reconnects: 1, verified: true });
    expect(sha256(await readFile(join(home, 'retried.zip')))).toBe(sha256(bigZip));

    // Each download is audited once, however many pieces it came in.
    const audit = await json<{ action: string }[]>(['audit', bigId]);
    // full, code aspect, the cut run, the self-resuming run: resumed pieces are not downloads of their own.
    expect(audit.filter((entry) => entry.action === 'DOWNLOAD').length).toBe(4);
  });

  it('adds from a URL and shows rating, lineage, cost and license', async () => {
    const base = await json<{ metadata: { id: string } }>([
      'add',
      'https://huggingface.co/google-bert/bert-base-uncased',
    ]);
    const tune = await json<{ metadata: { id: string } }>([
      'add',
      'https://huggingface.co/textattack/bert-base-uncased-imdb',
    ]);
    const id = tune.metadata.id;
    const shown = await ok(['show', id]);
    expect(shown.stdout).toContain('source   https://huggingface.co/textattack/bert-base-uncased-imdb');

    const rate = await ok(['rate', id]);
    expect(rate.stdout).toMatch(/METRIC\s+SCORE\s+LATENCY s/);
    expect(rate.stdout).toMatch(/net_score\s+\d\.\d\d/);
    expect((await json<{ net_score: number }>(['rate', id])).net_score).toBeGreaterThan(0);

    const lineage = await ok(['lineage', id]);
    expect(lineage.stdout).toMatch(
      new RegExp(`[├└]── base_model: bert-base-uncased \\(model, ${base.metadata.id}\\)`),
    );

    const cost = await json<Record<string, { total_cost: number }>>(['cost', id, '--dependency']);
    expect(Object.keys(cost)).toEqual(expect.arrayContaining([id, base.metadata.id]));
    expect((await ok(['cost', id, '--dependency'])).stdout).toMatch(/ID\s+STANDALONE MB\s+TOTAL MB/);

    const compatible = await ok(['license-check', id, '--github', 'https://github.com/gnu-ml/gpl-toolkit']);
    expect(compatible.stdout).toContain('compatible');
    const updated = await ok([
      'update',
      base.metadata.id,
      'https://huggingface.co/google-bert/bert-base-uncased',
    ]);
    expect(updated.stdout).toContain(base.metadata.id);
    expect((await run(['show', 'no-such-id'])).code).toBe(4);
  });

  it('scores a URL file without a registry', async () => {
    await writeFile(join(home, 'urls.txt'), 'https://huggingface.co/google-bert/bert-base-uncased\n');
    const scored = await ok(['score', 'urls.txt']);
    const line = JSON.parse(scored.stdout.trim()) as { name: string; net_score: number };
    expect(line.name).toBe('bert-base-uncased');
    expect((await run(['score', 'missing.txt'])).code).toBe(2);
  });

  it('manages users: a search-only user searches but cannot upload; permissions, password, delete', async () => {
    const password = 'violet-harbour-71-lamps';
    const weak = await run(['users', 'add', 'alice', '--search', '--password-stdin'], { input: 'short\n' });
    expect(weak.code).toBe(2);
    await ok(['users', 'add', 'alice', '--search', '--password-stdin'], { input: `${password}\n` });
    const listed = await json<{ user: { name: string }; permissions: Record<string, boolean> }[]>([
      'users',
      'list',
    ]);
    expect(listed.find((entry) => entry.user.name === 'alice')?.permissions).toEqual({
      can_upload: false,
      can_search: true,
      can_download: false,
    });
    expect((await run(['users', 'add', 'alice', '--password-stdin'], { input: `${password}\n` })).code).toBe(
      5,
    );

    // Alice keeps her own login in a config folder of her own.
    const asAlice = { env: { XDG_CONFIG_HOME: join(home, 'alice-config') } };
    await ok(['login', '-u', 'alice', '--password-stdin'], { ...asAlice, input: `${password}\n` });
    await ok(['search', 'acme/big'], asAlice);
    const refused = await run(
      ['upload', join(home, 'big.zip'), '--name', 'alice/big', '--version', '1.0.0'],
      asAlice,
    );
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('upload permission');

    const changed = await ok(['users', 'permissions', 'alice', '--upload', '--no-search']);
    expect(changed.stdout).toMatch(/alice\s+no\s+yes\s+no\s+no/);
    expect((await run(['search', 'acme/big'], asAlice)).code).toBe(3);
    await ok(['users', 'password', 'alice', '--password-stdin'], {
      ...asAlice,
      env: { ...asAlice.env, MODELGUARD_PASSWORD: password },
      input: 'quiet-meadow-58-kites\n',
    });
    await ok(['users', 'delete', 'alice']);
    expect((await run(['users', 'show', 'alice'])).code).toBe(4);
    expect(
      (await run(['upload', join(home, 'big.zip'), '--name', 'alice/big', '--version', '1.0.0'], asAlice))
        .code,
    ).toBe(3);
  });

  it('guards a sensitive model with a monitor program: set, allowed and refused downloads, history, remove', async () => {
    const program = `const who = process.argv[4]; console.log('asked by ' + who); process.exit(who === '${DEFAULT_ADMIN_NAME}' ? 0 : 1);`;
    await writeFile(join(home, 'monitor.js'), program);
    await ok(['monitor', 'set', bigId, 'monitor.js']);
    expect((await ok(['monitor', 'show', bigId])).stdout).toContain(program);
    await ok(['download', bigId, '-o', 'guarded.zip']);
    expect(sha256(await readFile(join(home, 'guarded.zip')))).toBe(sha256(bigZip));

    const password = 'amber-lantern-42-rivers';
    await ok(['users', 'add', 'dora', '--search', '--download', '--password-stdin'], {
      input: `${password}\n`,
    });
    const asDora = { env: { XDG_CONFIG_HOME: join(home, 'dora-config') } };
    await ok(['login', '-u', 'dora', '--password-stdin'], { ...asDora, input: `${password}\n` });
    const refused = await run(['download', bigId, '-o', 'refused.zip'], asDora);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('asked by dora');

    const history = await ok(['monitor', 'history', bigId]);
    expect(history.stdout).toMatch(/dora\s+full\s+refused \(exit\)\s+1\s+asked by dora/);
    expect(history.stdout).toMatch(new RegExp(`${DEFAULT_ADMIN_NAME}\\s+full\\s+allowed\\s+0`));
    await ok(['monitor', 'remove', bigId]);
    expect((await run(['monitor', 'show', bigId])).code).toBe(4);
    await ok(['download', bigId, '-o', 'refused.zip'], asDora);
  });

  it('serves the registry, reports health, deletes, logs out and resets', async () => {
    const port = await freePort();
    const serve = spawn(
      'node',
      [CLI, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', join(home, 'served')],
      {
        env: { ...process.env, LOG_LEVEL: 'silent' },
        stdio: 'ignore',
      },
    );
    try {
      let healthy = false;
      for (let attempt = 0; attempt < 100 && !healthy; attempt += 1) {
        healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
          (response) => response.ok,
          () => false,
        );
        if (!healthy) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(healthy).toBe(true);
      const health = await ok(['health', '--url', `http://127.0.0.1:${port}`]);
      expect(health.stdout).toMatch(/metadata-store\s+ok/);
    } finally {
      serve.kill('SIGTERM');
    }

    await ok(['delete', bigId]);
    expect((await run(['show', bigId])).code).toBe(4);
    expect((await run(['reset'])).code).toBe(2);
    await ok(['reset', '--yes']);
    expect(await json<unknown[]>(['search'])).toEqual([]);
    await ok(['logout']);
    expect((await run(['search'])).code).toBe(3);
  });
});
