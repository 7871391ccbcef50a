import { describe, expect, it } from 'vitest';
import { NotFoundError, PayloadTooLargeError, UpstreamError } from '../../../src/domain/errors.js';
import { hubClient } from '../../../src/sources/hub-client.js';
import { classifyHubRefusals, HubRefusal, hubError } from '../../../src/sources/hub-errors.js';

/** A fetch answering every request with `response`. */
function answering(response: Response): typeof fetch {
  return async () => response;
}

describe('classifyHubRefusals', () => {
  it('passes successful answers through untouched', async () => {
    const ok = new Response('{"id":"org/model"}', { status: 200 });
    expect(await classifyHubRefusals(answering(ok))('https://huggingface.co/api/models/org/model')).toBe(ok);
  });

  it.each([
    ['RepoNotFound', 401, 'Repository not found'],
    ['GatedRepo', 403, 'Access to model org/model is restricted.'],
  ] as const)('turns a %s refusal into a HubRefusal with its message', async (code, status, message) => {
    const refusal = new Response('{"error":"..."}', {
      status,
      headers: { 'x-error-code': code, 'x-error-message': message },
    });
    const failure = classifyHubRefusals(answering(refusal))('https://huggingface.co/api/models/org/model');
    await expect(failure).rejects.toBeInstanceOf(HubRefusal);
    await expect(failure).rejects.toMatchObject({ code, status, message });
    expect(refusal.bodyUsed || refusal.body?.locked).toBeTruthy();
  });

  it('words a refusal without a message by its status text', async () => {
    const refusal = new Response(null, {
      status: 401,
      statusText: 'Unauthorized',
      headers: { 'x-error-code': 'RepoNotFound' },
    });
    await expect(classifyHubRefusals(answering(refusal))('https://huggingface.co/x')).rejects.toMatchObject({
      message: 'Unauthorized',
    });
  });

  it('leaves other failures, such as a missing file, to the client', async () => {
    const missingFile = new Response('Entry not found', {
      status: 404,
      headers: { 'x-error-code': 'EntryNotFound' },
    });
    const serverError = new Response('oops', { status: 500 });
    expect(await classifyHubRefusals(answering(missingFile))('https://huggingface.co/x/resolve/main/a')).toBe(
      missingFile,
    );
    expect(await classifyHubRefusals(answering(serverError))('https://huggingface.co/x')).toBe(serverError);
  });
});

describe('hubError', () => {
  const what = 'The model org/model';

  it('keeps a registry error as it is', () => {
    const tooLarge = new PayloadTooLargeError('too big');
    expect(hubError(tooLarge, what)).toBe(tooLarge);
  });

  it('answers 404 for a repo that does not exist (or is private)', () => {
    expect(hubError(new HubRefusal('RepoNotFound', 401, 'Repository not found'), what)).toEqual(
      new NotFoundError('The model org/model does not exist on Hugging Face (or is private).'),
    );
  });

  it('answers 424 for a gated repo, saying what to do', () => {
    const error = hubError(new HubRefusal('GatedRepo', 403, 'restricted'), what);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.statusCode).toBe(424);
    expect(error.message).toBe(
      'The model org/model is gated on Hugging Face: accept its conditions there and configure an HF_TOKEN with access.',
    );
  });

  it("words the hub client's own errors by their status, keeping the first line", async () => {
    const { HubApiError } = await hubClient();
    const url = 'https://huggingface.co/api/models/org/model';
    expect(hubError(new HubApiError(url, 404, undefined, 'gone'), what)).toEqual(
      new NotFoundError('The model org/model was not found on Hugging Face.'),
    );
    const error = hubError(new HubApiError(url, 503, 'req-1', 'Service Unavailable\nretry later'), what);
    expect(error).toEqual(
      new UpstreamError('Hugging Face answered 503 for The model org/model: Service Unavailable'),
    );
    expect(error.statusCode).toBe(502);
  });

  it('words anything else as an unexpected answer, shortened to one line of 300 characters', () => {
    const long = `${'x'.repeat(400)}\nsecond line`;
    expect(hubError(new TypeError(long), what).message).toBe(
      `Hugging Face answered unexpectedly for The model org/model: ${'x'.repeat(300)}`,
    );
    expect(hubError('socket closed', what)).toEqual(
      new UpstreamError('Hugging Face answered unexpectedly for The model org/model: socket closed'),
    );
  });
});
