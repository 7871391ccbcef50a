/**
 * What is left of GitHub's hourly request budget, as its last answer reported it
 * (`x-ratelimit-remaining`, `x-ratelimit-reset`). Evidence sampling sizes itself by it, and a
 * budget known to be spent is not spent further: the request is answered here, as GitHub would
 * answer it (403, remaining 0), so callers see one kind of refusal.
 */
export class GitHubBudget {
  private remaining: number | null = null;
  /** Epoch seconds at which the budget refills. */
  private reset: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Requests left, or null before GitHub has said (or once the reset time has passed). */
  left(): number | null {
    if (this.remaining === null || this.reset === null) return null;
    return this.reset * 1000 <= this.now() ? null : this.remaining;
  }

  /** Wraps `fetch` so every answer updates the budget and a spent budget sends nothing. */
  wrap(fetchImpl: typeof fetch): typeof fetch {
    return async (input, init) => {
      if (this.left() === 0) return this.refusal();
      const response = await fetchImpl(input, init);
      // Refusals are left to the throttling layer, which knows how long to wait.
      if (response.status < 400) this.observe(response.headers);
      return response;
    };
  }

  private observe(headers: Headers): void {
    const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
    const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN);
    // Only the core budget sizes the sampling (search and GraphQL have budgets of their own).
    const resource = headers.get('x-ratelimit-resource') ?? 'core';
    if (!Number.isFinite(remaining) || !Number.isFinite(reset) || resource !== 'core') return;
    this.remaining = remaining;
    this.reset = reset;
  }

  private refusal(): Response {
    const body = JSON.stringify({ message: 'API rate limit exceeded (known spent; request not sent).' });
    return new Response(body, {
      status: 403,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(this.reset ?? 0),
      },
    });
  }
}
