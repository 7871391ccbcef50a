/**
 * Optional LLM reading of a model card for the card-reading metrics (ramp_up_time,
 * performance_claims), through any OpenAI-compatible chat-completions endpoint. One request per
 * card, bounded in size and time. It never throws: any failure (timeout, HTTP error, an answer
 * that is not the JSON asked for) yields null and is logged, and the metrics keep their
 * deterministic score.
 */

import { unitScore } from '../metric.js';

/** The LLM's view of one metric: a score in [0, 1] and why. */
export interface CardJudgement {
  score: number;
  rationale: string;
}

export interface CardAssessment {
  /** null when the answer held no usable score for this metric. */
  rampUp: CardJudgement | null;
  performanceClaims: CardJudgement | null;
  /** The model that judged, named in the metrics' reasons. */
  model: string;
}

export interface CardAssessor {
  assess(cardText: string): Promise<CardAssessment | null>;
}

export interface CardAssessorOptions {
  /** Base URL, e.g. `https://api.openai.com/v1`; `/chat/completions` is appended. */
  endpoint: string;
  apiKey: string | null;
  model: string;
  timeoutMs: number;
  /** Where failures are reported; a process warning by default. */
  log?: (message: string) => void;
}

/** Card characters sent: enough for any real card's substance, bounded in tokens and cost. */
export const MAX_CARD_CHARS = 12_000;
const MAX_RATIONALE_CHARS = 300;

const INSTRUCTIONS = `You assess Hugging Face model cards for a model registry. Answer with one JSON object only, no prose:
{"ramp_up": {"score": <0..1>, "rationale": "<one sentence>"}, "performance_claims": {"score": <0..1>, "rationale": "<one sentence>"}}
ramp_up: how quickly a newcomer can start using the model from this card alone (install steps, a runnable usage example naming the model, clear explanations). 1 = minutes, 0 = no usable guidance.
performance_claims: how well the card's performance claims are backed (benchmarks with numbers, named datasets and metrics, comparisons, citations to papers or reports). 1 = thoroughly evidenced, 0 = no claims or unsupported ones.
Judge only what the card says; do not use outside knowledge of the model.`;

export function createCardAssessor(
  options: CardAssessorOptions,
  fetchImpl: typeof fetch = fetch,
): CardAssessor {
  const log = options.log ?? ((message: string) => process.emitWarning(message, 'LlmAssistWarning'));
  const url = `${options.endpoint.replace(/\/+$/, '')}/chat/completions`;
  return {
    async assess(cardText) {
      try {
        const content = await requestCompletion(url, options, cardText, fetchImpl);
        const assessment = parseAssessment(content, options.model);
        if (assessment.rampUp === null && assessment.performanceClaims === null)
          throw new Error('the answer held no numeric score');
        return assessment;
      } catch (error) {
        log(`LLM card assessment failed (${options.model} at ${url}): ${describe(error, options.timeoutMs)}`);
        return null;
      }
    },
  };
}

async function requestCompletion(
  url: string,
  options: CardAssessorOptions,
  cardText: string,
  fetchImpl: typeof fetch,
): Promise<string> {
  const card =
    cardText.length > MAX_CARD_CHARS
      ? `${cardText.slice(0, MAX_CARD_CHARS)}\n[card truncated at ${MAX_CARD_CHARS} characters]`
      : cardText;
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    },
    body: JSON.stringify({
      model: options.model,
      temperature: 0,
      response_format: { type: 'json_object' },
      messages: [
        { role: 'system', content: INSTRUCTIONS },
        { role: 'user', content: `Model card:\n\n${card}` },
      ],
    }),
    // Covers reading the body too, so a server that stalls mid-answer is bounded as well.
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const content = (parseJson(text, 'response body') as { choices?: { message?: { content?: unknown } }[] })
    ?.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new Error('the response has no message content');
  return content;
}

function parseAssessment(content: string, model: string): CardAssessment {
  const answer = parseJson(content, 'message content');
  if (typeof answer !== 'object' || answer === null)
    throw new Error('the message content is not a JSON object');
  const fields = answer as Record<string, unknown>;
  return {
    rampUp: judgement(fields.ramp_up),
    performanceClaims: judgement(fields.performance_claims),
    model,
  };
}

/** A numeric score is clamped into [0, 1] (3 decimals); anything else (missing, a string, NaN) is ignored. */
function judgement(value: unknown): CardJudgement | null {
  if (typeof value !== 'object' || value === null) return null;
  const { score, rationale } = value as { score?: unknown; rationale?: unknown };
  if (typeof score !== 'number' || !Number.isFinite(score)) return null;
  const text = typeof rationale === 'string' ? rationale.replace(/\s+/g, ' ').trim() : '';
  return {
    score: unitScore(score),
    rationale: text.length > MAX_RATIONALE_CHARS ? `${text.slice(0, MAX_RATIONALE_CHARS - 3)}...` : text,
  };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`the ${what} is not valid JSON`);
  }
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs} ms`;
  if (!(error instanceof Error)) return String(error);
  // fetch reports network failures as "fetch failed" with the reason in `cause`.
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
