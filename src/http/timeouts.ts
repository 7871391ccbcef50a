import type { ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface HttpTimeouts {
  headersTimeoutMs: number;
  bodyIdleTimeoutMs: number;
  requestTimeoutMs: number;
}

/** How often Node checks the header and whole-request deadlines (its default is 30 s). */
const DEADLINE_CHECK_MS = 1000;

/**
 * Fastify server options for Node's own deadlines: complete headers within headersTimeoutMs and
 * the whole request within requestTimeoutMs, else 408 and the connection closes. There is no
 * socket inactivity timeout: it would also cut a request the server is still working on.
 */
export function serverTimeoutOptions(timeouts: HttpTimeouts) {
  return {
    connectionTimeout: 0,
    requestTimeout: timeouts.requestTimeoutMs,
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: DEADLINE_CHECK_MS,
    },
  };
}

/**
 * A request whose body stops arriving for `idleMs` gets 408 and its connection closed, however
 * long it has been running: a slow but steady upload is never cut, a stalled one (or a client
 * holding a connection open with a few bytes) is. Only the receiving of the body is watched, by
 * the bytes the socket has read; once the body is complete the server's own work takes as long
 * as it takes. Injected requests (tests, Lambda) have no socket and are not watched.
 */
export function registerBodyIdleTimeout(app: FastifyInstance, idleMs: number): void {
  if (idleMs === 0) return;
  app.addHook('onRequest', async (request, reply) => {
    const { socket } = request.raw;
    if (!(socket instanceof Socket) || request.raw.complete) return;
    let bytesSeen = socket.bytesRead;
    const watch = setInterval(() => {
      if (request.raw.complete) return clearInterval(watch);
      if (socket.bytesRead !== bytesSeen) {
        bytesSeen = socket.bytesRead;
        return;
      }
      clearInterval(watch);
      refuse(reply.raw, socket, `No request body data arrived for ${idleMs} ms (HTTP_BODY_IDLE_TIMEOUT_MS).`);
    }, idleMs);
    watch.unref();
    reply.raw.once('close', () => clearInterval(watch));
  });
}

function refuse(response: ServerResponse, socket: Socket, message: string): void {
  if (response.headersSent) {
    socket.destroy();
    return;
  }
  response.writeHead(408, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  response.end(JSON.stringify({ error: 'REQUEST_TIMEOUT', message }), () => socket.destroy());
}
