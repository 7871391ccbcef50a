import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubRepoService } from '../../../src/services/hub-repos.js';
import { modelZip } from '../../support/zips.js';
import { type ArtifactServices, artifactServices } from '../support/artifact-services.js';
import { actor, body, type RegistryParts, registryParts } from '../support/registry-parts.js';

let parts: RegistryParts;
let services: ArtifactServices;
let repos: HubRepoService;
const alice = actor('alice');

beforeEach(async () => {
  parts = await registryParts({ GATE_ENABLED: 'false' });
  services = artifactServices(parts);
  repos = new HubRepoService(parts.store, 10);
});
afterEach(() => parts.close());

async function upload(name: string, version?: string) {
  return services.artifacts.upload(
    'model',
    { name, version, body: body(await modelZip(`${name}${version}`)) },
    alice,
  );
}

describe('finding the artifacts behind a Hub repo id', () => {
  it('gathers every version of an uploaded repo, highest version first, then unversioned newest first', async () => {
    const v1 = await upload('acme/sentiment', '1.0.0');
    const older = await upload('acme/sentiment');
    const v2 = await upload('acme/sentiment', 'v2.0.0');
    const newer = await upload('acme/sentiment');
    await upload('acme/other', '9.0.0');

    const found = await repos.find('model', 'acme/sentiment');
    expect(found.kind).toBe('found');
    if (found.kind !== 'found') return;
    expect(found.repo.id).toBe('acme/sentiment');
    expect(found.repo.versions.map((record) => record.id)).toEqual([v2.id, v1.id, newer.id, older.id]);
    expect(await repos.find('dataset', 'acme/sentiment')).toEqual({ kind: 'missing' });
  });

  it('an ingested model answers to its Hub id in any casing, and its legacy short id moves there', async () => {
    services.hub.models.set('google/bert', { files: { 'README.md': '# bert' } });
    const ingested = await services.artifacts.createFromUrl(
      'model',
      'https://huggingface.co/google/bert',
      alice,
    );

    for (const id of ['google/bert', 'Google/bert']) {
      const found = await repos.find('model', id);
      expect(found.kind === 'found' && [found.repo.id, found.repo.versions.map((r) => r.id)]).toEqual([
        'google/bert',
        [ingested.id],
      ]);
    }
    expect(await repos.find('model', 'bert')).toEqual({ kind: 'moved', canonicalId: 'google/bert' });
    expect(await repos.find('model', 'someone/bert')).toEqual({ kind: 'missing' });
    expect(await repos.find('model', 'not a repo id')).toEqual({ kind: 'missing' });

    // An upload named like the short id is that repo; the ingested one stays under its Hub id.
    const local = await upload('bert');
    const short = await repos.find('model', 'bert');
    expect(short.kind === 'found' && short.repo.versions.map((r) => r.id)).toEqual([local.id]);
  });
});
