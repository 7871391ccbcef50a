import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { listAll, uploadOk } from '../support/requests.js';
import { modelZip } from '../support/zips.js';

/** The review's pattern: 89 characters that cost about 20 s of matching per 100 kB README. */
const HOSTILE_PATTERN = `(?i)${'(?:\\w|\\s){999}'.repeat(6)}Q`;

describe('enumerate and search', () => {
  let t: TestApp;
  let token: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({ PAGE_SIZE: '2', MAX_QUERIES_PER_REQUEST: '3', MAX_SEARCH_RESULTS: '4' });
    token = await t.token();
    const uploads: [string, 'model' | 'dataset' | 'code', string | undefined, string][] = [
      ['bert-base', 'model', '1.0.0', '# BERT\nA masked language model.'],
      ['bert-base', 'model', '1.2.5', '# BERT\nAn update.'],
      ['bert-base', 'model', '2.0.0', '# BERT\nMajor.'],
      ['bert-base', 'model', '1.3.0-rc.1', '# BERT\nA release candidate.'],
      ['bookcorpus', 'dataset', undefined, '# Books\nA corpus of novels.'],
      ['whisper-code', 'code', '0.2.1', '# Whisper\nSpeech recognition code.'],
    ];
    for (const [name, type, version, readme] of uploads) {
      ids[`${name}@${version}`] = await uploadOk(t.app, token, name, await modelZip(name, readme), {
        type,
        ...(version ? { version } : {}),
      });
    }
  });
  afterAll(() => t.close());

  const query = (payload: unknown, offset?: string) =>
    t.app.inject({
      method: 'POST',
      url: `/artifacts${offset === undefined ? '' : `?offset=${offset}`}`,
      headers: { 'x-authorization': token },
      payload: payload as object,
    });

  it('enumerates everything page by page through the offset header', async () => {
    const seen: string[] = [];
    let offset: string | undefined;
    let pages = 0;
    do {
      const response = await listAll(t.app, token, offset);
      expect(response.statusCode).toBe(200);
      const page = response.json() as { id: string }[];
      expect(page.length).toBeLessThanOrEqual(2);
      seen.push(...page.map((m) => m.id));
      offset = response.headers.offset as string | undefined;
      pages++;
    } while (offset !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(Object.values(ids));
  });

  it('filters by name and types and unions several queries', async () => {
    const response = await query([
      { name: 'bookcorpus', types: ['dataset'] },
      { name: 'whisper-code', types: ['model'] },
      { name: 'whisper-code' },
    ]);
    expect(response.json()).toEqual([
      { name: 'bookcorpus', id: ids['bookcorpus@undefined'], type: 'dataset' },
      { name: 'whisper-code', id: ids['whisper-code@0.2.1'], type: 'code' },
    ]);
  });

  it.each([
    ['1.2.5', ['1.2.5']],
    ['v1.0.0', ['1.0.0']],
    ['1.0.0-1.2.5', ['1.0.0', '1.2.5']],
    ['~1.2.0', ['1.2.5']],
    ['^1.0.0', ['1.0.0', '1.2.5']],
    ['1.3.0-rc.1', ['1.3.0-rc.1']],
  ])('matches version query %s with npm semantics', async (version, expected) => {
    const response = await query([{ name: 'bert-base', version }]);
    expect(response.statusCode).toBe(200);
    expect(response.json().map((m: { id: string }) => m.id)).toEqual(
      expected.map((v) => ids[`bert-base@${v}`]),
    );
  });

  it.each([
    ['an empty list', [], /^Provide at least one artifact_query\.$/],
    [
      'a query without name',
      [{ types: ['model'] }],
      /^Invalid request: body\/0 must have required property 'name'$/,
    ],
    [
      'an unknown type',
      [{ name: '*', types: ['weights'] }],
      /^Invalid request: body\/0\/types\/0 must be equal to/,
    ],
    ['a malformed version range', [{ name: '*', version: 'latest' }], /^"latest" is not a version query\./],
    ['a body that is not a list', { name: '*' }, /^Invalid request: body must be array$/],
  ])('answers 400 for %s', async (_case, payload, message) => {
    const response = await query(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'BAD_REQUEST', message: expect.stringMatching(message) });
  });

  it('answers 400 for a forged offset', async () => {
    expect((await query([{ name: '*' }], 'abc')).statusCode).toBe(400);
  });

  it('answers 413 when a request carries more queries than allowed', async () => {
    const response = await query([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }]);
    expect(response.statusCode).toBe(413);
  });

  it('looks up by exact name', async () => {
    const response = await t.app.inject({
      url: '/artifact/byName/bookcorpus',
      headers: { 'x-authorization': token },
    });
    expect(response.json()).toEqual([
      { name: 'bookcorpus', id: ids['bookcorpus@undefined'], type: 'dataset' },
    ]);
    expect(
      (await t.app.inject({ url: '/artifact/byName/nope', headers: { 'x-authorization': token } }))
        .statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ url: '/artifact/byName/*', headers: { 'x-authorization': token } })).statusCode,
    ).toBe(400);
  });

  const regex = (pattern: string) =>
    t.app.inject({
      method: 'POST',
      url: '/artifact/byRegEx',
      headers: { 'x-authorization': token },
      payload: { regex: pattern },
    });

  it('searches names and READMEs with a regex, results being a subset of the directory', async () => {
    const byReadme = await regex('novels|[Ss]peech');
    expect(byReadme.json().map((m: { name: string }) => m.name)).toEqual(['bookcorpus', 'whisper-code']);
    const all = (await listAll(t.app, token)).json();
    const directory = new Set(Object.values(ids));
    for (const m of byReadme.json()) expect(directory.has(m.id)).toBe(true);
    expect(all.length).toBeGreaterThan(0);
  });

  it('answers a catastrophic-backtracking pattern promptly', async () => {
    const response = await regex('(a+)+$');
    expect([200, 404]).toContain(response.statusCode);
  });

  it('answers 400 for unsupported or invalid syntax with a clear message', async () => {
    const backref = await regex('(a)\\1');
    expect(backref.statusCode).toBe(400);
    expect(backref.json().message).toMatch(/RE2/);
    expect((await regex('(?=a)b')).statusCode).toBe(400);
    expect((await regex('(unclosed')).statusCode).toBe(400);
    expect((await regex('')).statusCode).toBe(400);
  });

  it('answers 400 naming the limit when the compiled pattern is too large', async () => {
    const response = await regex(HOSTILE_PATTERN);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'BAD_REQUEST',
      message: expect.stringMatching(
        /^The regular expression compiles to \d+ instructions; the limit is 1000 \(REGEX_MAX_PROGRAM_SIZE\)/,
      ),
    });
  });

  it('answers 404 when nothing matches and 413 when too much does', async () => {
    expect((await regex('^zzz-nothing$')).statusCode).toBe(404);
    expect((await regex('.')).statusCode).toBe(413);
  });
});

describe('a hostile regex search', () => {
  const TIMEOUT_MS = 5000;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    // The program-size limit is raised so the pattern reaches the scan and its deadline.
    t = await startTestApp({ REGEX_SEARCH_TIMEOUT_MS: String(TIMEOUT_MS), REGEX_MAX_PROGRAM_SIZE: '10000' });
    token = await t.token();
    const readme = 'lorem ipsum dolor sit amet '.repeat(4000).slice(0, 100_000);
    await uploadOk(t.app, token, 'long-card', await modelZip('long-card', readme));
  });
  afterAll(() => t.close());

  it('never blocks the server, and stops at its deadline with a clear error', async () => {
    let searchAnswered = false;
    const started = Date.now();
    const search = t.app
      .inject({
        method: 'POST',
        url: '/artifact/byRegEx',
        headers: { 'x-authorization': token },
        payload: { regex: HOSTILE_PATTERN },
      })
      .then((response) => {
        searchAnswered = true;
        return response;
      });
    // A timer fires only while the event loop is free: on a blocked loop it waits for the search.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const health = await t.app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(searchAnswered).toBe(false);

    const response = await search;
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({
      error: 'PAYLOAD_TOO_LARGE',
      message: `The regex search was stopped at its time budget of ${TIMEOUT_MS} ms (REGEX_SEARCH_TIMEOUT_MS); use a more specific pattern.`,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);

    // The stopped worker was replaced: the next search works.
    const next = await t.app.inject({
      method: 'POST',
      url: '/artifact/byRegEx',
      headers: { 'x-authorization': token },
      payload: { regex: 'lorem' },
    });
    expect(next.json()).toEqual([{ name: 'long-card', id: expect.any(String), type: 'model' }]);
  });
});
