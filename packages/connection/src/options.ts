/** Options of {@link Connection.connect}, checked up front. */
import { InvalidArgumentError } from '@pushwire/models';
import { ENGINE_NAMES, type EngineName } from './engine.js';
import type { AuthHook, TlsOptions } from './types.js';

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
  /**
   * Send a PING after this many quiet milliseconds (no response received). `0` disables.
   * @default 60_000
   */
  pingInterval?: number;
  /**
   * While requests are in flight, send a PING once no response arrived for
   * this many milliseconds: a peer that silently stopped answering is found
   * in about `busyPingInterval` to twice that, plus `pingTimeout`, instead
   * of `pingInterval`. `0` disables (then only `pingInterval` applies).
   * @default 1_000
   */
  busyPingInterval?: number;
  /**
   * Milliseconds to wait for a PING's ACK before destroying the connection;
   * in-flight requests then reject with `Closed` (`outcome: 'unknown'`).
   * @default 5_000
   */
  pingTimeout?: number;
  /**
   * The most response-body bytes kept for one request. APNs bodies are
   * small JSON (`{"reason":"..."}`, channel answers); a body that would pass
   * this is not read further: its stream is reset with `RST_STREAM(CANCEL)`
   * and the request rejects with `Closed` (`outcome: 'unknown'`, the status
   * in the message), so a hostile or broken server cannot make the process
   * buffer without bound. An integer from 1 to 16 MiB. Raise it for a
   * channel-management connection listing many channels
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
}

/** @internal */
export interface ResolvedOptions {
  readonly auth: AuthHook | undefined;
  readonly maxConcurrentStreams: number;
  readonly maxStreamIds: number;
  readonly connectTimeout: number;
  readonly pingInterval: number;
  readonly busyPingInterval: number;
  readonly pingTimeout: number;
  readonly maxResponseBody: number;
  readonly engine: EngineName;
}

function describe(value: unknown): string {
  return `\`${typeof value === 'number' ? String(value) : typeof value}\` (${typeof value})`;
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(name, `expected an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** The engine when no option names one. */
export const DEFAULT_ENGINE: EngineName = 'wire';

function engineName(value: unknown): EngineName {
  const fromEnv = value === undefined ? process.env['PUSHWIRE_ENGINE'] : undefined;
  if (fromEnv !== undefined && fromEnv !== '') {
    if ((ENGINE_NAMES as readonly string[]).includes(fromEnv)) return fromEnv as EngineName;
    throw new InvalidArgumentError('PUSHWIRE_ENGINE', `(environment) expected ${ENGINE_NAMES.join(' or ')}, got '${fromEnv.slice(0, 20)}'`);
  }
  if (value === undefined) return DEFAULT_ENGINE;
  if (!(ENGINE_NAMES as readonly unknown[]).includes(value)) {
    throw new InvalidArgumentError('engine', `expected ${ENGINE_NAMES.map((name) => `'${name}'`).join(' or ')}, got ${typeof value === 'string' ? `'${value.slice(0, 20)}'` : typeof value}`);
  }
  return value as EngineName;
}

/**
 * Validates options and fills defaults.
 * @throws {@link InvalidArgumentError} naming the option.
 * @internal
 */
export function resolveOptions(options: ConnectionOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', 'must be an object');
  }
  const { auth } = options;
  if (auth !== undefined && (typeof auth !== 'object' || auth === null || typeof auth.headers !== 'function')) {
    throw new InvalidArgumentError('auth', 'must be an object with a `headers(context)` method');
  }
  // Durations stop at a day, far below MAX_TIMER_MS: no timer can overflow.
  const day = 86_400_000;
  return Object.freeze({
    auth,
    maxConcurrentStreams: integer('maxConcurrentStreams', options.maxConcurrentStreams, 1000, 1, 2 ** 32 - 1),
    maxStreamIds: integer('maxStreamIds', options.maxStreamIds, MAX_STREAM_ID, 1, MAX_STREAM_ID),
    connectTimeout: integer('connectTimeout', options.connectTimeout, 10_000, 1, day),
    pingInterval: integer('pingInterval', options.pingInterval, 60_000, 0, day),
    busyPingInterval: integer('busyPingInterval', options.busyPingInterval, 1_000, 0, day),
    pingTimeout: integer('pingTimeout', options.pingTimeout, 5_000, 1, day),
    maxResponseBody: integer('maxResponseBody', options.maxResponseBody, DEFAULT_MAX_RESPONSE_BODY, 1, MAX_RESPONSE_BODY_LIMIT),
    engine: engineName(options.engine),
  });
}
