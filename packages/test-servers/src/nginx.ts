import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Certs } from './certs.js';
import { ensureInstalled } from './install.js';
import { launch, type Output } from './launch.js';
import { integer } from './options.js';
import type { TestServer } from './types.js';

/** How to configure nginx. Every option maps to one nginx 1.22 directive. */
export interface NginxOptions {
  /** `http2_max_concurrent_streams`: the SETTINGS_MAX_CONCURRENT_STREAMS nginx sends. @default 1000 (APNs' usual value) */
  maxConcurrentStreams?: number;
  /**
   * `keepalive_requests`: since 1.19.7 it also bounds HTTP/2 connections;
   * after this many requests nginx sends GOAWAY (NO_ERROR, last-stream-id =
   * the last request it took) and ignores streams above it.
   * @default 1_000_000_000 (never, in practice; nginx's own default is 1000)
   */
  requestsPerConnection?: number;
  /**
   * `http2_body_preread_size`: nginx advertises it as
   * SETTINGS_INITIAL_WINDOW_SIZE, so it is the stream flow-control window
   * clients see (the connection window stays nginx's large default).
   * @default nginx's own (65536)
   */
  bodyPrereadSize?: number;
  /** Status for `/3/device/...` (`return`). @default 200 */
  status?: number;
  /**
   * Body for that status, e.g. `{"reason":"Unregistered","timestamp":1700000000000}`
   * (sent as `application/json`). @default none
   */
  body?: string;
  /**
   * One access-log line per request (what {@link TestServer.log} returns).
   * The bench turns it off: it costs nginx CPU. @default true
   */
  accessLog?: boolean;
}

/**
 * Starts nginx (Debian `nginx-light`, `nginx` as the fallback; installed when
 * missing) with one worker, HTTP/2 over TLS on a free 127.0.0.1 port, its own
 * config, pid file and logs in a temp dir, answering `/3/device/...` with
 * `status` (200 by default) and an `apns-id` (a UUID) on every response.
 * Other paths get 404 `{"reason":"BadPath"}`.
 *
 * nginx answers before reading a request body (`return`); when the body is
 * still arriving it then resets the stream with RST_STREAM(NO_ERROR), which
 * HTTP/2 (RFC 9113 §8.1) makes a complete response.
 * @throws when nginx cannot be installed or does not start (its stderr and error log in the message).
 */
export async function startNginx(options: NginxOptions = {}): Promise<TestServer> {
  const config = render(options);
  const binary = await ensureInstalled('nginx', ['nginx-light', 'nginx']);
  return launch({
    name: 'nginx',
    binary,
    version: nginxVersion(binary),
    // -p: relative paths under the work dir; -e: the error log before the
    // config is read (else it tries /var/log/nginx/error.log).
    setup: (dir, certs, port) => {
      const conf = join(dir, 'nginx.conf');
      writeFileSync(conf, config(dir, certs, port));
      // A fresh error log per attempt: an earlier attempt's bind error must not be read as this one's.
      writeFileSync(join(dir, 'error.log'), '');
      return ['-p', `${dir}/`, '-e', join(dir, 'error.log'), '-c', conf];
    },
    log: (dir) => read(join(dir, 'access.log')),
    diagnose: (dir, output: Output) => `${output.stderr.trim()}\n${read(join(dir, 'error.log')).trim()}`,
    // SIGQUIT: graceful shutdown of this master and its worker.
    stopSignal: 'SIGQUIT',
  });
}

/** `nginx version: nginx/1.22.1` (on stderr) → `1.22.1`. */
function nginxVersion(binary: string): string {
  const out = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  const text = `${out.stderr}${out.stdout}`.trim();
  return /nginx\/(\S+)/.exec(text)?.[1] ?? text;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * A single-quoted nginx string. `return`'s text is a template, so `$` is
 * written as `${dollar}`, a variable holding "$" (nginx has no escape for it).
 */
function quote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`).replace(/\$/g, '${dollar}')}'`;
}

/** The config for the options, for a work dir, certificates and port. */
function render(options: NginxOptions): (dir: string, certs: Certs, port: number) => string {
  const streams = integer('maxConcurrentStreams', options.maxConcurrentStreams ?? 1000, 1, 2 ** 31 - 1);
  const requests = integer('requestsPerConnection', options.requestsPerConnection ?? 1_000_000_000, 1);
  const preread = options.bodyPrereadSize === undefined
    ? ''
    : `http2_body_preread_size ${integer('bodyPrereadSize', options.bodyPrereadSize, 0, 2 ** 31 - 1)};`;
  const status = integer('status', options.status ?? 200, 100, 599);
  const answer = options.body === undefined ? `return ${status};` : `return ${status} ${quote(options.body)};`;
  const accessLog = options.accessLog ?? true;
  return (dir, certs, port) => {
    // nginx creates these at start and fails when it cannot; keep them in the work dir.
    for (const temp of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, temp), { recursive: true });
    return `
# Made by @pushwire/test-servers; removed when the server stops.
worker_processes 1;
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  ${accessLog
    ? `log_format pushwire '$remote_addr [$time_local] "$request" $status $body_bytes_sent conn=$connection req=$connection_requests apns-id=$apns_id';
  access_log ${join(dir, 'access.log')} pushwire;`
    : 'access_log off;'}
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  # apns-id as APNs formats it: a UUID (8-4-4-4-12) made from nginx's random request id.
  map $request_id $apns_id {
    "~^(?<a>.{8})(?<b>.{4})(?<c>.{4})(?<d>.{4})(?<e>.{12})$" "$a-$b-$c-$d-$e";
  }
  geo $dollar { default "$"; }
  server {
    # Debian's 1.22 needs \`listen … ssl http2\` (\`http2 on\` came in 1.25.1).
    listen 127.0.0.1:${port} ssl http2;
    server_name localhost;
    ssl_certificate ${certs.certFile};
    ssl_certificate_key ${certs.keyFile};
    ssl_protocols TLSv1.2 TLSv1.3;
    http2_max_concurrent_streams ${streams};
    ${preread}
    keepalive_requests ${requests};
    keepalive_timeout 600s;
    default_type application/json;
    add_header apns-id $apns_id always;
    location /3/device/ {
      ${answer}
    }
    location / {
      return 404 '{"reason":"BadPath"}';
    }
  }
}
`;
  };
}
