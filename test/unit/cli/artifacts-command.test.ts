import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { fakeRegistry, json, modelguard, problem, type SentRequest, SIGNED_IN, tempDir } from './support.js';

const artifact = (id: string, name: string, type = 'model', url = `https://huggingface.co/org/${name}`) => ({
  metadata: { id, name, type },
  data: { url, download_url: `http://registry.test/download/${type}/${id}` },
});

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.remove());

/** The entry names of a zip the CLI streamed. */
function zipEntries(bytes: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const names: string[] = [];
      zip.on('entry', (entry: { fileName: string }) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.readEntry();
    });
  });
}

describe('modelguard upload', () => {
  it('sends a zip file as it is, named after the file, and prints the new artifact', async () => {
    const zip = join(dir.path, 'bert-tiny.zip');
    await writeFile(zip, 'PK-not-really-a-zip');
    const registry = fakeRegistry({
      'POST /artifact/model/upload': (request) =>
        json(artifact('m1', new URL(`http://x${request.path}`).searchParams.get('name') ?? ''), 201),
    });
    const run = await modelguard(['upload', zip, '--version', '1.2.0'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(run.code).toBe(EXIT.ok);
    const [sent] = registry.requests as [SentRequest];
    expect(sent.path).toBe('/artifact/model/upload?name=bert-tiny&version=1.2.0');
    expect(sent.headers.get('content-type')).toBe('application/zip');
    expect(sent.body).toBe('PK-not-really-a-zip');
    expect(run.stdout).toBe(
      [
        'name     bert-tiny',
        'type     model',
        'id       m1',
        'source   https://huggingface.co/org/bert-tiny',
        'download http://registry.test/download/model/m1',
        '',
      ].join('\n'),
    );
    expect(run.stderr).toMatch(/^Uploaded bert-tiny \(19 B in [\d.]+ s/);
  });

  it('zips a folder on the fly, its files in path order, and takes --name and --type', async () => {
    const folder = join(dir.path, 'my-set');
    await mkdir(join(folder, 'sub'), { recursive: true });
    await writeFile(join(folder, 'b.txt'), 'bee');
    await writeFile(join(folder, 'a.txt'), 'ay');
    await writeFile(join(folder, 'sub', 'c.csv'), '1,2');
    let received = Buffer.alloc(0);
    const registry = fakeRegistry({
      'POST /artifact/dataset/upload': (request) => {
        received = Buffer.from(request.body, 'latin1');
        return json(artifact('d1', 'renamed', 'dataset'), 201);
      },
    });
    const fetchBinary = (async (input, init) => {
      // Keep the zip's bytes: read the streamed body as binary before the route sees it.
      const bytes = Buffer.from(
        await new Response(init?.body as ConstructorParameters<typeof Response>[0]).arrayBuffer(),
      );
      return registry.fetch(input, { ...init, body: bytes.toString('latin1') });
    }) as typeof fetch;
    const run = await modelguard(['upload', folder, '-n', 'renamed', '-t', 'dataset', '--json'], {
      env: SIGNED_IN,
      fetch: fetchBinary,
    });
    expect(run.code).toBe(EXIT.ok);
    expect(registry.requests[0]?.path).toBe('/artifact/dataset/upload?name=renamed');
    expect(await zipEntries(received)).toEqual(['a.txt', 'b.txt', 'sub/c.csv']);
    expect(JSON.parse(run.stdout)).toEqual(artifact('d1', 'renamed', 'dataset'));
    // --json: no summary line for people.
    expect(run.stderr).toBe('');
  });

  it('refuses a path that is missing, an empty folder, or neither file nor folder, before sending anything', async () => {
    await mkdir(join(dir.path, 'empty'));
    const registry = fakeRegistry({});
    const upload = (path: string) => modelguard(['upload', path], { env: SIGNED_IN, fetch: registry.fetch });
    expect(await upload(join(dir.path, 'nope.zip'))).toMatchObject({
      code: EXIT.usage,
      stderr: `error: ${join(dir.path, 'nope.zip')} does not exist\n`,
    });
    expect(await upload(join(dir.path, 'empty'))).toMatchObject({
      code: EXIT.usage,
      stderr: `error: ${join(dir.path, 'empty')} has no files to upload\n`,
    });
    expect(await upload('/dev/null')).toMatchObject({
      code: EXIT.usage,
      stderr: 'error: /dev/null is neither a zip file nor a folder\n',
    });
    expect(registry.requests).toEqual([]);
  });
});

describe('modelguard add / show / update / delete', () => {
  it('add registers a URL as the given type', async () => {
    const registry = fakeRegistry({
      'POST /artifact/code': () => json(artifact('c1', 'tool', 'code', 'https://github.com/o/tool'), 201),
    });
    const run = await modelguard(['add', 'https://github.com/o/tool', '-t', 'code'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(registry.requests[0]?.body ?? '')).toEqual({ url: 'https://github.com/o/tool' });
    expect(run.stderr).toBe('Fetching https://github.com/o/tool ...\n');
    expect(run.stdout).toContain('source   https://github.com/o/tool');
  });

  it('add reports the ingest gate refusing a model (424) as a usage problem', async () => {
    const registry = fakeRegistry({
      'POST /artifact/model': () =>
        problem(424, 'DISQUALIFIED', 'The model scored below the ingest threshold.'),
    });
    const run = await modelguard(['add', 'https://huggingface.co/x/y'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('error: The model scored below the ingest threshold. (424 DISQUALIFIED)');
  });

  it('show finds the type from the id by asking for it as each type in turn', async () => {
    const registry = fakeRegistry({
      'GET /artifacts/dataset/d%2F1': () => json(artifact('d/1', 'squad', 'dataset')),
    });
    const run = await modelguard(['show', 'd/1'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('name     squad\ntype     dataset\n');
    expect(registry.requests.map((r) => r.path)).toEqual([
      '/artifacts/model/d%2F1',
      '/artifacts/dataset/d%2F1',
      '/artifacts/dataset/d%2F1',
    ]);
  });

  it('show without a download link leaves that line out; with --type it asks once', async () => {
    const registry = fakeRegistry({
      'GET /artifacts/code/c1': () =>
        json({ metadata: { id: 'c1', name: 'lib', type: 'code' }, data: { url: 'u' } }),
    });
    const run = await modelguard(['show', 'c1', '--type', 'code'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(run.stdout).toBe('name     lib\ntype     code\nid       c1\nsource   u\n');
    expect(registry.requests).toHaveLength(1);
  });

  it('an id no type knows is "no artifact", exit 4', async () => {
    const run = await modelguard(['delete', 'ghost'], { env: SIGNED_IN, fetch: fakeRegistry({}).fetch });
    expect(run).toMatchObject({ code: EXIT.notFound, stderr: 'error: no artifact with id ghost\n' });
  });

  it('update re-sends the current metadata with the new URL and shows the result', async () => {
    const registry = fakeRegistry({
      'GET /artifacts/model/m1': [
        () => json(artifact('m1', 'bert')),
        () => json(artifact('m1', 'bert', 'model', 'https://new')),
      ],
      'PUT /artifacts/model/m1': () => json(null),
    });
    const run = await modelguard(['update', 'm1', 'https://new', '-t', 'model'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(run.code).toBe(EXIT.ok);
    const put = registry.requests.find((r) => r.method === 'PUT');
    expect(JSON.parse(put?.body ?? '')).toEqual({
      metadata: { id: 'm1', name: 'bert', type: 'model' },
      data: { url: 'https://new' },
    });
    expect(run.stdout).toContain('source   https://new');
  });

  it('update that lost a race with another writer exits 5 (409)', async () => {
    const registry = fakeRegistry({
      'GET /artifacts/model/m1': () => json(artifact('m1', 'bert')),
      'PUT /artifacts/model/m1': () => problem(409, 'CONFLICT', 'The artifact changed meanwhile.'),
    });
    const run = await modelguard(['update', 'm1', 'https://new'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(run).toMatchObject({
      code: EXIT.conflict,
      stderr: 'error: The artifact changed meanwhile. (409 CONFLICT)\n',
    });
  });

  it('delete says what it deleted, as text or JSON', async () => {
    const registry = fakeRegistry({
      'GET /artifacts/model/m1': () => json(artifact('m1', 'bert')),
      'DELETE /artifacts/model/m1': () => json(null),
    });
    const text = await modelguard(['delete', 'm1'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(text).toMatchObject({ code: EXIT.ok, stdout: '', stderr: 'Deleted model m1.\n' });
    const asJson = await modelguard(['delete', 'm1', '-t', 'model', '--json'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(JSON.parse(asJson.stdout)).toEqual({ id: 'm1', type: 'model', deleted: true });
    expect(registry.requests.filter((r) => r.method === 'DELETE')).toHaveLength(2);
  });
});

describe('modelguard search', () => {
  const summary = (name: string, type: string, id: string) => ({ name, type, id });

  it('enumerates every page (the offset header is the next cursor) and prints a table', async () => {
    const registry = fakeRegistry({
      'POST /artifacts': [
        () => json([summary('a', 'model', '1')], 200, { offset: '1' }),
        () => json([summary('bb', 'dataset', '2')]),
      ],
    });
    const run = await modelguard(['search'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(run.stdout).toBe('NAME  TYPE     ID\n----  -------  --\na     model    1\nbb    dataset  2\n');
    expect(registry.requests.map((r) => [r.path, JSON.parse(r.body)])).toEqual([
      ['/artifacts', [{ name: '*' }]],
      ['/artifacts?offset=1', [{ name: '*' }]],
    ]);
  });

  it('sends the name, type and version range as one query', async () => {
    const registry = fakeRegistry({ 'POST /artifacts': () => json([summary('bert', 'model', '1')]) });
    const run = await modelguard(['search', 'bert', '-t', 'model', '-v', '^1.2.0', '--json'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(JSON.parse(registry.requests[0]?.body ?? '')).toEqual([
      { name: 'bert', types: ['model'], version: '^1.2.0' },
    ]);
    expect(JSON.parse(run.stdout)).toEqual([summary('bert', 'model', '1')]);
  });

  it('searches by regular expression, filtering by type, and says when nothing matched', async () => {
    const registry = fakeRegistry({
      'POST /artifact/byRegEx': [
        () => json([summary('bert', 'model', '1'), summary('bert-data', 'dataset', '2')]),
        () => problem(404, 'NOT_FOUND', 'No artifact matches.'),
      ],
    });
    const found = await modelguard(['search', '-r', '^bert', '-t', 'dataset'], {
      env: SIGNED_IN,
      fetch: registry.fetch,
    });
    expect(JSON.parse(registry.requests[0]?.body ?? '')).toEqual({ regex: '^bert' });
    expect(found.stdout).toContain('bert-data  dataset  2');
    expect(found.stdout).not.toContain('model');
    const none = await modelguard(['search', '--regex', 'zzz'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(none).toMatchObject({ code: EXIT.ok, stdout: '', stderr: 'No artifacts found.\n' });
  });

  it('refuses --regex together with a name or a version', async () => {
    const registry = fakeRegistry({});
    const run = await modelguard(['search', 'bert', '-r', 'b'], { env: SIGNED_IN, fetch: registry.fetch });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('--regex searches on its own');
    expect(registry.requests).toEqual([]);
  });
});
