import { describe, expect, it } from 'vitest';
import {
  type CardAssessorOptions,
  createCardAssessor,
  MAX_CARD_CHARS,
} from '../../../src/rating/llm/card-assessor.js';

/** One request as the chat-completions endpoint received it. */
interface Received {
  url: string;
  headers: Record<string, string>;
  body: {
    model: string;
    temperature: number;
    response_format: { type: string };
    messages: { role: string; content: string }[];
  };
}

/** An OpenAI-compatible endpoint: answers every request with `answer` and records what it got. */
function endpoint(answer: (signal: AbortSignal) => Promise<Response> | Response) {
  const received: Received[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    received.push({
      url: String(input),
      headers: init?.headers as Record<string, string>,
      body: JSON.parse(String(init?.body)),
    });
    return answer(init?.signal as AbortSignal);
  }) as typeof fetch;
  return { fetchImpl, received };
}

/** A chat completion whose message content is `content`. */
function completion(content: unknown, status = 200): Response {
  const body = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'judge-1',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const judged = (rampUp: unknown, performanceClaims: unknown) =>
  completion(JSON.stringify({ ramp_up: rampUp, performance_claims: performanceClaims }));

function assessor(fetchImpl: typeof fetch, options: Partial<CardAssessorOptions> = {}) {
  const logged: string[] = [];
  const assess = createCardAssessor(
    {
      endpoint: 'https://llm.example/v1//',
      apiKey: 'sk-test',
      model: 'judge-1',
      timeoutMs: 2000,
      log: (message) => logged.push(message),
      ...options,
    },
    fetchImpl,
  );
  return { assess, logged };
}

describe('createCardAssessor', () => {
  it('asks the endpoint for a JSON judgement of the card and returns both scores with rationales', async () => {
    const { fetchImpl, received } = endpoint(() =>
      judged(
        { score: 0.8, rationale: '  Has a   runnable\nexample. ' },
        { score: 0.25, rationale: 'One benchmark, no dataset named.' },
      ),
    );
    const { assess, logged } = assessor(fetchImpl);
    expect(await assess.assess('# Model\n\nUsage: ...')).toEqual({
      rampUp: { score: 0.8, rationale: 'Has a runnable example.' },
      performanceClaims: { score: 0.25, rationale: 'One benchmark, no dataset named.' },
      model: 'judge-1',
    });
    expect(logged).toEqual([]);

    const [request] = received;
    expect(request?.url).toBe('https://llm.example/v1/chat/completions');
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'Bearer sk-test',
    });
    expect(request?.body).toMatchObject({
      model: 'judge-1',
      temperature: 0,
      response_format: { type: 'json_object' },
    });
    expect(request?.body.messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(request?.body.messages[0]?.content).toContain('"ramp_up"');
    expect(request?.body.messages[1]?.content).toBe('Model card:\n\n# Model\n\nUsage: ...');
  });

  it('sends no authorization header without an API key', async () => {
    const { fetchImpl, received } = endpoint(() => judged({ score: 1 }, { score: 1 }));
    await assessor(fetchImpl, { apiKey: null }).assess.assess('card');
    expect(Object.keys(received[0]?.headers ?? {})).toEqual(['content-type']);
  });

  it('sends at most MAX_CARD_CHARS of a long card, marked as truncated', async () => {
    const { fetchImpl, received } = endpoint(() => judged({ score: 0.5 }, { score: 0.5 }));
    await assessor(fetchImpl).assess.assess('x'.repeat(MAX_CARD_CHARS + 500));
    const sent = received[0]?.body.messages[1]?.content ?? '';
    expect(sent).toBe(
      `Model card:\n\n${'x'.repeat(MAX_CARD_CHARS)}\n[card truncated at ${MAX_CARD_CHARS} characters]`,
    );
  });

  it('clamps scores into [0, 1], shortens long rationales and ignores rationales that are not text', async () => {
    const long = 'word '.repeat(100);
    const { fetchImpl } = endpoint(() =>
      judged({ score: 1.7, rationale: long }, { score: -0.2, rationale: 42 }),
    );
    const result = await assessor(fetchImpl).assess.assess('card');
    expect(result?.rampUp?.score).toBe(1);
    expect(result?.rampUp?.rationale).toHaveLength(300);
    expect(result?.rampUp?.rationale.endsWith('...')).toBe(true);
    expect(result?.performanceClaims).toEqual({ score: 0, rationale: '' });
  });

  it('keeps the usable score when the other is missing or not a number', async () => {
    const { fetchImpl } = endpoint(() => judged({ score: '0.9' }, { score: 0.6, rationale: 'Benchmarks.' }));
    const result = await assessor(fetchImpl).assess.assess('card');
    expect(result).toEqual({
      rampUp: null,
      performanceClaims: { score: 0.6, rationale: 'Benchmarks.' },
      model: 'judge-1',
    });
  });

  it.each([
    [
      'HTTP 429 (rate limited)',
      () => new Response('{"error":{"message":"Rate limit reached"}}', { status: 429 }),
      'HTTP 429',
    ],
    ['HTTP 500', () => new Response('upstream exploded', { status: 500 }), 'HTTP 500'],
    [
      'a body that is not JSON',
      () => new Response('<html>Bad gateway</html>', { status: 200 }),
      'the response body is not valid JSON',
    ],
    [
      'a body without choices',
      () => new Response('{"object":"chat.completion","choices":[]}'),
      'the response has no message content',
    ],
    [
      'message content that is not JSON',
      () => completion('The ramp-up score is 0.8.'),
      'the message content is not valid JSON',
    ],
    [
      'message content that is not an object',
      () => completion('0.8'),
      'the message content is not a JSON object',
    ],
    [
      'an answer without any score',
      () => judged({ rationale: 'no idea' }, null),
      'the answer held no numeric score',
    ],
    [
      'NaN-like scores',
      () => completion('{"ramp_up":{"score":null},"performance_claims":{"score":"high"}}'),
      'the answer held no numeric score',
    ],
  ])('yields null and logs why for %s', async (_, answer, why) => {
    const { fetchImpl } = endpoint(answer);
    const { assess, logged } = assessor(fetchImpl);
    expect(await assess.assess('card')).toBeNull();
    expect(logged).toEqual([
      `LLM card assessment failed (judge-1 at https://llm.example/v1/chat/completions): ${why}`,
    ]);
  });

  it('gives up at its time limit when the endpoint does not answer', async () => {
    const { fetchImpl } = endpoint(
      (signal) =>
        new Promise<Response>((_, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    );
    const { assess, logged } = assessor(fetchImpl, { timeoutMs: 30 });
    expect(await assess.assess('card')).toBeNull();
    expect(logged).toEqual([
      'LLM card assessment failed (judge-1 at https://llm.example/v1/chat/completions): no answer within 30 ms',
    ]);
  });

  it('names the cause of a network failure', async () => {
    const { fetchImpl } = endpoint(() => {
      throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND llm.example') });
    });
    const { assess, logged } = assessor(fetchImpl);
    expect(await assess.assess('card')).toBeNull();
    expect(logged[0]).toMatch(/: fetch failed: getaddrinfo ENOTFOUND llm\.example$/);
  });

  it('reports a failure that is not an Error as text', async () => {
    const { fetchImpl } = endpoint(() => Promise.reject('socket closed'));
    const { assess, logged } = assessor(fetchImpl);
    expect(await assess.assess('card')).toBeNull();
    expect(logged[0]).toMatch(/: socket closed$/);
  });

  it('reports failures as process warnings when no log is given', async () => {
    const { fetchImpl } = endpoint(() => new Response('', { status: 503 }));
    const warnings: Error[] = [];
    const listener = (warning: Error) => warnings.push(warning);
    process.on('warning', listener);
    try {
      const assess = createCardAssessor(
        { endpoint: 'https://llm.example/v1', apiKey: null, model: 'judge-1', timeoutMs: 1000 },
        fetchImpl,
      );
      expect(await assess.assess('card')).toBeNull();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    expect(warnings.map((warning) => [warning.name, warning.message])).toContainEqual([
      'LlmAssistWarning',
      'LLM card assessment failed (judge-1 at https://llm.example/v1/chat/completions): HTTP 503',
    ]);
  });
});
