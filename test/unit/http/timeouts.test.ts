import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerBodyIdleTimeout, serverTimeoutOptions } from '../../../src/http/timeouts.js';

type Hook = (request: unknown, reply: unknown) => Promise<void>;
const IDLE_MS = 20;
const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

/** The onRequest hook the watch installs (or none), taken from a stand-in for the app. */
function idleHook(idleMs: number): Hook | undefined {
  let hook: Hook | undefined;
  const app = { addHook: (_name: string, fn: Hook) => (hook = fn) };
  registerBodyIdleTimeout(app as unknown as FastifyInstance, idleMs);
  return hook;
}

/** A request on an (unconnected) TCP socket whose body has not finished arriving. */
function pendingRequest(bytesRead: () => number = () => 0) {
  const socket = new Socket();
  sockets.push(socket);
  Object.defineProperty(socket, 'bytesRead', { get: bytesRead });
  const response = new ServerResponse(new IncomingMessage(socket));
  const raw = { socket, complete: false };
  return { socket, response, raw, request: { raw }, reply: { raw: response } };
}

describe('serverTimeoutOptions', () => {
  it('hands Node its header and whole-request deadlines, checked every second, without an idle-socket cut', () => {
    expect(
      serverTimeoutOptions({ headersTimeoutMs: 10_000, bodyIdleTimeoutMs: 5_000, requestTimeoutMs: 60_000 }),
    ).toEqual({
      connectionTimeout: 0,
      requestTimeout: 60_000,
      http: { headersTimeout: 10_000, requestTimeout: 60_000, connectionsCheckingInterval: 1000 },
    });
  });
});

describe('the request body idle timeout', () => {
  it('is off at 0', () => {
    expect(idleHook(0)).toBeUndefined();
  });

  it('answers 408 and closes the connection when the body stops arriving', async () => {
    const hook = idleHook(IDLE_MS);
    const stalled = pendingRequest();
    await hook?.(stalled.request, stalled.reply);
    await sleep(IDLE_MS * 4);
    expect(stalled.response.statusCode).toBe(408);
    expect(stalled.response.headersSent).toBe(true);
  });

  it('cuts the socket when the answer has already begun', async () => {
    const hook = idleHook(IDLE_MS);
    const stalled = pendingRequest();
    stalled.response.writeHead(200);
    await hook?.(stalled.request, stalled.reply);
    await sleep(IDLE_MS * 4);
    expect(stalled.socket.destroyed).toBe(true);
    expect(stalled.response.statusCode).toBe(200);
  });

  it('never cuts a slow but steady body, nor a body that completes, nor requests without a socket', async () => {
    const hook = idleHook(IDLE_MS);
    let bytes = 0;
    const steady = pendingRequest(() => (bytes += 10));
    const completing = pendingRequest();
    const complete = pendingRequest();
    complete.raw.complete = true;
    for (const request of [steady, completing, complete]) await hook?.(request.request, request.reply);
    completing.raw.complete = true;
    const injected = { raw: { socket: {}, complete: false } };
    const injectedReply = { raw: new ServerResponse(new IncomingMessage(new Socket())) };
    await hook?.(injected, injectedReply);
    await sleep(IDLE_MS * 4);
    for (const request of [steady, completing, complete]) {
      expect(request.response.headersSent).toBe(false);
      expect(request.socket.destroyed).toBe(false);
    }
    expect(injectedReply.raw.headersSent).toBe(false);
    steady.response.emit('close');
  });
});
