import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCerts, makeSigningKey } from './certs.js';
import { freePort, stopChild, waitForH2 } from './process.js';
import type { RunningTarget, SkippedTarget } from './types.js';

const INSTALL_SCRIPT = fileURLToPath(new URL('../../scripts/install-nginx.sh', import.meta.url));

/**
 * nginx (Debian package) with HTTP/2 over TLS and one worker, answering every request
 * with 200 and an `apns-id`: a server we did not write. Installs nginx when missing;
 * returns a SkippedTarget when it cannot.
 */
export async function startNginx(dir: string): Promise<RunningTarget | SkippedTarget> {
  let binary = findNginx();
  if (binary === undefined) {
    console.log('nginx not found; running scripts/install-nginx.sh …');
    const install = spawnSync('sh', [INSTALL_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'] });
    binary = findNginx();
    if (binary === undefined) {
      return { skipped: `nginx is not installed and install-nginx.sh failed (exit ${install.status ?? install.signal}); skipping the nginx target` };
    }
  }
  const version = spawnSync(binary, ['-v'], { encoding: 'utf8' }).stderr.trim();

  mkdirSync(dir, { recursive: true });
  const certs = makeCerts(dir);
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, config(dir, port, certs.certFile, certs.keyFile));

  const child = spawn(binary, ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const origin = `https://localhost:${port}`;
  try {
    await waitForH2(origin, certs.ca, child);
  } catch (error) {
    await stopChild(child, 'SIGQUIT');
    return { skipped: `nginx did not start (${(error as Error).message}): ${stderr.trim()}` };
  }
  return {
    info: {
      name: 'nginx',
      origin,
      host: 'localhost',
      port,
      ca: certs.ca,
      caFile: certs.caFile,
      signingKey: makeSigningKey(),
    },
    description: `${version}, 1 worker, HTTP/2 over TLS, return 200`,
    death: () =>
      child.exitCode === null && child.signalCode === null
        ? undefined
        : `exited (${child.signalCode ?? child.exitCode}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
    // SIGQUIT: graceful shutdown of the master this bench started (and its worker).
    stop: () => stopChild(child, 'SIGQUIT'),
  };
}

function findNginx(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'])) {
    const candidate = join(dir, 'nginx');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * One worker; HTTP/2 settings shaped like APNs' (1000 concurrent streams), and no limit
 * on requests per connection (nginx ≥ 1.19.7 sends GOAWAY after `keepalive_requests`,
 * 1000 by default, which would measure reconnects rather than clients).
 * Debian's 1.22 needs `listen … ssl http2` (the `http2 on` directive came in 1.25.1).
 */
function config(dir: string, port: number, cert: string, key: string): string {
  return `
worker_processes 1;
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  # apns-id as APNs formats it: a UUID (8-4-4-4-12) made from nginx's random request id.
  map $request_id $apns_id {
    "~^(?<a>.{8})(?<b>.{4})(?<c>.{4})(?<d>.{4})(?<e>.{12})$" "$a-$b-$c-$d-$e";
  }
  server {
    listen 127.0.0.1:${port} ssl http2;
    server_name localhost;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_protocols TLSv1.2 TLSv1.3;
    http2_max_concurrent_streams 1000;
    keepalive_requests 1000000000;
    keepalive_timeout 600s;
    location / {
      add_header apns-id $apns_id always;
      return 200;
    }
  }
}
`;
}
