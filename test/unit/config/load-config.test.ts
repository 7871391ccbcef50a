import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { evaluateGate } from '../../../src/rating/gate.js';
import type { ModelRating } from '../../../src/rating/pipeline.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message.split('\n- ').slice(1);
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.s3).toBeNull();
    expect(config.databaseUrl).toBeNull();
    expect(config.limits.maxPackageBytes).toBe(20 * 1024 ** 3);
    expect(config.gate).toEqual({
      enabled: true,
      threshold: 0.5,
      thresholds: {},
      reviewednessWhenAbsent: 'pass',
      sizeDevice: 'max',
      excluded: ['reviewedness'],
    });
    expect(config.sources.hfEndpoint).toBe('https://huggingface.co');
  });

  it('reads typed values, the S3 settings once a bucket is named, and AWS_REGION as the region', () => {
    const config = loadConfig({
      PORT: '8080',
      S3_BUCKET: 'models',
      AWS_REGION: 'eu-west-1',
      S3_FORCE_PATH_STYLE: 'yes',
      HF_ENDPOINT: 'http://127.0.0.1:8901/',
      LOG_LEVEL: 'debug',
    });
    expect(config.port).toBe(8080);
    expect(config.s3).toMatchObject({
      bucket: 'models',
      region: 'eu-west-1',
      forcePathStyle: true,
      prefix: '',
    });
    expect(config.sources.hfEndpoint).toBe('http://127.0.0.1:8901');
    expect(config.logLevel).toBe('debug');
  });

  it('lists every problem in one message', () => {
    expect(
      problems({
        PORT: '70000',
        WORKERS: '1.5',
        S3_FORCE_PATH_STYLE: 'maybe',
        LOG_LEVEL: 'loud',
        HF_ENDPOINT: 'ftp://example.com',
        JWT_SECRET: 'short',
        GATE_THRESHOLD: '2',
      }),
    ).toEqual([
      'PORT must be an integer between 0 and 65535, got "70000"',
      'WORKERS must be an integer between 1 and 64, got "1.5"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'S3_FORCE_PATH_STYLE must be true or false, got "maybe"',
      'JWT_SECRET must be at least 32 characters, got "short"',
      'HF_ENDPOINT must be an http(s) URL, got "ftp://example.com"',
      'GATE_THRESHOLD must be a number between 0 and 1, got "2"',
    ]);
  });

  it('has HTTP timeouts, the headers deadline within the whole-request one', () => {
    expect(loadConfig({}).http).toEqual({
      headersTimeoutMs: 30_000,
      bodyIdleTimeoutMs: 30_000,
      requestTimeoutMs: 6 * 3600_000,
    });
    expect(problems({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '4000' })).toEqual([
      'HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (headers are part of the request)',
    ]);
    expect(
      loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '0' }).http.requestTimeoutMs,
    ).toBe(0);
  });

  it('rejects a misspelt metric in GATE_EXCLUDE', () => {
    expect(problems({ GATE_EXCLUDE: 'reviewdness' })).toEqual([
      expect.stringMatching(
        /^GATE_EXCLUDE must be a comma-separated list of license, .*net_score, got "reviewdness"$/,
      ),
    ]);
  });

  it('reads GATE_EXCLUDE as a list, and set but empty as no exclusion', () => {
    expect(loadConfig({ GATE_EXCLUDE: 'reviewedness, size_score' }).gate.excluded).toEqual([
      'reviewedness',
      'size_score',
    ]);
    expect(loadConfig({ GATE_EXCLUDE: '' }).gate.excluded).toEqual([]);
  });

  it('reads per-metric thresholds from GATE_THRESHOLDS', () => {
    expect(loadConfig({ GATE_THRESHOLDS: 'license:0.8, net_score:0.6' }).gate.thresholds).toEqual({
      license: 0.8,
      net_score: 0.6,
    });
  });

  it.each([
    ['an unknown metric', 'licence:0.8'],
    ['a score above 1', 'license:1.5'],
    ['a score that is no number', 'license:high'],
    ['a pair without a score', 'license'],
  ])('rejects GATE_THRESHOLDS with %s', (_, value) => {
    expect(problems({ GATE_THRESHOLDS: value })).toEqual([
      expect.stringMatching(new RegExp(`^GATE_THRESHOLDS must be name:score pairs .*, got "${value}"$`)),
    ]);
  });

  it('hands the per-metric thresholds to the gate', () => {
    const gate = loadConfig({ GATE_THRESHOLDS: 'license:0.9' }).gate;
    const rating = { license: 0.8, net_score: 0.8 } as unknown as ModelRating;
    expect(evaluateGate(rating, gate).failing).toEqual([{ metric: 'license', score: 0.8, threshold: 0.9 }]);
  });
});
