import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { SourcesConfig } from '../../../src/config.js';
import { createHuggingFaceSource } from '../../../src/sources/huggingface.js';

/** What only a real socket shows: a host that never answers, and a port nobody listens on. */
const config: SourcesConfig = {
  hfEndpoint: 'http://127.0.0.1:1',
  hfToken: null,
  githubApiUrl: 'http://127.0.0.1:1',
  githubToken: null,
};

describe('Hugging Face source over the network', () => {
  it('answers 502 when the hub cannot be reached or does not answer in time', async () => {
    const silent = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const slow = createHuggingFaceSource(
        { ...config, hfEndpoint: `http://127.0.0.1:${port}` },
        { policy: { retries: 1, retryDelayMs: 1, timeoutMs: 100 } },
      );
      await expect(slow.fetchModel('a/b')).rejects.toMatchObject({
        statusCode: 502,
        message: expect.stringMatching(/could not be reached: no response within 100 ms/),
      });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
    const closed = createHuggingFaceSource(config, { policy: { retries: 0 } });
    await expect(closed.fetchModel('a/b')).rejects.toMatchObject({ statusCode: 502 });
  });
});
