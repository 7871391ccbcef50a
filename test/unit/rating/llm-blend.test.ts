import { describe, expect, it } from 'vitest';
import type { CardAssessment } from '../../../src/rating/llm/card-assessor.js';
import { performanceClaims } from '../../../src/rating/metrics/performance-claims.js';
import { rampUpTime } from '../../../src/rating/metrics/ramp-up-time.js';
import { card, evidence, hfModel } from './evidence-builder.js';

// A thin card: some structure, no code and no results, so both deterministic scores are low.
const THIN_CARD = '# Sentiment model\n\nClassifies movie reviews.\n\n## Training\n\nFine-tuned on reviews.\n';
const model = hfModel({ card: card(THIN_CARD) });

const assessment = (overrides: Partial<CardAssessment> = {}): CardAssessment => ({
  rampUp: { score: 0.9, rationale: 'Clear prose explains the task.' },
  performanceClaims: { score: 0.4, rationale: 'Claims without numbers.' },
  model: 'judge-1',
  ...overrides,
});

const metrics = [
  ['ramp_up_time', rampUpTime, 'rampUp'],
  ['performance_claims', performanceClaims, 'performanceClaims'],
] as const;

describe.each(metrics)('%s with LLM assistance', (_name, metric, aspect) => {
  const deterministic = metric(evidence({ model }));

  it('is the deterministic result unchanged without an assessment', () => {
    expect(metric(evidence({ model, cardAssessment: undefined }))).toEqual(deterministic);
  });

  it("blends as the mean of the deterministic and the LLM's score, the reason giving both", () => {
    const judged = assessment();
    const llmScore = judged[aspect]?.score ?? Number.NaN;
    const blended = metric(evidence({ model, cardAssessment: judged }));
    expect(blended.score).toBeCloseTo((deterministic.score + llmScore) / 2, 3);
    expect(blended.score).not.toBe(deterministic.score);
    expect(blended.reason).toContain(`deterministic ${deterministic.score}`);
    expect(blended.reason).toContain(`LLM's ${llmScore}`);
    expect(blended.reason).toContain('judge-1');
    expect(blended.reason).toContain(judged[aspect]?.rationale);
  });

  it('falls back to the deterministic score, saying so, when the LLM failed', () => {
    const result = metric(evidence({ model, cardAssessment: null }));
    expect(result.score).toBe(deterministic.score);
    expect(result.reason).toContain(deterministic.reason);
    expect(result.reason).toMatch(/LLM assistance failed.*deterministic score alone/);
  });

  it('falls back to the deterministic score when the LLM gave no usable score for this metric', () => {
    const result = metric(evidence({ model, cardAssessment: assessment({ [aspect]: null }) }));
    expect(result.score).toBe(deterministic.score);
    expect(result.reason).toMatch(/judge-1\) gave no usable score/);
  });
});

describe('blend edges', () => {
  it('reads only its own judgement', () => {
    const ramp = rampUpTime(evidence({ model, cardAssessment: assessment({ performanceClaims: null }) }));
    const perf = performanceClaims(evidence({ model, cardAssessment: assessment({ rampUp: null }) }));
    expect(ramp.reason).toContain("LLM's 0.9");
    expect(perf.reason).toContain("LLM's 0.4");
  });

  it('blends into the empty-card score of ramp_up_time too', () => {
    const frontMatterOnly = hfModel({ card: card('---\nlicense: mit\n---\n') });
    const result = rampUpTime(evidence({ model: frontMatterOnly, cardAssessment: assessment() }));
    expect(result.score).toBe(0.45);
    expect(result.reason).toContain('no model card to learn from');
  });

  it('ends the reason at the model name when the LLM gave no rationale', () => {
    const silent = assessment({ rampUp: { score: 0.9, rationale: '' } });
    const result = rampUpTime(evidence({ model, cardAssessment: silent }));
    expect(result.reason.endsWith('LLM (judge-1)')).toBe(true);
  });
});
