import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CardAssessorOptions,
  createCardAssessor,
  MAX_CARD_CHARS,
} from '../../src/rating/llm/card-assessor.js';
import { DEFAULT_ANSWER, type LlmFixtureServer, startLlmServer } from '../fixtures/llm-server.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type FixtureSources, startFixtureSources } from '../support/fixture-sources.js';

const CARD = '# Tiny model\n\n## How to use\n\n```python\nfrom transformers import pipeline\n```\n';

let llm: LlmFixtureServer;
beforeAll(async () => {
  llm = await startLlmServer();
});
afterAll(() => llm.close());
beforeEach(() => {
  llm.mode = 'ok';
  llm.answer = DEFAULT_ANSWER;
  llm.bodies.length = 0;
  llm.clearFailures();
});

describe('the card assessor against an OpenAI-compatible server', () => {
  const logged: string[] = [];
  beforeEach(() => {
    logged.length = 0;
  });
  const assessor = (overrides: Partial<CardAssessorOptions> = {}) =>
    createCardAssessor({
      endpoint: llm.endpoint,
      apiKey: llm.apiKey,
      model: 'judge-mini',
      timeoutMs: 5_000,
      log: (message) => logged.push(message),
      ...overrides,
    });

  it('posts one JSON-mode chat request with the card and reads both judgements', async () => {
    const assessment = await assessor().assess(CARD);
    expect(assessment).toEqual({
      rampUp: DEFAULT_ANSWER.ramp_up,
      performanceClaims: DEFAULT_ANSWER.performance_claims,
      model: 'judge-mini',
    });
    expect(llm.bodies).toHaveLength(1);
    const body = llm.bodies[0];
    expect(body?.model).toBe('judge-mini');
    expect(body?.response_format).toEqual({ type: 'json_object' });
    expect(body?.messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(body?.messages[0]?.content).toMatch(/JSON/);
    expect(body?.messages[1]?.content).toContain(CARD);
    expect(logged).toEqual([]);
  });

  it('sends at most a bounded part of a huge card, saying it was cut', async () => {
    await assessor().assess(`# Huge\n\n${'word '.repeat(10_000)}TAIL-MARKER`);
    const sent = llm.bodies[0]?.messages[1]?.content ?? '';
    expect(sent).not.toContain('TAIL-MARKER');
    expect(sent).toContain(`[card truncated at ${MAX_CARD_CHARS} characters]`);
    expect(sent.length).toBeLessThan(MAX_CARD_CHARS + 200);
  });

  it('clamps numeric scores into [0, 1] and ignores non-numeric ones', async () => {
    llm.answer = {
      ramp_up: { score: 'high', rationale: 'words, not a number' },
      performance_claims: { score: 1.7, rationale: 42 },
    };
    expect(await assessor().assess(CARD)).toEqual({
      rampUp: null,
      performanceClaims: { score: 1, rationale: '' },
      model: 'judge-mini',
    });
  });

  it.each([
    ['an answer with no numeric score', () => (llm.answer = { ramp_up: 'great' }), /no numeric score/],
    ['a message that is not JSON', () => (llm.mode = 'garbage'), /message content is not valid JSON/],
    ['a JSON message that is not an object', () => (llm.answer = [0.5, 0.5]), /no numeric score/],
    ['HTTP 500', () => llm.failNext(1, 500), /HTTP 500/],
  ])('answers null and logs why for %s', async (_case, arrange, why) => {
    arrange();
    expect(await assessor().assess(CARD)).toBeNull();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(why);
    expect(logged[0]).toContain('judge-mini');
  });

  it('answers null and logs the 401 for a wrong key, which the server refused', async () => {
    expect(await assessor({ apiKey: 'not-the-key' }).assess(CARD)).toBeNull();
    expect(logged[0]).toMatch(/HTTP 401/);
    expect(llm.bodies).toHaveLength(0);
  });

  it('gives up after its timeout on a server that does not answer', async () => {
    llm.mode = 'slow';
    expect(await assessor({ timeoutMs: 200 }).assess(CARD)).toBeNull();
    expect(logged[0]).toMatch(/no answer within 200 ms/);
  });

  it('answers null for an endpoint nothing listens on', async () => {
    const closed = await startLlmServer();
    await closed.close();
    expect(await assessor({ endpoint: closed.endpoint }).assess(CARD)).toBeNull();
    expect(logged[0]).toMatch(/fetch failed/);
  });
});

describe('rating with LLM assistance end to end', () => {
  let sources: FixtureSources;
  let plain: TestApp;
  let assisted: TestApp;
  beforeAll(async () => {
    sources = await startFixtureSources();
    const env = { ...sources.env, GATE_ENABLED: 'false' };
    [plain, assisted] = await Promise.all([
      startTestApp(env),
      startTestApp({ ...env, LLM_ENDPOINT: llm.endpoint, LLM_API_KEY: llm.apiKey, LLM_MODEL: 'judge-mini' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), assisted?.close()]);
    await sources?.close();
  });

  const ingestAndRate = async (t: TestApp, repo: string) => {
    const headers = { 'x-authorization': await t.token() };
    const created = await t.app.inject({
      method: 'POST',
      url: '/artifact/model',
      headers,
      payload: { url: `https://huggingface.co/${repo}` },
    });
    expect(created.statusCode, created.body).toBe(201);
    const rated = await t.app.inject({ url: `/artifact/model/${created.json().metadata.id}/rate`, headers });
    expect(rated.statusCode, rated.body).toBe(200);
    return rated.json();
  };

  it("blends the LLM's judgement into ramp_up_time and performance_claims as the mean", async () => {
    const repo = 'textattack/bert-base-uncased-imdb';
    const without = await ingestAndRate(plain, repo);
    const withLlm = await ingestAndRate(assisted, repo);
    expect(llm.bodies.length).toBeGreaterThan(0);
    expect(llm.bodies.every((body) => body.model === 'judge-mini')).toBe(true);
    expect(withLlm.ramp_up_time).not.toBe(without.ramp_up_time);
    expect(withLlm.ramp_up_time).toBeCloseTo((without.ramp_up_time + DEFAULT_ANSWER.ramp_up.score) / 2, 3);
    expect(withLlm.performance_claims).toBeCloseTo(
      (without.performance_claims + DEFAULT_ANSWER.performance_claims.score) / 2,
      3,
    );
    // The LLM reads only the card: every other metric is untouched.
    for (const metric of ['bus_factor', 'license', 'reproducibility', 'dataset_quality', 'code_quality'])
      expect(withLlm[metric], metric).toBe(without[metric]);
  });

  it('rates with the deterministic scores when the LLM fails', async () => {
    const repo = 'arnir0/Tiny-LLM';
    const without = await ingestAndRate(plain, repo);
    llm.failNext(1, 500);
    const withLlm = await ingestAndRate(assisted, repo);
    expect(withLlm.ramp_up_time).toBe(without.ramp_up_time);
    expect(withLlm.performance_claims).toBe(without.performance_claims);
  });
});
