import { expect } from 'vitest';
import { checkConsistency } from '../../src/services/consistency-check.js';
import type { BlobStore } from '../../src/storage/blobs/blob-store.js';
import type { MetadataStore } from '../../src/storage/metadata/metadata-store.js';
import type { RegistryClient } from './registry-client.js';
import { startZipServer, type ZipServer } from './zip-server.js';
import { makeZip, modelZip, safetensorsBytes } from './zips.js';

/**
 * The write operations the crash and outage loops interrupt, and the invariants they check after
 * each round, over a registry reached through HTTP (a server process or an app listening in-process).
 */
export const WRITE_OPERATIONS = ['upload', 'ingest', 'update', 'delete', 'execute', 'reset'] as const;
export type WriteOperation = (typeof WRITE_OPERATIONS)[number];

/** A package with a few MiB of weights, so an upload or ingest is in flight long enough to be hit. */
export function weightyZip(name: string, seed: number): Promise<Buffer> {
  return makeZip([
    { path: 'README.md', content: `# ${name}\n\nWeighty.` },
    { path: 'model.safetensors', content: safetensorsBytes(6 * 1024 * 1024, seed), store: true },
  ]);
}

/** The source URLs ingests and updates fetch from. */
export async function startSourceZips(): Promise<ZipServer> {
  return startZipServer({
    '/weighty.zip': await weightyZip('weighty', 1),
    '/replacement.zip': await weightyZip('replacement', 2),
  });
}

/** An operation ready to start, and how to tell afterwards whether it took effect. */
export interface PreparedWrite {
  run(): Promise<Response>;
  /**
   * Whether the effect is visible among these artifact names; null when names cannot tell (an
   * ingest's or update's name is not the round's).
   */
  tookEffect(visible: Set<string>): boolean | null;
}

function postZip(client: RegistryClient, path: string, zip: Buffer): Promise<Response> {
  return fetch(`${client.url}${path}`, {
    method: 'POST',
    headers: { 'x-authorization': client.token, 'content-type': 'application/zip' },
    body: zip,
  });
}

async function upload(client: RegistryClient, name: string, zip: Buffer): Promise<string> {
  const response = await postZip(client, `/artifact/model/upload?name=${name}`, zip);
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { metadata: { id: string } }).metadata.id;
}

/**
 * Sets up what the operation needs (with every component up), then returns the request a kill or
 * an outage will interrupt. `round` names the artifacts, so rounds never collide. An execute's
 * transaction uploads `<round>-1` and `<round>-2` and deletes `<round>-victim`: see expectWholeGroups.
 */
export async function prepareWrite(
  client: RegistryClient,
  zips: ZipServer,
  operation: WriteOperation,
  round: string,
): Promise<PreparedWrite> {
  const post = (path: string, body?: unknown) => client.request('POST', path, body);
  switch (operation) {
    case 'upload': {
      const zip = await weightyZip(round, 5);
      return {
        run: () => postZip(client, `/artifact/model/upload?name=${round}`, zip),
        tookEffect: (visible) => visible.has(round),
      };
    }
    case 'ingest':
      return {
        run: () => post('/artifact/model', { url: `${zips.url}/weighty.zip` }),
        tookEffect: () => null,
      };
    case 'update': {
      const id = await upload(client, 'weighty', await modelZip(`${round}-before`));
      return {
        run: () =>
          client.request('PUT', `/artifacts/model/${id}`, {
            metadata: { id, name: 'weighty', type: 'model' },
            data: { url: `${zips.url}/replacement.zip` },
          }),
        tookEffect: () => null,
      };
    }
    case 'delete': {
      const id = await upload(client, round, await weightyZip(round, 3));
      return {
        run: () => client.request('DELETE', `/artifacts/model/${id}`),
        tookEffect: (visible) => !visible.has(round),
      };
    }
    case 'execute': {
      const victim = await upload(client, `${round}-victim`, await modelZip(`${round}-victim`));
      const opened = await post('/transactions');
      const { id } = (await opened.json()) as { id: string };
      for (const part of ['1', '2']) {
        const staged = await postZip(
          client,
          `/transactions/${id}/commands/upload?type=model&name=${round}-${part}`,
          await weightyZip(`${round}-${part}`, 10 + Number(part)),
        );
        expect(staged.status).toBe(201);
      }
      expect(
        (await post(`/transactions/${id}/commands`, { op: 'delete', type: 'model', id: victim })).status,
      ).toBe(201);
      return {
        run: () => post(`/transactions/${id}/execute`),
        tookEffect: (visible) => visible.has(`${round}-1`),
      };
    }
    case 'reset':
      await upload(client, `${round}-doomed`, await weightyZip(`${round}-doomed`, 4));
      return {
        run: () => client.request('DELETE', '/reset'),
        tookEffect: (visible) => !visible.has(`${round}-doomed`),
      };
  }
}

/** Every artifact name the registry lists, page by page. */
export async function visibleNames(client: RegistryClient): Promise<Set<string>> {
  const all = new Set<string>();
  let offset: string | null = null;
  do {
    const response = await client.request('POST', `/artifacts${offset ? `?offset=${offset}` : ''}`, [
      { name: '*' },
    ]);
    expect(response.status).toBe(200);
    for (const artifact of (await response.json()) as { name: string }[]) all.add(artifact.name);
    offset = response.headers.get('offset');
  } while (offset);
  return all;
}

/** A transaction's two uploads and its delete are visible all three or none. */
export function expectWholeGroups(visible: Set<string>, groups: string[]): void {
  for (const group of groups) {
    const effects = [visible.has(`${group}-1`), visible.has(`${group}-2`), !visible.has(`${group}-victim`)];
    expect(new Set(effects).size, `${group}: ${effects}`).toBe(1);
  }
}

/**
 * The oracle (fsck, hashing every package): every row's package stored with its digest and size,
 * and no orphan blob.
 */
export async function expectConsistent(store: MetadataStore, blobs: BlobStore): Promise<void> {
  const report = await checkConsistency(store, blobs, { repair: false, graceMs: 0, verifyDigests: true });
  expect(report.packageProblems).toEqual([]);
  expect(report.orphans).toEqual([]);
}

/**
 * The repair pass `npm run fsck -- --repair` runs, without a grace period (a loop calls it when
 * nothing is in flight): the blobs a cut-short write stored but never named. How many it collected.
 */
export async function collectOrphans(store: MetadataStore, blobs: BlobStore): Promise<number> {
  const report = await checkConsistency(store, blobs, { repair: true, graceMs: 0, verifyDigests: false });
  return report.collected.length;
}
