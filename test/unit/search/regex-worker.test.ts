import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ScanReply, ScanRequest } from '../../../src/search/regex-scanner.js';

/** The worker's side of the message channel: what the scanner posts in, what the worker posts back. */
class Port extends EventEmitter {
  readonly replies: ScanReply[] = [];
  postMessage(reply: ScanReply): void {
    this.replies.push(reply);
  }
  /** Posts `request` as the scanner does and answers the worker's reply. */
  ask(request: ScanRequest): ScanReply | undefined {
    this.emit('message', request);
    return this.replies.at(-1);
  }
}

const LIMITS = { maxLength: 100, maxProgramSize: 1000 };

/** Loads regex-worker.ts afresh, as a new thread would, with `port` as its parentPort. */
async function startWorker(port: Port | null): Promise<void> {
  vi.resetModules();
  vi.doMock('node:worker_threads', () => ({ parentPort: port }));
  await import('../../../src/search/regex-worker.js');
}

afterEach(() => {
  vi.doUnmock('node:worker_threads');
});

describe('regex worker', () => {
  it('compiles a pattern, then answers which candidates have a matching text', async () => {
    const port = new Port();
    await startWorker(port);
    expect(port.ask({ kind: 'compile', pattern: '^gpt-?2', limits: LIMITS })).toEqual({ kind: 'compiled' });
    const candidates = [['bert', 'A BERT model'], ['gpt2'], ['t5', 'gpt-2 style'], []];
    expect(port.ask({ kind: 'scan', candidates })).toEqual({ kind: 'matched', indices: [1, 2] });
  });

  it('answers a pattern the registry refuses as invalid, with the reason', async () => {
    const port = new Port();
    await startWorker(port);
    expect(port.ask({ kind: 'compile', pattern: '(?=lookahead)', limits: LIMITS })).toEqual({
      kind: 'invalid',
      message: expect.stringContaining('lookahead'),
    });
    expect(port.ask({ kind: 'compile', pattern: 'x'.repeat(101), limits: LIMITS })).toEqual({
      kind: 'invalid',
      message: 'The regular expression is 101 characters long; the limit is 100.',
    });
  });

  it('keeps the last compiled pattern for the scans that follow', async () => {
    const port = new Port();
    await startWorker(port);
    port.ask({ kind: 'compile', pattern: 'one', limits: LIMITS });
    port.ask({ kind: 'compile', pattern: 'two', limits: LIMITS });
    expect(port.ask({ kind: 'scan', candidates: [['one'], ['two']] })).toEqual({
      kind: 'matched',
      indices: [1],
    });
  });

  it('crashes, rather than answers, on a scan before any compile or a compile that fails unexpectedly', async () => {
    const port = new Port();
    await startWorker(port);
    expect(() => port.ask({ kind: 'scan', candidates: [['x']] })).toThrow('scan before compile');
    const broken = { kind: 'compile', pattern: 'x', limits: null } as unknown as ScanRequest;
    expect(() => port.ask(broken)).toThrow(TypeError);
    expect(port.replies).toEqual([]);
  });

  it('refuses to run outside a worker thread', async () => {
    await expect(startWorker(null)).rejects.toThrow('regex-worker must run in a worker thread');
  });
});
