import { describe, expect, it } from 'vitest';
import { GitHubBudget } from '../../../src/sources/github-budget.js';

const NOW_SECONDS = 1_800_000_000;

/** GitHub answering with the given rate-limit headers; counts the requests that reached it. */
function github(headers: Record<string, string>, status = 200) {
  const calls: string[] = [];
  const fetchImpl: typeof fetch = async (input) => {
    calls.push(String(input));
    return new Response('{}', { status, headers });
  };
  return { fetchImpl, calls };
}

function budgetAt(seconds = NOW_SECONDS): GitHubBudget {
  return new GitHubBudget(() => seconds * 1000);
}

const rateHeaders = (remaining: number, reset = NOW_SECONDS + 600, resource = 'core') => ({
  'x-ratelimit-remaining': String(remaining),
  'x-ratelimit-reset': String(reset),
  'x-ratelimit-resource': resource,
});

describe('GitHubBudget', () => {
  it('knows nothing before GitHub has answered', () => {
    expect(budgetAt().left()).toBeNull();
  });

  it('records what the last core answer reported', async () => {
    const budget = budgetAt();
    const { fetchImpl } = github(rateHeaders(4321));
    await budget.wrap(fetchImpl)('https://api.github.com/repos/o/r');
    expect(budget.left()).toBe(4321);
  });

  it('forgets the count once the reset time has passed', async () => {
    let now = NOW_SECONDS;
    const budget = new GitHubBudget(() => now * 1000);
    await budget.wrap(github(rateHeaders(10, NOW_SECONDS + 60)).fetchImpl)('https://api.github.com/x');
    now = NOW_SECONDS + 60;
    expect(budget.left()).toBeNull();
  });

  it('ignores the search and GraphQL budgets, answers without headers, and refusals', async () => {
    const budget = budgetAt();
    await budget.wrap(github(rateHeaders(50)).fetchImpl)('https://api.github.com/x');
    await budget.wrap(github(rateHeaders(3, NOW_SECONDS + 60, 'search')).fetchImpl)(
      'https://api.github.com/search',
    );
    await budget.wrap(github({}).fetchImpl)('https://api.github.com/x');
    await budget.wrap(github({ 'x-ratelimit-remaining': 'many', 'x-ratelimit-reset': '1' }).fetchImpl)(
      'https://x',
    );
    await budget.wrap(github(rateHeaders(0), 403).fetchImpl)('https://api.github.com/x');
    expect(budget.left()).toBe(50);
  });

  it('counts an answer without a resource header as the core budget', async () => {
    const budget = budgetAt();
    await budget.wrap(
      github({ 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': String(NOW_SECONDS + 5) }).fetchImpl,
    )('https://api.github.com/x');
    expect(budget.left()).toBe(7);
  });

  it('answers for GitHub, as GitHub would, once the budget is known to be spent', async () => {
    const budget = budgetAt();
    const reset = NOW_SECONDS + 900;
    const gh = github(rateHeaders(0, reset));
    const wrapped = budget.wrap(gh.fetchImpl);
    await wrapped('https://api.github.com/first');
    const refused = await wrapped('https://api.github.com/second');
    expect(gh.calls).toEqual(['https://api.github.com/first']);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset')).toBe(String(reset));
    expect(await refused.json()).toEqual({
      message: 'API rate limit exceeded (known spent; request not sent).',
    });
  });
});
