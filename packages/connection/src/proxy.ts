/**
 * HTTP CONNECT proxies (RFC 9110 §9.3.6): a TCP socket to the proxy, a
 * `CONNECT host:port HTTP/1.1`, and on a 2xx the socket is a tunnel that
 * TLS to APNs runs through end to end (the proxy sees only ciphertext; the
 * server's certificate is verified exactly as without a proxy).
 *
 * The proxy's credentials never leave this module except in the
 * `Proxy-Authorization` header: every message shows the proxy as
 * `http://***@host:port`, and a {@link ProxySetting} keeps them in private
 * fields (not shown by `util.inspect`, `JSON.stringify` or `String`).
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { InvalidArgumentError, logSafe } from '@pushwire/models';
import { ConnectError } from './errors.js';

/** The most bytes of a proxy's answer to CONNECT (status line and headers) read before giving up. */
export const MAX_PROXY_ANSWER = 16 * 1024;

/** What {@link ConnectionOptions.proxy} takes: a proxy URL, or `'env'` for `HTTPS_PROXY`/`NO_PROXY`. */
export type ProxyOption = string;

const EXAMPLE = 'an http:// URL such as `http://user:password@proxy.example:3128`, or `\'env\'`';

/** One proxy, checked; its credentials hidden. @internal */
export class ProxySetting {
  /** `http://***@host:port` with credentials, `http://host:port` without. Safe to log. */
  readonly redacted: string;
  /** The proxy's host name or IP (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  readonly #authorization: string | undefined;

  private constructor(host: string, port: number, authorization: string | undefined) {
    this.host = host;
    this.port = port;
    this.#authorization = authorization;
    const shown = isIP(host) === 6 ? `[${host}]` : host;
    this.redacted = `http://${authorization === undefined ? '' : '***@'}${shown}:${port}`;
  }

  /** Whether the URL carried credentials. */
  get hasCredentials(): boolean {
    return this.#authorization !== undefined;
  }

  /** The `Proxy-Authorization` value, if the URL carried credentials. */
  authorization(): string | undefined {
    return this.#authorization;
  }

  toString(): string {
    return this.redacted;
  }

  toJSON(): string {
    return this.redacted;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `ProxySetting(${this.redacted})`;
  }

  /**
   * Parses a proxy URL. Messages never echo the value (it may hold a password).
   * @param field - The option (or environment variable) named in errors.
   * @throws {@link InvalidArgumentError}
   */
  static parse(value: string, field: string): ProxySetting {
    // A bare `host:port` (common in HTTPS_PROXY) means http://.
    const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      // Not the URL error as cause: it holds the input.
      throw new InvalidArgumentError(field, `expected ${EXAMPLE}; the value is not a URL (not shown: it may hold a password)`);
    }
    if (url.protocol !== 'http:') {
      throw new InvalidArgumentError(field, `expected ${EXAMPLE}, got a ${logSafe(url.protocol, 12)} URL (only http:// proxies are supported; TLS to APNs runs through the tunnel)`);
    }
    if (url.hostname === '') throw new InvalidArgumentError(field, `expected ${EXAMPLE}; the URL has no host`);
    if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
      throw new InvalidArgumentError(field, `expected ${EXAMPLE}; a proxy URL has no path, query or fragment`);
    }
    let authorization: string | undefined;
    if (url.username !== '' || url.password !== '') {
      let user: string;
      let password: string;
      try {
        user = decodeURIComponent(url.username);
        password = decodeURIComponent(url.password);
      } catch {
        throw new InvalidArgumentError(field, `expected ${EXAMPLE}; the credentials are not valid percent-encoding`);
      }
      authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return new ProxySetting(host, url.port === '' ? 80 : Number(url.port), authorization);
  }
}

/** The checked `proxy` option: a proxy, `'env'` (looked up at each connect), or none. @internal */
export type ResolvedProxy = ProxySetting | 'env' | undefined;

/**
 * Checks the `proxy` option.
 * @throws {@link InvalidArgumentError} naming the option, never showing its value.
 * @internal
 */
export function resolveProxy(value: unknown, field: string): ResolvedProxy {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError(field, `expected ${EXAMPLE}, got ${typeof value === 'string' ? 'an empty string' : `a value of type ${value === null ? 'null' : typeof value}`}`);
  }
  if (value === 'env') return 'env';
  return ProxySetting.parse(value, field);
}

function env(lower: string, upper: string): { name: string; value: string } | undefined {
  for (const name of [lower, upper]) {
    const value = process.env[name];
    if (value !== undefined && value.trim() !== '') return { name, value: value.trim() };
  }
  return undefined;
}

/**
 * Whether `NO_PROXY` (a comma- or space-separated list) says to go direct to
 * `host:port`: `*` matches every host; `example.com`, `.example.com` and
 * `*.example.com` match the domain and its subdomains; an entry with a port
 * (`example.com:8443`, `[::1]:443`) matches that port only; IPs match exactly.
 * @internal
 */
export function noProxyMatches(noProxy: string, host: string, port: number): boolean {
  const target = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed !== null) {
      entry = bracketed[1] as string;
      if (bracketed[2] !== undefined) entryPort = Number(bracketed[2]);
    } else if (isIP(entry) !== 6) {
      const withPort = /^(.*):(\d+)$/.exec(entry);
      if (withPort !== null) {
        entry = withPort[1] as string;
        entryPort = Number(withPort[2]);
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    entry = entry.replace(/^\*?\./, '').replace(/\.$/, '');
    if (entry === '') continue;
    if (target === entry || (isIP(target) === 0 && target.endsWith(`.${entry}`))) return true;
  }
  return false;
}

/**
 * The proxy for a connection to `host:port`: the configured one, or with
 * `'env'` the one `https_proxy`/`HTTPS_PROXY` names unless `no_proxy`/`NO_PROXY`
 * matches (see {@link noProxyMatches}); `undefined` to go direct.
 * @throws {@link InvalidArgumentError} when the environment's proxy URL is bad.
 * @internal
 */
export function proxyFor(proxy: ResolvedProxy, host: string, port: number): ProxySetting | undefined {
  if (proxy !== 'env') return proxy;
  const https = env('https_proxy', 'HTTPS_PROXY');
  if (https === undefined) return undefined;
  const noProxy = env('no_proxy', 'NO_PROXY');
  if (noProxy !== undefined && noProxyMatches(noProxy.value, host, port)) return undefined;
  return ProxySetting.parse(https.value, `${https.name} (environment)`);
}

/** A tunnel being opened: `socket` is the raw TCP socket (destroy it to give up). @internal */
export interface Tunnel {
  readonly socket: Socket;
  /** Resolves once the proxy answered 2xx; rejects with a {@link ConnectError}. */
  readonly ready: Promise<Socket>;
  /** Where it stands, for a timeout's message. */
  stage(): 'connecting to the proxy' | 'waiting for the proxy to answer CONNECT' | 'open';
}

/** The reason phrase as a message may show it: printable, short. */
function phrase(text: string): string {
  return logSafe(text.trim(), 60);
}

/**
 * Opens a CONNECT tunnel to `host:port` through `proxy`. It does not time
 * out by itself: the caller's connect timeout destroys {@link Tunnel.socket}.
 * @internal
 */
export function openTunnel(proxy: ProxySetting, host: string, port: number): Tunnel {
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const socket = netConnect({ host: proxy.host, port: proxy.port });
  socket.setNoDelay(true);
  let stage: ReturnType<Tunnel['stage']> = 'connecting to the proxy';
  const ready = new Promise<Socket>((resolve, reject) => {
    let received = Buffer.alloc(0);
    let done = false;
    const settle = (error: ConnectError | undefined): void => {
      if (done) return;
      done = true;
      socket.removeListener('readable', onReadable);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      if (error === undefined) {
        resolve(socket);
      } else {
        socket.destroy();
        reject(error);
      }
    };
    const onError = (error: Error): void => {
      const what = stage === 'connecting to the proxy' ? `Could not connect to the proxy ${proxy.redacted}` : `The proxy ${proxy.redacted} failed while ${stage}`;
      settle(new ConnectError(`${what}: ${error.message}`, { cause: error, retryable: true }));
    };
    const onClose = (): void =>
      settle(new ConnectError(`The proxy ${proxy.redacted} closed the connection before answering CONNECT ${authority}`, { retryable: true }));
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while (!done && (chunk = socket.read() as Buffer | null) !== null) {
        received = Buffer.concat([received, chunk]);
        const end = received.indexOf('\r\n\r\n');
        if (end === -1) {
          if (received.length > MAX_PROXY_ANSWER) {
            settle(new ConnectError(`The proxy ${proxy.redacted} sent more than ${MAX_PROXY_ANSWER} bytes without ending its answer to CONNECT ${authority}`, { retryable: true }));
          }
          continue;
        }
        if (end > MAX_PROXY_ANSWER) {
          settle(new ConnectError(`The proxy ${proxy.redacted} answered CONNECT ${authority} with more than ${MAX_PROXY_ANSWER} bytes of headers`, { retryable: true }));
          return;
        }
        const head = received.subarray(0, end).toString('latin1');
        const rest = received.subarray(end + 4);
        const status = /^HTTP\/1\.[01] (\d{3})(?: ([^\r\n]*))?/.exec(head);
        if (status === null) {
          settle(new ConnectError(`The proxy ${proxy.redacted} answered CONNECT ${authority} with something that is not HTTP/1.x`, { retryable: true }));
          return;
        }
        const code = Number(status[1]);
        const reason = phrase(status[2] ?? '');
        const shown = `${code}${reason === '' ? '' : ` ${reason}`}`;
        // 407 is the standard refusal; tinyproxy (1.11) answers wrong credentials with 401.
        // Before the tunnel, only the proxy can answer, so both are the proxy's.
        if (code === 407 || code === 401) {
          const why = proxy.hasCredentials
            ? 'the proxy refused the credentials: check the user and password in the proxy URL'
            : 'the proxy requires credentials: put them in the proxy URL (`http://user:password@host:port`)';
          settle(new ConnectError(`The proxy ${proxy.redacted} answered CONNECT ${authority} with ${shown}: ${why}`, { retryable: false }));
          return;
        }
        if (code < 200 || code > 299) {
          settle(new ConnectError(`The proxy ${proxy.redacted} answered CONNECT ${authority} with ${shown}`, { retryable: true }));
          return;
        }
        stage = 'open';
        // The server speaks only after our ClientHello, but keep anything that came early.
        if (rest.length > 0) socket.unshift(rest);
        settle(undefined);
      }
    };
    socket.once('connect', () => {
      stage = 'waiting for the proxy to answer CONNECT';
      const authorization = proxy.authorization();
      socket.write(
        `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n` +
          (authorization === undefined ? '' : `Proxy-Authorization: ${authorization}\r\n`) +
          '\r\n',
      );
    });
    socket.on('readable', onReadable);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
  return { socket, ready, stage: () => stage };
}
