import { access, chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, httpStatus, run, startChild, tempDir, waitUntil } from './proc.mjs';

const NGINX = '/usr/sbin/nginx';

/** Installs nginx from Debian when it is missing (needs root and apt). */
export async function ensureNginx() {
  if (
    await access(NGINX).then(
      () => true,
      () => false,
    )
  )
    return;
  console.log('nginx not found: installing nginx-light with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['install', '-y', 'nginx-light'], { env });
  } catch {
    await run('apt-get', ['update'], { env });
    await run('apt-get', ['install', '-y', 'nginx-light'], { env });
  }
}

/** A foreground nginx with its own prefix dir: the shared main and http settings around `body`. */
function config({ prefix, http }) {
  return `daemon off;
worker_processes 2;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
${http}
}
`;
}

/**
 * Runs nginx in the foreground on a free loopback port with the http block `httpFor(port)`,
 * serving files under `readable` (made traversable: workers drop root privileges, and temp dirs
 * are 0700); it is stopped at cleanup. Resolves once `probePath` answers as `ready` says.
 */
async function runNginx({ label, readable, httpFor, probePath, ready }) {
  await ensureNginx();
  const prefix = await tempDir(label);
  const port = await freePort();
  await mkdir(join(prefix, 'client_body'));
  await chmod(readable, 0o755);
  const conf = join(prefix, 'nginx.conf');
  await writeFile(conf, config({ prefix, http: httpFor(port) }));
  const nginx = startChild(label, NGINX, ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')]);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil(`${label} to answer`, async () => ready(await httpStatus(baseUrl + probePath)), {
    child: nginx,
    timeoutMs: 15_000,
  });
  return { baseUrl, stop: nginx.stop };
}

/** nginx serving the files of `root` (the reference). Returns its base URL. */
export function startNginx(root) {
  return runNginx({
    label: 'nginx',
    readable: root,
    httpFor: (port) => `  default_type application/zip;
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }`,
    probePath: '/',
    ready: (status) => status > 0,
  });
}

/** URI prefix of nginx's internal location for blobs (the registry's ACCEL_REDIRECT_PREFIX). */
export const ACCEL_PREFIX = '/_blobs/';

/**
 * nginx in front of the registry: requests go to the registry, which authorises and audits a
 * download and answers X-Accel-Redirect; nginx then sends the blob file itself. Returns its base URL.
 */
export function startNginxFront({ upstreamPort, dataDir }) {
  return runNginx({
    label: 'nginx-front',
    readable: dataDir,
    httpFor: (port) => `  upstream registry { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location ${ACCEL_PREFIX} { internal; alias ${join(dataDir, 'blobs')}/; }
    location / {
      proxy_pass http://registry;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }`,
    probePath: '/health',
    ready: (status) => status === 200,
  });
}
