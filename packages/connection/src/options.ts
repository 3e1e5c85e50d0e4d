/** Options of {@link Connection.connect}, checked up front. */
import { InvalidArgumentError, checkOptionNames, describeValue, warnIfSeconds } from '@pushwire/models';
import { resolveProxy, type ProxyOption, type ResolvedProxy } from './proxy.js';
import type { AuthHook, TlsOptions } from './types.js';

/** Which HTTP/2 implementation a connection runs on (see engine.ts). */
export type EngineName = 'wire' | 'node';

/** The engines, for option checks. @internal */
export const ENGINE_NAMES: readonly EngineName[] = ['wire', 'node'];

/** The largest client stream id HTTP/2 allows (RFC 9113 §5.1.1). */
export const MAX_STREAM_ID = 2 ** 31 - 1;

/**
 * The longest delay a Node.js timer takes, in milliseconds (2^31-1, about 24.8
 * days). A longer one fires after 1 ms instead, so no duration may pass it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Default {@link ConnectionOptions.maxResponseBody}: APNs bodies are small JSON (`{"reason":"..."}`). */
export const DEFAULT_MAX_RESPONSE_BODY = 8192;

/** The largest {@link ConnectionOptions.maxResponseBody} allowed: 16 MiB. */
export const MAX_RESPONSE_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * HTTP/2 PINGs that find a silently dead connection: one after `interval`
 * quiet milliseconds (no response received), sooner (`busyInterval`) while
 * requests wait for answers; no ACK within `timeout` destroys the
 * connection, and its in-flight requests reject with `Closed`
 * (`outcome: 'unknown'`). With `engine: 'node'`, a connection draining
 * after a GOAWAY sends no PING (node:http2 takes none then): its last
 * streams end by their answers or their deadlines.
 */
export interface PingOptions {
  /**
   * Send a PING after this many quiet milliseconds (no response received). `0` disables.
   * @default 60_000
   */
  interval?: number;
  /**
   * Milliseconds to wait for a PING's ACK before destroying the connection;
   * in-flight requests then reject with `Closed` (`outcome: 'unknown'`).
   * @default 5_000
   */
  timeout?: number;
  /**
   * While requests are in flight, send a PING once no response arrived for
   * this many milliseconds: a peer that silently stopped answering is found
   * in about `busyInterval` to twice that, plus `timeout`, instead of
   * `interval`. `0` disables (then only `interval` applies).
   * @default 1_000
   */
  busyInterval?: number;
}

/** Options of one connection. */
export interface ConnectionOptions {
  /** TLS material: client certificate (or PKCS#12) for certificate auth, and extra CAs. */
  tls?: TlsOptions;
  /** Adds auth headers to each request (e.g. {@link TokenAuth}) and hears about auth rejections. */
  auth?: AuthHook;
  /**
   * Our own cap on concurrent streams. The effective capacity is the lower of
   * this and the server's SETTINGS_MAX_CONCURRENT_STREAMS.
   * @default 1000
   */
  maxConcurrentStreams?: number;
  /**
   * Highest stream id to use. Client ids are odd, so this allows about half as
   * many requests; past it the connection drains. Lower it in tests.
   * @default 2 ** 31 - 1
   */
  maxStreamIds?: number;
  /**
   * Milliseconds allowed for TCP + TLS + the server's first SETTINGS.
   * @default 10_000
   */
  connectTimeout?: number;
  /** Health checks: HTTP/2 PINGs on a quiet connection; see {@link PingOptions}. */
  ping?: PingOptions;
  /**
   * The most response-body bytes kept for one request. APNs bodies are
   * small JSON (`{"reason":"..."}`, channel answers); a body that would pass
   * this is not read further: its stream is reset with `RST_STREAM(CANCEL)`
   * and the request settles with the status alone (`bodyDropped: true`, no
   * `body` or `reason`: a 200 is still sent, a 400 still rejected), so a
   * hostile or broken server cannot make the process buffer without bound.
   * An integer from 1 to 16 MiB. Raise it for a channel-management
   * connection listing many channels
   * (`{"channels":[...]}` grows with the number of channels).
   * @default 8192
   */
  maxResponseBody?: number;
  /**
   * The HTTP/2 implementation: `'wire'`, pushwire's own frames over
   * `node:tls` (about a tenth of the CPU per request), or `'node'`,
   * `node:http2`. Both give the same outcomes; see ENGINE.md. Without
   * this option, `PUSHWIRE_ENGINE` in the environment can choose (an
   * operator's switch that needs no code change).
   * @default 'wire'
   */
  engine?: EngineName;
  /**
   * An HTTP CONNECT proxy, `http://user:password@host:port` (credentials
   * optional, percent-encoded; port 80 when left out), or `'env'`: the proxy
   * `https_proxy`/`HTTPS_PROXY` names at each connect, unless
   * `no_proxy`/`NO_PROXY` matches the origin's host (host suffixes such as
   * `.example.com`, `*`, `host:port`). TLS to APNs runs end to end through
   * the tunnel; the server's certificate is verified as without a proxy.
   * The credentials never appear in errors or logs (the proxy is shown as
   * `http://***@host:port`). A proxy that refuses the credentials (407, or 401)
   * fails the connect with a `ConnectError` that is not retryable; an
   * unreachable proxy or another refusal, with a retryable one.
   * @default none (connect directly)
   */
  proxy?: ProxyOption;
}

/** @internal */
export interface ResolvedOptions {
  readonly auth: AuthHook | undefined;
  readonly maxConcurrentStreams: number;
  readonly maxStreamIds: number;
  readonly connectTimeout: number;
  readonly ping: Readonly<Required<PingOptions>>;
  readonly maxResponseBody: number;
  readonly engine: EngineName;
  readonly proxy: ResolvedProxy;
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(name, `expected an integer from ${min} to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

/** The engine when no option names one. */
export const DEFAULT_ENGINE: EngineName = 'wire';

function engineName(value: unknown, prefix: string): EngineName {
  const fromEnv = value === undefined ? process.env['PUSHWIRE_ENGINE'] : undefined;
  if (fromEnv !== undefined && fromEnv !== '') {
    if ((ENGINE_NAMES as readonly string[]).includes(fromEnv)) return fromEnv as EngineName;
    throw new InvalidArgumentError('PUSHWIRE_ENGINE', `(environment) expected ${ENGINE_NAMES.join(' or ')}, got '${fromEnv.slice(0, 20)}'`);
  }
  if (value === undefined) return DEFAULT_ENGINE;
  if (!(ENGINE_NAMES as readonly unknown[]).includes(value)) {
    throw new InvalidArgumentError(`${prefix}engine`, `expected ${ENGINE_NAMES.map((name) => `'${name}'`).join(' or ')}, got ${describeValue(value)}`);
  }
  return value as EngineName;
}

/** The names {@link ConnectionOptions} takes (the type makes this list complete). */
const KNOWN = Object.keys({
  tls: true, auth: true, maxConcurrentStreams: true, maxStreamIds: true, connectTimeout: true, ping: true, maxResponseBody: true, engine: true, proxy: true,
} satisfies Record<keyof ConnectionOptions, true>);
const PING_KNOWN = Object.keys({ interval: true, timeout: true, busyInterval: true } satisfies Record<keyof PingOptions, true>);
/** Names of the tiers above, refused here with where they belong. */
const HINTS: Readonly<Record<string, string>> = {
  timeout: 'a request\'s time is `Request.create(path, headers, body, { attemptTimeout })`; connecting is `connectTimeout`',
  attemptTimeout: 'it is a request option: `Request.create(path, headers, body, { attemptTimeout })`',
  connections: 'it is a pool option: `new Pool(origin, { connections })`',
};

function object(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(name, `expected an object, got ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Validates options and fills defaults. Unknown names are refused (with a
 * "did you mean"), as are bad values.
 * @param prefix - Put before each option name in errors, e.g. `connection.`
 *   when a pool checks the connection options it was given.
 * @throws {@link InvalidArgumentError} naming the option.
 * @internal
 */
export function resolveOptions(options: ConnectionOptions, prefix = ''): ResolvedOptions {
  const given = object(prefix === '' ? 'options' : prefix.slice(0, -1), options) as ConnectionOptions;
  checkOptionNames(given, { where: 'Connection.connect()', known: KNOWN, hints: HINTS, prefix });
  const { auth } = given;
  if (auth !== undefined && (typeof auth !== 'object' || auth === null || typeof auth.headers !== 'function')) {
    throw new InvalidArgumentError(`${prefix}auth`, 'must be an object with a `headers(context)` method');
  }
  const ping = given.ping === undefined ? {} : (object(`${prefix}ping`, given.ping) as PingOptions);
  checkOptionNames(ping, { where: 'the `ping` option', known: PING_KNOWN, prefix: `${prefix}ping.` });
  // Warned once per option, whether a pool checks it first or a connect does.
  warnIfSeconds('connectTimeout', given.connectTimeout);
  warnIfSeconds('ping.timeout', ping.timeout);
  // Durations stop at a day, far below MAX_TIMER_MS: no timer can overflow.
  const day = 86_400_000;
  return Object.freeze({
    auth,
    maxConcurrentStreams: integer(`${prefix}maxConcurrentStreams`, given.maxConcurrentStreams, 1000, 1, 2 ** 32 - 1),
    maxStreamIds: integer(`${prefix}maxStreamIds`, given.maxStreamIds, MAX_STREAM_ID, 1, MAX_STREAM_ID),
    connectTimeout: integer(`${prefix}connectTimeout`, given.connectTimeout, 10_000, 1, day),
    ping: Object.freeze({
      interval: integer(`${prefix}ping.interval`, ping.interval, 60_000, 0, day),
      timeout: integer(`${prefix}ping.timeout`, ping.timeout, 5_000, 1, day),
      busyInterval: integer(`${prefix}ping.busyInterval`, ping.busyInterval, 1_000, 0, day),
    }),
    maxResponseBody: integer(`${prefix}maxResponseBody`, given.maxResponseBody, DEFAULT_MAX_RESPONSE_BODY, 1, MAX_RESPONSE_BODY_LIMIT),
    engine: engineName(given.engine, prefix),
    proxy: resolveProxy(given.proxy, `${prefix}proxy`),
  });
}

/**
 * Checks connection options up front, as {@link Connection.connect} would:
 * unknown names (with a "did you mean") and bad values. For a tier that
 * connects later (a pool opens its connections at the first post) and wants
 * bad options refused at once.
 * @param prefix - Put before each option name in errors, e.g. `connection.`.
 * @throws {@link InvalidArgumentError} naming the option.
 */
export function checkConnectionOptions(options: ConnectionOptions, prefix = ''): void {
  resolveOptions(options, prefix);
}
