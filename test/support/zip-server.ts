import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ZipServer {
  url: string;
  close(): Promise<void>;
}

/** A plain HTTP server on loopback serving fixed zips by path: a direct source URL for ingest. */
export async function startZipServer(files: Record<string, Buffer>): Promise<ZipServer> {
  const server: Server = createServer((request, response) => {
    const body = files[request.url ?? ''];
    if (!body) {
      response.writeHead(404).end('missing');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
