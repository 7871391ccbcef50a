import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadFile, fileExists, listFiles, modelInfo, snapshotDownload } from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { DEFAULT_ADMIN_NAME, DEFAULT_ADMIN_PASSWORD } from '../../src/services/auth-service.js';
import { type FixtureSources, startFixtureSources } from '../support/fixture-sources.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { makeZip, safetensorsBytes } from '../support/zips.js';

const BERT = 'google-bert/bert-base-uncased';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Python's huggingface_hub, when this machine has it (it is not a dependency of the project). */
const python = (() => {
  const probe = spawnSync('python3', ['-c', 'import huggingface_hub; print(huggingface_hub.__version__)'], {
    encoding: 'utf8',
  });
  return probe.status === 0 ? { version: probe.stdout.trim() } : null;
})();
if (!python) {
  console.warn(
    'Skipping the Python huggingface_hub e2e test: `python3 -c "import huggingface_hub"` fails here.',
  );
}

/** Every file of a stored package zip, by name, as the registry's full download returns it. */
async function packageFiles(zip: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const reader = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  for await (const entry of reader.eachEntry()) {
    if (entry.fileName.endsWith('/')) continue;
    const chunks: Buffer[] = [];
    for await (const chunk of await reader.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    files.set(entry.fileName, Buffer.concat(chunks));
  }
  return files;
}

describe('Hub clients against the real server process (npm start)', () => {
  let dataDir: string;
  let cacheDir: string;
  let sources: FixtureSources;
  let server: ServerProcess;
  let registryToken: string;
  let hfToken: string;
  let bertFiles: Map<string, Buffer>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'modelguard-e2e-hub-'));
    cacheDir = await mkdtemp(join(tmpdir(), 'modelguard-e2e-hub-cache-'));
    sources = await startFixtureSources();
    server = await startServerProcess({ DATA_DIR: dataDir, ...sources.env });
    const auth = await fetch(`${server.url}/authenticate`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user: { name: DEFAULT_ADMIN_NAME, is_admin: true },
        secret: { password: DEFAULT_ADMIN_PASSWORD },
      }),
    });
    registryToken = (await auth.json()) as string;
    hfToken = `hf_${registryToken.replace(/^bearer /, '')}`;
    const created = await fetch(`${server.url}/artifact/model`, {
      method: 'POST',
      headers: { 'x-authorization': registryToken, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `https://huggingface.co/${BERT}` }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const { metadata } = (await created.json()) as { metadata: { id: string } };
    const zip = await fetch(`${server.url}/download/model/${metadata.id}`, {
      headers: { 'x-authorization': registryToken },
    });
    bertFiles = await packageFiles(Buffer.from(await zip.arrayBuffer()));

    const upload = await makeZip([
      { path: 'README.md', content: '# tiny\n' },
      { path: 'config.json', content: '{"model_type":"gpt2"}' },
      { path: 'weights/model.safetensors', content: safetensorsBytes(2_000_000, 3), store: true },
    ]);
    const uploaded = await fetch(`${server.url}/artifact/model/upload?name=acme/tiny&version=1.0.0`, {
      method: 'POST',
      headers: { 'x-authorization': registryToken, 'content-type': 'application/zip' },
      body: upload,
    });
    expect(uploaded.status).toBe(201);
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    await sources?.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('@huggingface/hub reads the info and files of the vetted model', async () => {
    const client = { hubUrl: server.url, accessToken: hfToken };
    const info = await modelInfo({ ...client, name: BERT, additionalFields: ['sha'] });
    expect(info.name).toBe(BERT);
    expect(info.sha).toBe(sources.hub.repos.find((repo) => repo.id === BERT)?.sha);
    const listed: string[] = [];
    for await (const entry of listFiles({ ...client, repo: BERT, recursive: true })) listed.push(entry.path);
    expect(listed.sort()).toEqual([...bertFiles.keys()].sort());
    expect(await fileExists({ ...client, repo: BERT, path: 'config.json' })).toBe(true);
    expect(await fileExists({ ...client, repo: BERT, path: 'pytorch_model.pt' })).toBe(false);
    const config = await downloadFile({ ...client, repo: BERT, path: 'config.json' });
    expect(
      Buffer.from(await (config as Blob).arrayBuffer()).equals(bertFiles.get('config.json') as Buffer),
    ).toBe(true);
  });

  it('@huggingface/hub downloads a snapshot byte for byte with the registry token', async () => {
    const folder = await snapshotDownload({ hubUrl: server.url, accessToken: hfToken, repo: BERT, cacheDir });
    for (const [path, bytes] of bertFiles) {
      expect(sha256(await readFile(join(folder, path))), path).toBe(sha256(bytes));
    }
    const tiny = await snapshotDownload({
      hubUrl: server.url,
      accessToken: hfToken,
      repo: 'acme/tiny',
      cacheDir,
    });
    expect(
      (await readFile(join(tiny, 'weights/model.safetensors'))).equals(safetensorsBytes(2_000_000, 3)),
    ).toBe(true);
  });

  it('refuses the client without a token, and with a token that is not the registry’s', async () => {
    await expect(downloadFile({ hubUrl: server.url, repo: BERT, path: 'config.json' })).rejects.toMatchObject(
      {
        statusCode: 401,
      },
    );
    const bad = await fetch(`${server.url}/${BERT}/resolve/main/config.json`, {
      headers: { authorization: 'Bearer hf_someone-elses-token' },
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('x-error-code')).toBe('RepoNotFound');
  });

  it.skipIf(!python)('huggingface_hub (Python) hf_hub_download and snapshot_download', () => {
    const script = [
      'import hashlib, json, os, sys',
      'from huggingface_hub import hf_hub_download, snapshot_download',
      'expected = json.loads(sys.argv[1])',
      'path = hf_hub_download("google-bert/bert-base-uncased", "config.json")',
      'assert hashlib.sha256(open(path, "rb").read()).hexdigest() == expected["config.json"], "config.json"',
      'folder = snapshot_download("google-bert/bert-base-uncased")',
      'for name, digest in expected.items():',
      '    got = hashlib.sha256(open(os.path.join(folder, name), "rb").read()).hexdigest()',
      '    assert got == digest, name',
      'print("ok", len(expected))',
    ].join('\n');
    const expected = Object.fromEntries([...bertFiles].map(([path, bytes]) => [path, sha256(bytes)]));
    const output = execFileSync('python3', ['-c', script, JSON.stringify(expected)], {
      encoding: 'utf8',
      env: {
        ...process.env,
        HF_ENDPOINT: server.url,
        HF_TOKEN: registryToken.replace(/^bearer /, ''),
        HF_HOME: join(cacheDir, 'python'),
        HF_HUB_DISABLE_TELEMETRY: '1',
      },
    });
    expect(output.trim()).toBe(`ok ${bertFiles.size}`);
  });
});
