import { parentPort } from 'node:worker_threads';
import { BadRequestError } from '../domain/errors.js';
import { compileSearchPattern, type SearchPattern } from './regex.js';
import type { ScanReply, ScanRequest } from './regex-scanner.js';

/**
 * Runs in a worker thread: compiles one pattern at a time and tests batches of texts against it.
 * Compiling and matching are CPU-bound and cannot be interrupted from inside, so they run here,
 * where the registry can terminate the thread at the search's deadline without blocking its
 * event loop. A compile error for bad syntax or an oversized program is an answer, not a crash.
 */
const port = parentPort;
if (!port) throw new Error('regex-worker must run in a worker thread');

let pattern: SearchPattern | null = null;

port.on('message', (request: ScanRequest) => {
  port.postMessage(answer(request));
});

function answer(request: ScanRequest): ScanReply {
  if (request.kind === 'compile') {
    try {
      pattern = compileSearchPattern(request.pattern, request.limits);
      return { kind: 'compiled' };
    } catch (error) {
      if (error instanceof BadRequestError) return { kind: 'invalid', message: error.message };
      throw error;
    }
  }
  const compiled = pattern;
  if (!compiled) throw new Error('scan before compile');
  const matched: number[] = [];
  request.candidates.forEach((texts, index) => {
    if (texts.some((text) => compiled.test(text))) matched.push(index);
  });
  return { kind: 'matched', indices: matched };
}
