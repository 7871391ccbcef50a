import { describe, expect, it } from 'vitest';
import { DEFAULT_GATE_POLICY, evaluateGate, type GatePolicy } from '../../../src/rating/gate.js';
import { MetricUnavailableError } from '../../../src/rating/metric.js';
import { type MetricScores, NET_SCORE_WEIGHTS, netScore } from '../../../src/rating/net-score.js';
import { type ModelRating, RatingFailedError, rate, toModelRating } from '../../../src/rating/pipeline.js';
import { card, evidence, file, hfModel } from './evidence-builder.js';

const smallModel = () =>
  evidence({
    model: hfModel({
      card: card('---\nlicense: mit\n---\n# M\n'),
      pipelineTag: 'fill-mask',
      files: [file('model.safetensors', 1e6)],
    }),
  });

const scores = (value: number, overrides: Partial<MetricScores> = {}): MetricScores => ({
  ramp_up_time: value,
  bus_factor: value,
  performance_claims: value,
  license: value,
  size_score: { raspberry_pi: value, jetson_nano: value, desktop_pc: value, aws_server: value },
  dataset_and_code_score: value,
  dataset_quality: value,
  code_quality: value,
  reproducibility: value,
  reviewedness: value,
  tree_score: value,
  ...overrides,
});

describe('netScore', () => {
  it('has weights summing to 1', () => {
    expect(Object.values(NET_SCORE_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });

  it('is the weighted mean, with size_score as its device mean', () => {
    expect(netScore(scores(0.6))).toBe(0.6);
    const size = { raspberry_pi: 0, jetson_nano: 0, desktop_pc: 1, aws_server: 1 };
    expect(netScore(scores(1, { size_score: size }))).toBeCloseTo(1 - NET_SCORE_WEIGHTS.size_score / 2, 3);
  });

  it('leaves reviewedness -1 out and rescales the other weights', () => {
    expect(netScore(scores(0.8, { reviewedness: -1 }))).toBe(0.8);
    expect(netScore(scores(0.8, { reviewedness: 0 }))).toBeLessThan(0.8);
  });
});

describe('rate', () => {
  it('returns every metric with a score, a reason and a latency, and maps 1:1 onto ModelRating', async () => {
    const result = await rate(smallModel());
    expect(result.name).toBe('acme/model');
    expect(result.category).toBe('fill-mask');
    for (const metric of Object.values(result.metrics)) {
      expect(metric.latency).toBeGreaterThanOrEqual(0);
      expect(metric.reason.length).toBeGreaterThan(0);
    }
    const rating = toModelRating(result);
    expect(Object.keys(rating).sort()).toEqual(
      [
        'name',
        'category',
        'net_score',
        'net_score_latency',
        'ramp_up_time',
        'ramp_up_time_latency',
        'bus_factor',
        'bus_factor_latency',
        'performance_claims',
        'performance_claims_latency',
        'license',
        'license_latency',
        'dataset_and_code_score',
        'dataset_and_code_score_latency',
        'dataset_quality',
        'dataset_quality_latency',
        'code_quality',
        'code_quality_latency',
        'reproducibility',
        'reproducibility_latency',
        'reviewedness',
        'reviewedness_latency',
        'tree_score',
        'tree_score_latency',
        'size_score',
        'size_score_latency',
      ].sort(),
    );
    expect(rating.license).toBe(1);
    expect(rating.reviewedness).toBe(-1);
    expect(rating.size_score).toEqual({ raspberry_pi: 1, jetson_nano: 1, desktop_pc: 1, aws_server: 1 });
    expect(rating.net_score_latency).toBeGreaterThanOrEqual(0);
  });

  it('runs metrics concurrently: their latencies add up to more than the whole run', async () => {
    const slow = (score: number) => async () => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      return { score, reason: 'slow' };
    };
    const result = await rate(smallModel(), {
      metrics: { ramp_up_time: slow(0.5), bus_factor: slow(0.5), code_quality: slow(0.5) },
    });
    const sum = Object.values(result.metrics).reduce((total, metric) => total + metric.latency, 0);
    expect(result.metrics.ramp_up_time.latency).toBeGreaterThan(0);
    expect(sum).toBeGreaterThan(result.net_score.latency);
  });

  it('fails naming every metric that could not be computed', async () => {
    const unavailable = () => {
      throw new MetricUnavailableError('no evidence');
    };
    const error = await rate(smallModel(), {
      metrics: { license: unavailable, tree_score: async () => unavailable() },
    }).catch((caught) => caught);
    expect(error).toBeInstanceOf(RatingFailedError);
    expect(error.statusCode).toBe(500);
    expect(error.failures).toEqual([
      { metric: 'license', reason: 'no evidence' },
      { metric: 'tree_score', reason: 'no evidence' },
    ]);
    expect(error.message).toContain('license: no evidence; tree_score: no evidence');
  });

  it('fails when the model cannot be sized', async () => {
    await expect(rate(evidence())).rejects.toThrow(/size_score: The model has no weight files/);
  });

  it('uses a plugged-in reproducibility executor', async () => {
    const card_ =
      '```python\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained("acme/model")\n```\n';
    const input = evidence({
      model: hfModel({ card: card(card_), files: [file('model.safetensors', 1e6)] }),
    });
    expect((await rate(input)).metrics.reproducibility.score).toBe(1);
    const failing = { run: async () => ({ ran: false, detail: 'CUDA required' }) };
    expect((await rate(input, { reproducibilityExecutor: failing })).metrics.reproducibility.score).toBe(0.5);
  });
});

describe('evaluateGate', () => {
  const rating = (value: number, overrides: Partial<ModelRating> = {}): ModelRating =>
    ({
      name: 'm',
      category: 'MODEL',
      net_score: value,
      net_score_latency: 0,
      ...Object.fromEntries(
        Object.entries(scores(value)).flatMap(([key, score]) => [
          [key, score],
          [`${key}_latency`, 0],
        ]),
      ),
      ...overrides,
    }) as ModelRating;
  const policy = (overrides: Partial<GatePolicy>): GatePolicy => ({ ...DEFAULT_GATE_POLICY, ...overrides });

  it('passes when every counted metric reaches the threshold, latencies aside', () => {
    expect(evaluateGate(rating(0.5, { ramp_up_time_latency: 0 }))).toEqual({ passed: true, failing: [] });
  });

  it('lists each failing metric with its score and threshold', () => {
    const verdict = evaluateGate(rating(0.9, { license: 0, ramp_up_time: 0.3 }));
    expect(verdict.passed).toBe(false);
    expect(verdict.failing).toEqual([
      { metric: 'ramp_up_time', score: 0.3, threshold: 0.5 },
      { metric: 'license', score: 0, threshold: 0.5 },
    ]);
  });

  it('applies per-metric thresholds and exclusions', () => {
    const low = rating(0.9, { bus_factor: 0.3 });
    expect(evaluateGate(low, policy({ thresholds: { bus_factor: 0.25 } })).passed).toBe(true);
    expect(evaluateGate(low, policy({ excluded: ['bus_factor'] })).passed).toBe(true);
    expect(evaluateGate(rating(0.9), policy({ threshold: 0.95 })).failing.length).toBeGreaterThan(5);
  });

  it('ignores low reviewedness by default but vetoes on it once it is no longer excluded', () => {
    const unreviewed = rating(0.9, { reviewedness: 0.2 });
    expect(evaluateGate(unreviewed).passed).toBe(true);
    expect(evaluateGate(unreviewed, policy({ excluded: [] })).failing).toEqual([
      { metric: 'reviewedness', score: 0.2, threshold: 0.5 },
    ]);
  });

  it.each([
    ['pass', true],
    ['ignore', true],
    ['fail', false],
  ] as const)('reviewedness -1 with policy %s passes: %s', (mode, passed) => {
    expect(
      evaluateGate(rating(0.9, { reviewedness: -1 }), policy({ excluded: [], reviewednessWhenAbsent: mode }))
        .passed,
    ).toBe(passed);
  });

  it('counts the best device, one device, or every device for size_score', () => {
    const serverOnly = rating(0.9, {
      size_score: { raspberry_pi: 0, jetson_nano: 0, desktop_pc: 0.2, aws_server: 0.7 },
    });
    expect(evaluateGate(serverOnly).passed).toBe(true);
    expect(evaluateGate(serverOnly, policy({ sizeDevice: 'desktop_pc' })).failing).toEqual([
      { metric: 'size_score.desktop_pc', score: 0.2, threshold: 0.5 },
    ]);
    expect(
      evaluateGate(serverOnly, policy({ sizeDevice: 'any' })).failing.map((failure) => failure.metric),
    ).toEqual(['size_score.raspberry_pi', 'size_score.jetson_nano', 'size_score.desktop_pc']);
  });
});
