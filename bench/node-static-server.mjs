#!/usr/bin/env node
/**
 * The smallest Node server that streams a file: the ceiling any Node HTTP server reaches on this
 * machine, measured beside nginx so the registry's gap can be split into "Node" and "ours".
 * Usage: node bench/node-static-server.mjs <root> <port>
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

const [root, port] = process.argv.slice(2);
createServer((request, response) => {
  const path = join(root, normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)));
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info?.isFile()) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/zip', 'content-length': info.size });
  createReadStream(path, { highWaterMark: 1024 * 1024 }).pipe(response);
}).listen(Number(port), '127.0.0.1');
