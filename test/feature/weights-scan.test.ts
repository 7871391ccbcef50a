import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benignTorchCheckpoint, maliciousPickle } from '../fixtures/repos/pickle.js';
import { type AppOnFixtures, startAppOnFixtures } from '../support/fixture-sources.js';
import { createFromUrl, listAll, uploadOk, uploadZip } from '../support/requests.js';
import { startZipServer, type ZipServer } from '../support/zip-server.js';
import { makeZip, safetensorsBytes } from '../support/zips.js';

const CORPUS = join(import.meta.dirname, '../fixtures/pickles');
const corpusFile = (name: string) => readFileSync(join(CORPUS, name));

describe('malicious weights are refused on every way in', () => {
  let fixtures: AppOnFixtures;
  let zipServer: ZipServer;
  let token: string;

  beforeAll(async () => {
    // The ingest gate is off so that a refusal here can only come from the weights scan.
    fixtures = await startAppOnFixtures({ GATE_ENABLED: 'false', INGEST_ALLOW_PRIVATE_NETWORK: 'true' });
    token = fixtures.token;
    zipServer = await startZipServer({
      '/evil.zip': await makeZip([
        { path: 'README.md', content: '# evil' },
        { path: 'weights/model.pt', content: corpusFile('evil-nested-zip.pth'), store: true },
      ]),
      '/good.zip': await makeZip([
        { path: 'README.md', content: '# good' },
        { path: 'model.pt', content: corpusFile('benign-torch-zip.pt'), store: true },
      ]),
    });
  });
  afterAll(async () => {
    await zipServer.close();
    await fixtures.close();
  });

  const app = () => fixtures.t.app;
  const names = async () => (await listAll(app(), token)).json().map((a: { name: string }) => a.name);
  const scanOf = (id: string) =>
    app().inject({ url: `/artifact/model/${id}/weights-scan`, headers: { 'x-authorization': token } });

  it('accepts benign checkpoints and keeps the scan with the artifact', async () => {
    const zip = await makeZip([
      { path: 'README.md', content: '# benign' },
      { path: 'pytorch_model.bin', content: await benignTorchCheckpoint(), store: true },
      { path: 'legacy/model.bin', content: corpusFile('benign-torch-legacy.bin'), store: true },
      { path: 'arrays.pkl', content: corpusFile('benign-numpy-p4.pkl') },
      { path: 'model.safetensors', content: safetensorsBytes(4096), store: true },
      { path: 'notes.txt', content: 'not a weights file' },
    ]);
    const id = await uploadOk(app(), token, 'benign-weights', zip);
    const scan = await scanOf(id);
    expect(scan.statusCode).toBe(200);
    const body = scan.json();
    expect(body).toMatchObject({
      artifact_id: id,
      verdict: 'clean',
      files_scanned: 4,
      policy: 'pickle-allowlist/1',
    });
    const byPath = Object.fromEntries(body.files.map((file: { path: string }) => [file.path, file]));
    expect(byPath['pytorch_model.bin']).toMatchObject({ format: 'torch-zip', verdict: 'clean' });
    expect(byPath['pytorch_model.bin'].globals).toContain('torch._utils._rebuild_tensor_v2');
    expect(byPath['legacy/model.bin']).toMatchObject({ format: 'torch-legacy', verdict: 'clean' });
    expect(byPath['arrays.pkl'].globals).toContain('numpy.core.multiarray._reconstruct');
    expect(byPath['model.safetensors']).toMatchObject({
      format: 'safetensors',
      verdict: 'clean',
      globals: [],
    });

    const audit = await app().inject({
      url: `/artifact/model/${id}/audit`,
      headers: { 'x-authorization': token },
    });
    expect(audit.json()[0]).toMatchObject({
      action: 'CREATE',
      weights_scan: { policy: 'pickle-allowlist/1', verdict: 'clean', files_scanned: 4 },
    });
  });

  it('refuses an upload with 422 naming the files and the offending globals, storing nothing', async () => {
    const zip = await makeZip([
      { path: 'README.md', content: '# evil' },
      { path: 'pytorch_model.bin', content: maliciousPickle(), store: true },
      { path: 'extra/memo.pkl', content: corpusFile('evil-stack-global-memo.pkl') },
      { path: 'ok.pt', content: corpusFile('benign-torch-zip.pt'), store: true },
    ]);
    const response = await uploadZip(app(), token, 'evil-upload', zip);
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toBe('UNSAFE_WEIGHTS');
    const { message } = response.json();
    expect(message).toContain('pytorch_model.bin: global os.system is not allowed');
    expect(message).toContain('extra/memo.pkl: global os.system is not allowed');
    expect(message).not.toContain('ok.pt');
    expect(await names()).not.toContain('evil-upload');
  });

  it('refuses a safetensors file that is not one (422)', async () => {
    const zip = await makeZip([{ path: 'model.safetensors', content: maliciousPickle(), store: true }]);
    const response = await uploadZip(app(), token, 'fake-safetensors', zip);
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toMatch(/model\.safetensors: safetensors header length/);
  });

  it('refuses the Hugging Face model whose pytorch_model.bin calls os.system (424), storing nothing', async () => {
    const response = await createFromUrl(
      app(),
      token,
      'model',
      'https://huggingface.co/pickle-lab/evil-checkpoint',
    );
    expect(response.statusCode).toBe(424);
    expect(response.json().message).toContain('pytorch_model.bin: global os.system is not allowed');
    expect(await names()).not.toContain('evil-checkpoint');
  });

  it('admits the Hugging Face model with a benign PyTorch checkpoint', async () => {
    const response = await createFromUrl(
      app(),
      token,
      'model',
      'https://huggingface.co/textattack/bert-base-uncased-imdb',
    );
    expect(response.statusCode, response.body).toBe(201);
    const scan = (await scanOf(response.json().metadata.id)).json();
    expect(scan.verdict).toBe('clean');
    expect(scan.files.map((file: { path: string }) => file.path)).toContain('pytorch_model.bin');
  });

  it('refuses a zip url whose nested checkpoint hides a payload (424), and an update to it', async () => {
    const create = await createFromUrl(app(), token, 'model', `${zipServer.url}/evil.zip`);
    expect(create.statusCode).toBe(424);
    expect(create.json().message).toContain(
      'weights/model.pt: archive/extra/inner.pt: archive/data.pkl: global posix.system is not allowed',
    );

    const good = await createFromUrl(app(), token, 'model', `${zipServer.url}/good.zip`);
    expect(good.statusCode).toBe(201);
    const { id, name } = good.json().metadata;
    const update = await app().inject({
      method: 'PUT',
      url: `/artifacts/model/${id}`,
      headers: { 'x-authorization': token },
      payload: { metadata: { id, name, type: 'model' }, data: { url: `${zipServer.url}/evil.zip` } },
    });
    expect(update.statusCode).toBe(424);
    const scan = (await scanOf(id)).json();
    expect(scan.files.map((file: { path: string }) => file.path)).toEqual(['model.pt']);
  });
});
