import { describe, expect, it } from 'vitest';
import { busFactor } from '../../../src/rating/metrics/bus-factor.js';
import { codeQuality } from '../../../src/rating/metrics/code-quality.js';
import { reviewedness } from '../../../src/rating/metrics/reviewedness.js';
import { evidence, githubRepo, hfModel, NOW, pullRequest } from './evidence-builder.js';

const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const commits = (authors: [string, number][], latest: string | null) => ({
  sampled: authors.reduce((sum, [, count]) => sum + count, 0),
  truncated: false,
  authors: authors.map(([name, count]) => ({ name, commits: count })),
  latest,
  earliest: null,
});

describe('bus_factor', () => {
  it('scores a single recent author at the activity share only', () => {
    const model = hfModel({ commits: commits([['solo', 10]], daysAgo(10)) });
    expect(busFactor(evidence({ model })).score).toBeCloseTo(0.2, 3);
  });

  it('maps the effective number of contributors to 1 - 1/N', () => {
    const model = hfModel({
      commits: commits(
        [
          ['a', 5],
          ['b', 5],
          ['c', 5],
          ['d', 5],
        ],
        daysAgo(10),
      ),
    });
    expect(busFactor(evidence({ model })).score).toBeCloseTo(0.8 * 0.75 + 0.2, 3);
  });

  it('counts a dominant contributor as about one person', () => {
    const github = githubRepo({
      contributors: [
        { login: 'boss', contributions: 95 },
        ...Array.from({ length: 5 }, (_, i) => ({ login: `x${i}`, contributions: 1 })),
      ],
    });
    const result = busFactor(evidence({ github }));
    expect(result.score).toBeLessThan(0.1);
    expect(result.reason).toContain('effective contributors');
  });

  it('takes the better of the model repo and the code repo', () => {
    const model = hfModel({ commits: commits([['solo', 3]], null) });
    const github = githubRepo({
      contributors: [
        { login: 'a', contributions: 10 },
        { login: 'b', contributions: 10 },
      ],
    });
    expect(busFactor(evidence({ model, github })).score).toBeCloseTo(0.4, 3);
  });

  it('fades activity out between one and four years', () => {
    const at = (days: number) =>
      busFactor(evidence({ model: hfModel({ commits: commits([['a', 1]], daysAgo(days)) }) })).score;
    expect(at(365)).toBeCloseTo(0.2, 3);
    expect(at(365 + 548)).toBeCloseTo(0.1, 2);
    expect(at(5 * 365)).toBe(0);
  });

  it('scores no contributor history 0 (an upload without commits)', () => {
    const result = busFactor(evidence());
    expect(result.score).toBe(0);
    expect(result.reason).toContain('No contributor history');
  });
});

describe('code_quality', () => {
  it('scores 0 without a linked repository or without code in it', () => {
    expect(codeQuality(evidence()).score).toBe(0);
    expect(codeQuality(evidence({ github: githubRepo({}, ['README.md', 'LICENSE']) })).score).toBe(0);
  });

  it('adds up tests, CI, lint, types, packaging and a README', () => {
    const paths = [
      'README.md',
      'pkg/a.py',
      'tests/test_a.py',
      '.github/workflows/ci.yml',
      'ruff.toml',
      'mypy.ini',
      'pyproject.toml',
    ];
    expect(codeQuality(evidence({ github: githubRepo({}, paths) })).score).toBe(1);
    expect(
      codeQuality(evidence({ github: githubRepo({}, ['README.md', 'a.py', 'tests/test_a.py']) })).score,
    ).toBeCloseTo(0.4, 3);
  });

  it('caps an archived repository at 0.5', () => {
    const paths = [
      'README.md',
      'a.py',
      'tests/test_a.py',
      '.github/workflows/ci.yml',
      'ruff.toml',
      'mypy.ini',
      'setup.py',
    ];
    const result = codeQuality(evidence({ github: githubRepo({ archived: true }, paths) }));
    expect(result.score).toBe(0.5);
    expect(result.reason).toContain('archived');
  });
});

describe('reviewedness', () => {
  it('is -1 without a GitHub repository', () => {
    expect(reviewedness(evidence())).toEqual({ score: -1, reason: 'No GitHub repository is linked.' });
  });

  it('counts only code lines of PRs reviewed by someone else, over the sample when history is unknown', () => {
    const items = [
      pullRequest(1, { 'a.py': 60, 'README.md': 500 }, ['reviewer']),
      pullRequest(2, { 'b.py': 40, 'weights.safetensors': 0, 'data.csv': 900 }),
    ];
    const result = reviewedness(
      evidence({ github: githubRepo({ pullRequests: { sampled: 2, truncated: false, items } }) }),
    );
    expect(result.score).toBe(0.6);
    expect(result.reason).toContain('history statistics unavailable');
  });

  it('uses the history total, scaled by the sample code share, as the denominator', () => {
    const items = [pullRequest(1, { 'a.py': 75, 'README.md': 25 }, ['reviewer'])];
    const github = githubRepo({
      pullRequests: { sampled: 1, truncated: true, items },
      codeFrequency: { additions: 1000, deletions: 0 },
    });
    const result = reviewedness(evidence({ github }));
    expect(result.score).toBe(0.1); // 75 / (1000 x 75%)
    expect(result.reason).toContain('lower bound');
  });

  it('scores 0 when no code came through pull requests', () => {
    expect(reviewedness(evidence({ github: githubRepo() })).score).toBe(0);
  });
});
