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

function config({ root, port, prefix }) {
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
  default_type application/zip;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`;
}

/**
 * Runs nginx in the foreground serving the files of `root` on a free loopback port; it is
 * stopped at cleanup. Returns its base URL.
 */
export async function startNginx(root) {
  await ensureNginx();
  const prefix = await tempDir('nginx');
  const port = await freePort();
  await mkdir(join(prefix, 'client_body'));
  // Workers drop root privileges: they need to traverse into the (0700) temp dir being served.
  await chmod(root, 0o755);
  const conf = join(prefix, 'nginx.conf');
  await writeFile(conf, config({ root, port, prefix }));
  const nginx = startChild('nginx', NGINX, ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')]);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil('nginx to answer', async () => (await httpStatus(`${baseUrl}/`)) > 0, {
    child: nginx,
    timeoutMs: 15_000,
  });
  return { baseUrl, stop: nginx.stop };
}

/** URI prefix of nginx's internal location for blobs (the registry's ACCEL_REDIRECT_PREFIX). */
export const ACCEL_PREFIX = '/_blobs/';

function frontConfig({ upstreamPort, blobsDir, port, prefix }) {
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
  upstream registry { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location ${ACCEL_PREFIX} { internal; alias ${blobsDir}/; }
    location / {
      proxy_pass http://registry;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }
}
`;
}

/**
 * nginx in front of the registry: requests go to the registry, which authorises and audits a
 * download and answers X-Accel-Redirect; nginx then sends the blob file itself. Returns its base URL.
 */
export async function startNginxFront({ upstreamPort, dataDir }) {
  await ensureNginx();
  const prefix = await tempDir('nginx-front');
  const port = await freePort();
  await mkdir(join(prefix, 'client_body'));
  // Workers drop root privileges: they need to traverse into the (0700) data dir.
  await chmod(dataDir, 0o755);
  const conf = join(prefix, 'nginx.conf');
  await writeFile(conf, frontConfig({ upstreamPort, blobsDir: join(dataDir, 'blobs'), port, prefix }));
  const nginx = startChild('nginx-front', NGINX, ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')]);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil('nginx front to answer', async () => (await httpStatus(`${baseUrl}/health`)) === 200, {
    child: nginx,
    timeoutMs: 15_000,
  });
  return { baseUrl, stop: nginx.stop };
}
