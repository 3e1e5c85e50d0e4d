/** Options of {@link Pool} and of one `post()`, checked up front. */
import { InvalidArgumentError } from '@pushwire/models';
import type { AuthHook, ConnectionOptions, TlsOptions } from '@pushwire/connection';

/** Back-off between retries of one request (exponential, via p-retry). */
export interface RetryOptions {
  /**
   * Milliseconds before the first back-off retry. `Closed { outcome: 'not-sent' }`
   * and refreshed auth are retried at once the first time.
   * @default 50
   */
  minDelay?: number;
  /**
   * Upper bound of one back-off delay in milliseconds (a `Retry-After` may ask for more).
   * @default 2_000
   */
  maxDelay?: number;
  /**
   * Growth factor between consecutive delays.
   * @default 2
   */
  factor?: number;
  /**
   * Multiply each delay by a random factor in [1, 2) so retries of a burst
   * do not arrive together.
   * @default true
   */
  jitter?: boolean;
}

/** Back-off between attempts to replace a connection that failed. */
export interface ReconnectOptions {
  /**
   * Delay before the second consecutive attempt (a connection that served
   * requests is replaced at once).
   * @default 250
   */
  minDelay?: number;
  /**
   * Upper bound of the delay; it doubles per consecutive failure, with jitter.
   * @default 30_000
   */
  maxDelay?: number;
  /**
   * Milliseconds of failed connects after which the origin counts as
   * unreachable: once every slot has failed at least 3 times in a row over at
   * least this long, with no connection ready, posts waiting for a
   * connection (and new ones) fail at once with the `ConnectError`
   * (`outcome: 'not-sent'`, retryable) instead of waiting out their
   * deadlines. The slots keep reconnecting with back-off; the first
   * connection that opens ends the state.
   * @default 1_000
   */
  unreachableAfter?: number;
}

/** Options of {@link Pool}. */
export interface PoolOptions {
  /**
   * Number of connections, opened at the first `post()` and kept.
   * @default 10
   */
  size?: number;
  /** TLS material (client certificate, extra CAs). Overrides `connection.tls`. */
  tls?: TlsOptions;
  /** Auth hook, e.g. `new TokenAuth(...)`. Overrides `connection.auth`. */
  auth?: AuthHook;
  /** Options of each connection (stream cap, pings, connect timeout). */
  connection?: Partial<ConnectionOptions>;
  /**
   * Milliseconds one `post()` may take from call to outcome, queueing and
   * retries included. Each attempt is also bounded by the request's `timeout`.
   * @default 30_000
   */
  deadline?: number;
  /** Back-off between retries of one request. */
  retry?: RetryOptions;
  /** Back-off between attempts to replace a failed connection. */
  reconnect?: ReconnectOptions;
  /**
   * Retry requests that may have been processed (`Closed { outcome: 'unknown' }`,
   * a per-attempt `Timeout`). The response then says `possibleDuplicate: true`.
   * @default false
   */
  atLeastOnce?: boolean;
  /**
   * Most requests allowed to wait in the overflow queue; past it `post()`
   * rejects at once with `Blocked`. Producers should rather wait with
   * `onQueueBelow()`.
   * @default Infinity
   */
  highWaterMark?: number;
}

/** Options of one {@link Pool.post}. */
export interface PostOptions {
  /** Milliseconds for this post; defaults to the pool's `deadline`. */
  deadline?: number;
  /** Abandons the post: it rejects with `Aborted`. */
  signal?: AbortSignal;
  /** Overrides the pool's `atLeastOnce` for this post. */
  atLeastOnce?: boolean;
}

/** @internal Options with every default filled in. */
export interface ResolvedPoolOptions {
  readonly size: number;
  readonly connection: ConnectionOptions;
  readonly deadline: number;
  readonly retry: Readonly<Required<RetryOptions>>;
  readonly reconnect: Readonly<Required<ReconnectOptions>>;
  readonly atLeastOnce: boolean;
  readonly highWaterMark: number;
}

/** The largest delay `setTimeout` honours (about 24.8 days). */
export const MAX_DELAY = 2 ** 31 - 1;
const KNOWN = new Set(['size', 'tls', 'auth', 'connection', 'deadline', 'retry', 'reconnect', 'atLeastOnce', 'highWaterMark']);
const RENAMED: Readonly<Record<string, string>> = { connections: 'size', timeout: 'deadline', maxQueued: 'highWaterMark', queueSize: 'highWaterMark' };

function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'object' && value !== null ? (Array.isArray(value) ? 'array' : 'object') : String(value);
  } catch {
    text = '?';
  }
  return `\`${text.length > 40 ? `${text.slice(0, 40)}…` : text}\` (${typeof value})`;
}

/** p-queue's formula: Expected `x` to be an integer from 1 and up, got `0` (number). */
function integer(name: string, value: unknown, fallback: number, min: number, max = MAX_DELAY, infinity = false): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && ((infinity && value === Number.POSITIVE_INFINITY) || (Number.isInteger(value) && value <= max)) && value >= min;
  if (!ok) {
    const range = infinity ? `from ${min} and up, or Infinity` : max === MAX_DELAY ? `from ${min} and up` : `from ${min} to ${max}`;
    throw new InvalidArgumentError(name, `Expected \`${name}\` to be an integer ${range}, got ${shown(value)}`);
  }
  return value as number;
}

function boolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(name, `Expected \`${name}\` to be a boolean, got ${shown(value)}`);
  return value;
}

function object<T extends object>(name: string, value: unknown): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(name, `Expected \`${name}\` to be an object, got ${shown(value)}`);
  }
  return value as Partial<T>;
}

/**
 * Validates the pool's options and fills defaults. Connection options are
 * checked by the connection tier when the first connection opens.
 * @throws {@link InvalidArgumentError} naming the option.
 * @internal
 */
export function resolvePoolOptions(options: PoolOptions): ResolvedPoolOptions {
  const given = object<PoolOptions>('options', options);
  for (const key of Object.keys(given)) {
    if (KNOWN.has(key)) continue;
    const renamed = RENAMED[key];
    throw new InvalidArgumentError(key, renamed === undefined ? 'is not a pool option' : `is not a pool option; use \`${renamed}\``);
  }
  const retry = object<RetryOptions>('retry', given.retry);
  const reconnect = object<ReconnectOptions>('reconnect', given.reconnect);
  const connection = object<ConnectionOptions>('connection', given.connection);
  const retryMin = integer('retry.minDelay', retry.minDelay, 50, 0);
  const reconnectMin = integer('reconnect.minDelay', reconnect.minDelay, 250, 1);
  const factor = retry.factor ?? 2;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
    throw new InvalidArgumentError('retry.factor', `Expected \`retry.factor\` to be a finite number from 1 and up, got ${shown(factor)}`);
  }
  const tls = given.tls ?? connection.tls;
  const auth = given.auth ?? connection.auth;
  if (auth !== undefined && (typeof auth !== 'object' || auth === null || typeof auth.headers !== 'function')) {
    throw new InvalidArgumentError('auth', 'Expected `auth` to be an object with a `headers(context)` method');
  }
  return Object.freeze({
    size: integer('size', given.size, 10, 1, 1000),
    connection: Object.freeze({ ...connection, ...(tls === undefined ? {} : { tls }), ...(auth === undefined ? {} : { auth }) }),
    deadline: integer('deadline', given.deadline, 30_000, 1),
    retry: Object.freeze({
      minDelay: retryMin,
      maxDelay: integer('retry.maxDelay', retry.maxDelay, Math.max(2_000, retryMin), retryMin),
      factor,
      jitter: boolean('retry.jitter', retry.jitter, true),
    }),
    reconnect: Object.freeze({
      minDelay: reconnectMin,
      maxDelay: integer('reconnect.maxDelay', reconnect.maxDelay, Math.max(30_000, reconnectMin), reconnectMin),
      unreachableAfter: integer('reconnect.unreachableAfter', reconnect.unreachableAfter, 1_000, 0),
    }),
    atLeastOnce: boolean('atLeastOnce', given.atLeastOnce, false),
    highWaterMark: integer('highWaterMark', given.highWaterMark, Number.POSITIVE_INFINITY, 1, MAX_DELAY, true),
  });
}

/**
 * Validates the options of one post.
 * @throws {@link InvalidArgumentError} naming the option.
 * @internal
 */
export function checkPostOptions(options: PostOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', `Expected \`options\` to be an object, got ${shown(options)}`);
  }
  integer('deadline', options.deadline, 1, 1);
  boolean('atLeastOnce', options.atLeastOnce, false);
  const { signal } = options;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function')) {
    throw new InvalidArgumentError('signal', `Expected \`signal\` to be an AbortSignal, got ${shown(signal)}`);
  }
}
