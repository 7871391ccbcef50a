import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { modelZip } from '../support/zips.js';

/** Everything the server sends until it closes the connection, and how long that took. */
async function untilClosed(socket: Socket): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  return { text: Buffer.concat(chunks).toString(), ms: Date.now() - started };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HTTP timeouts on a listening server', () => {
  let t: TestApp;
  let token: string;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp({
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_BODY_IDLE_TIMEOUT_MS: '500',
      HTTP_REQUEST_TIMEOUT_MS: '4000',
    });
    token = await t.token();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(() => t.close());

  const open = async () => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return socket;
  };
  const uploadHead = (length: number) =>
    'POST /artifact/model/upload?name=slow HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n' +
    `X-Authorization: ${token}\r\nContent-Type: application/zip\r\nContent-Length: ${length}\r\n\r\n`;

  it('answers 408 and closes when an upload body goes idle', async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write(uploadHead(10_000) + 'x'.repeat(100));
    const { text, ms } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toContain('"error":"REQUEST_TIMEOUT"');
    expect(text).toContain('HTTP_BODY_IDLE_TIMEOUT_MS');
    expect(ms).toBeGreaterThanOrEqual(500);
  });

  it('closes a connection whose headers never finish', async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write('GET /health HTTP/1.1\r\nHost: local');
    const { text, ms } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(1000);
  });

  it('lets a slow but steady upload through, longer than the idle timeout', async () => {
    const zip = await modelZip('slow');
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write(uploadHead(zip.length));
    const pieces = 12;
    const size = Math.ceil(zip.length / pieces);
    for (let at = 0; at < zip.length; at += size) {
      await pause(200);
      socket.write(zip.subarray(at, at + size));
    }
    // 12 pieces 200 ms apart: 2.4 s in all, every pause under the 500 ms idle limit.
    const { text } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 201 /);
  });

  it('answers 408 when a steady request goes past the total request timeout', async () => {
    const socket = await open();
    const closed = untilClosed(socket);
    socket.write(uploadHead(1_000_000));
    const drip = setInterval(() => socket.writable && socket.write('x'.repeat(10)), 200);
    const { text, ms } = await closed;
    clearInterval(drip);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(4000);
  });
});
