import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactType } from '../../../src/domain/artifact.js';
import { RegexScanner } from '../../../src/search/regex-scanner.js';
import { SearchService } from '../../../src/services/search-service.js';
import { modelZip } from '../../support/zips.js';
import { artifactServices } from '../support/artifact-services.js';
import { actor, body, type RegistryParts, registryParts } from '../support/registry-parts.js';

let parts: RegistryParts;
let scanner: RegexScanner;
let search: SearchService;

beforeEach(async () => {
  parts = await registryParts({
    GATE_ENABLED: 'false',
    PAGE_SIZE: '2',
    MAX_QUERIES_PER_REQUEST: '2',
    MAX_SEARCH_RESULTS: '2',
  });
  const { limits } = parts.config;
  scanner = new RegexScanner({
    limits: { maxLength: limits.maxRegexLength, maxProgramSize: limits.regexMaxProgramSize },
    timeoutMs: 5000,
  });
  search = new SearchService(parts.store, limits, scanner);
  const { artifacts } = artifactServices(parts);
  const add = async (type: ArtifactType, name: string, version: string, readme: string) =>
    artifacts.upload(type, { name, version, body: body(await modelZip(name, readme)) }, actor('alice'));
  await add('model', 'bert', '1.0.0', 'A tiny encoder for sentiment.');
  await add('model', 'bert', '2.1.0', 'The second bert.');
  await add('dataset', 'imdb', '1.0.0', 'Movie reviews.');
  await add('code', 'trainer', '0.3.0', 'Trains bert on imdb.');
});

afterEach(async () => {
  await scanner.close();
  await parts.close();
});

const summary = (page: { items: { name: string; type: string }[] }) =>
  page.items.map((item) => `${item.type}:${item.name}`);

describe('enumerate', () => {
  it('pages every artifact PAGE_SIZE at a time through the cursor', async () => {
    const first = await search.query([{ name: '*' }], undefined);
    expect(first.items).toHaveLength(2);
    expect(first.next).toBeTruthy();
    const second = await search.query([{ name: '*' }], first.next ?? undefined);
    expect(second.next).toBeNull();
    expect([...summary(first), ...summary(second)].sort()).toEqual([
      'code:trainer',
      'dataset:imdb',
      'model:bert',
      'model:bert',
    ]);
  });

  it('filters by name, type (duplicates ignored) and semantic version range; ORs the queries', async () => {
    const bert2 = await search.query([{ name: 'bert', version: '^2.0.0' }], undefined);
    expect(summary(bert2)).toEqual(['model:bert']);
    const byType = await search.query([{ name: '*', types: ['dataset', 'dataset'] }], undefined);
    expect(summary(byType)).toEqual(['dataset:imdb']);
    const either = await search.query([{ name: 'imdb' }, { name: 'trainer', types: [] }], undefined);
    expect(summary(either).sort()).toEqual(['code:trainer', 'dataset:imdb']);
    expect((await search.query([{ name: 'bert', version: '3.0.0' }], undefined)).items).toEqual([]);
  });

  it('refuses no query (400), too many (413), a bad name or version (400)', async () => {
    await expect(search.query([], undefined)).rejects.toMatchObject({ statusCode: 400, code: 'BAD_REQUEST' });
    await expect(
      search.query([{ name: 'a' }, { name: 'b' }, { name: 'c' }], undefined),
    ).rejects.toMatchObject({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: 'At most 2 queries per request; split the request.',
    });
    await expect(search.query([{ name: ' padded ' }], undefined)).rejects.toMatchObject({ statusCode: 400 });
    await expect(search.query([{ name: 'bert', version: 'newest' }], undefined)).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});

describe('by name', () => {
  it('finds every artifact of that exact name', async () => {
    expect((await search.byName('imdb')).map((item) => item.type)).toEqual(['dataset']);
    expect(await search.byName('bert')).toHaveLength(2);
  });

  it('answers 404 when none has it and 413 beyond MAX_SEARCH_RESULTS', async () => {
    await expect(search.byName('gpt')).rejects.toMatchObject({
      statusCode: 404,
      code: 'NOT_FOUND',
      message: 'No artifact is named "gpt".',
    });
    const { artifacts } = artifactServices(parts);
    await artifacts.upload('model', { name: 'bert', body: body(await modelZip('bert')) }, actor('bob'));
    await expect(search.byName('bert')).rejects.toMatchObject({ statusCode: 413 });
  });
});

describe('by regex', () => {
  it('matches names and READMEs', async () => {
    expect((await search.byRegex('^imdb$')).map((item) => item.name)).toEqual(['imdb']);
    const sentiment = await search.byRegex('[Ss]entiment');
    expect(sentiment.map((item) => item.name)).toEqual(['bert']);
    const reviews = await search.byRegex('Movie|Trains');
    expect(reviews.map((item) => item.name).sort()).toEqual(['imdb', 'trainer']);
  });

  it('answers 404 for no match, 413 beyond MAX_SEARCH_RESULTS, 400 for a pattern that does not compile', async () => {
    await expect(search.byRegex('^nothing-here$')).rejects.toMatchObject({
      statusCode: 404,
      message: 'No artifact found under this regex.',
    });
    await expect(search.byRegex('.')).rejects.toMatchObject({
      statusCode: 413,
      message: 'More than 2 artifacts match; use a more specific pattern.',
    });
    await expect(search.byRegex('(unclosed')).rejects.toMatchObject({ statusCode: 400 });
  });
});
