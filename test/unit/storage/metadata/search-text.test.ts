import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TextQuery } from '../../../../src/search/required-text.js';
import type { MetadataStore } from '../../../../src/storage/metadata/metadata-store.js';
import type { Database } from '../../../../src/storage/metadata/schema.js';
import { mayContain, SEARCH_TEXT_SQL } from '../../../../src/storage/metadata/search-text.js';
import { artifactRecord, memoryStore } from '../../support/metadata-records.js';
import { postgresSqlRecorder } from '../../support/postgres-sql.js';

const has = (text: string): TextQuery => ({ op: 'has', text });

describe('search text on SQLite (FTS5 trigram index)', () => {
  let store: MetadataStore;
  beforeEach(async () => {
    store = await memoryStore();
    const readmes: Record<string, string | null> = {
      quoted: 'She said "hello" to the model',
      weights: 'Trained weights for TEXT classification',
      vision: 'An image classifier',
      plain: null,
    };
    for (const [id, readme] of Object.entries(readmes)) {
      await store.insertArtifact(artifactRecord(id, { facts: { files: [], readme, configJson: null } }));
    }
  });
  afterEach(() => store.close());

  const candidates = async (query: TextQuery, after?: string) =>
    (await store.scanSearchCandidates({ after, limit: 10 }, query)).items.map((c) => c.id);

  it('matches substrings of the name or README, ASCII letters in any case', async () => {
    expect(await candidates(has('classif'))).toEqual(['weights', 'vision']);
    expect(await candidates(has('text cl'))).toEqual(['weights']);
    expect(await candidates(has('name-pla'))).toEqual(['plain']);
  });

  it('quotes the text, so double quotes and FTS operators are matched literally', async () => {
    expect(await candidates(has('"hello"'))).toEqual(['quoted']);
    expect(await candidates(has('said "hel'))).toEqual(['quoted']);
    expect(await candidates(has('OR AND'))).toEqual([]);
  });

  it('combines substrings with and / or, nested', async () => {
    const either: TextQuery = { op: 'or', of: [has('image'), has('weights')] };
    expect(await candidates(either)).toEqual(['weights', 'vision']);
    expect(await candidates({ op: 'and', of: [either, has('TEXT')] })).toEqual(['weights']);
    expect(await candidates({ op: 'and', of: [has('image'), has('weights')] })).toEqual([]);
  });

  it('continues after the cursor and follows renames and deletions', async () => {
    const first = await store.scanSearchCandidates({ limit: 1 }, has('classif'));
    expect(first.items.map((c) => c.id)).toEqual(['weights']);
    expect(await candidates(has('classif'), first.next ?? undefined)).toEqual(['vision']);

    const renamed = artifactRecord('plain', { name: 'classifier-two' });
    expect(await store.replaceArtifact(renamed, renamed.updatedAt)).toBe(true);
    await store.deleteArtifact('vision');
    expect(await candidates(has('classif'))).toEqual(['weights', 'plain']);
  });

  it('reads every artifact without a required text', async () => {
    const page = await store.scanSearchCandidates({ limit: 10 }, null);
    expect(page.items.map((c) => [c.id, c.readme])).toEqual([
      ['quoted', 'She said "hello" to the model'],
      ['weights', 'Trained weights for TEXT classification'],
      ['vision', 'An image classifier'],
      ['plain', null],
    ]);
  });
});

describe('search text on PostgreSQL (the condition the trigram index serves)', () => {
  // Compiled only: the SQL and its parameters are what the GIN index is matched against.
  const { db } = postgresSqlRecorder<Database>();
  const compile = (query: TextQuery) =>
    db
      .selectFrom('artifacts')
      .select('id')
      .where(mayContain('postgres', query, 42))
      .compile();

  it('repeats the indexed expression verbatim, with ILIKE', () => {
    const { sql, parameters } = compile(has('bert'));
    expect(sql).toBe(`select "id" from "artifacts" where ${SEARCH_TEXT_SQL} ilike $1`);
    expect(parameters).toEqual(['%bert%']);
  });

  it('escapes the LIKE wildcards and the escape character in the text', () => {
    expect(compile(has('50%_off\\now')).parameters).toEqual(['%50\\%\\_off\\\\now%']);
  });

  it('nests and / or in parentheses', () => {
    const query: TextQuery = { op: 'and', of: [has('a'), { op: 'or', of: [has('b'), has('c')] }] };
    const { sql, parameters } = compile(query);
    const like = (n: number) => `${SEARCH_TEXT_SQL} ilike $${n}`;
    expect(sql).toBe(`select "id" from "artifacts" where (${like(1)} and (${like(2)} or ${like(3)}))`);
    expect(parameters).toEqual(['%a%', '%b%', '%c%']);
  });
});
