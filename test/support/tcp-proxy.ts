import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder on 127.0.0.1 in front of a real server, so a test can take "the server" away
 * from one app without touching the server other tests share.
 */
export interface TcpProxy {
  port: number;
  /** Drop every open connection and refuse new ones (a stopped server). */
  refuse(): Promise<void>;
  /** Drop every open connection and accept new ones without ever answering (a hung network path). */
  blackhole(): void;
  /** Forward again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let forwarding = true;
  let server: Server | null = null;
  let port = 0;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const onConnection = (client: Socket) => {
    track(client);
    if (!forwarding) return;
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  };

  const listen = async () => {
    const next = createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as { port: number }).port;
    server = next;
  };

  const stopListening = async () => {
    const current = server;
    server = null;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };

  await listen();
  return {
    port,
    async refuse() {
      const closing = stopListening();
      dropAll();
      await closing;
    },
    blackhole() {
      forwarding = false;
      dropAll();
    },
    async restore() {
      forwarding = true;
      if (!server) await listen();
    },
    async close() {
      const closing = stopListening();
      dropAll();
      await closing;
    },
  };
}
