/** Options of {@link Pool} and of one `post()`, checked up front. */
import { InvalidArgumentError, checkLogger, checkOptionNames, describeValue, warnIfSeconds, type Logger } from '@pushwire/models';
import { checkConnectionOptions, type AuthHook, type ConnectionOptions, type TlsOptions } from '@pushwire/connection';

/**
 * Delivery guarantee when an attempt fails and APNs may have processed it
 * (the connection was cut after the request was written, the attempt timed
 * out: outcome `'unknown'`):
 * - `'at-most-once'`: only attempts APNs provably never processed
 *   (`outcome: 'not-sent'`: `Closed` before writing, `REFUSED_STREAM`, above
 *   a GOAWAY's last stream id; connect errors) are retried; an `'unknown'`
 *   one ends the send and the caller decides.
 * - `'at-least-once'`: `'unknown'` attempts are retried too; the answer then
 *   says `possibleDuplicate: true`, as the device may get it twice (unless a
 *   collapse id makes the second replace the first).
 */
export type Delivery = 'at-most-once' | 'at-least-once';

/** Back-off between retries of one send (exponential, via p-retry). */
export interface BackoffOptions {
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
  connections?: number;
  /** TLS material (client certificate, extra CAs). Overrides `connection.tls`. */
  tls?: TlsOptions;
  /** Auth hook, e.g. `new TokenAuth(...)`. Overrides `connection.auth`. */
  auth?: AuthHook;
  /** Options of each connection (stream cap, `ping`, connect timeout), checked at once. */
  connection?: Partial<ConnectionOptions>;
  /**
   * Milliseconds one `post()` may take from call to outcome, queueing and
   * retries included. Each attempt is also bounded by the request's
   * `attemptTimeout`.
   * @default 30_000
   */
  timeout?: number;
  /** Back-off between retries of one send. */
  backoff?: BackoffOptions;
  /** Back-off between attempts to replace a failed connection. */
  reconnect?: ReconnectOptions;
  /**
   * Whether attempts that ended `'unknown'` (APNs may have processed them)
   * are retried; see {@link Delivery}.
   * @default 'at-most-once'
   */
  delivery?: Delivery;
  /**
   * Most requests allowed to wait in the overflow queue; past it `post()`
   * rejects at once with `Blocked`. Producers should rather wait with
   * `onQueueBelow()`.
   * @default Infinity
   */
  highWaterMark?: number;
  /**
   * A pino- or console-shaped logger (`debug/info/warn/error`), called
   * pino's way: `logger.info(fields, message)`. It hears connection opens,
   * drains (with the GOAWAY reason), closes (with the cause), failed
   * connects, reconnects, retries and fatal failures; never a key, a JWT,
   * proxy credentials or a whole device token.
   * @default silent
   */
  logger?: Logger;
}

/** Options of one {@link Pool.post}. */
export interface PostOptions {
  /** Milliseconds for this post, retries included; defaults to the pool's `timeout`. */
  timeout?: number;
  /** Abandons the post: it rejects with `AbortError`. */
  signal?: AbortSignal;
  /** Overrides the pool's `delivery` for this post. */
  delivery?: Delivery;
}

/** @internal Options with every default filled in. */
export interface ResolvedPoolOptions {
  readonly connections: number;
  readonly connection: ConnectionOptions;
  readonly timeout: number;
  readonly backoff: Readonly<Required<BackoffOptions>>;
  readonly reconnect: Readonly<Required<ReconnectOptions>>;
  readonly delivery: Delivery;
  readonly highWaterMark: number;
  readonly logger: Logger | undefined;
}

/** The largest delay `setTimeout` honours (about 24.8 days). */
export const MAX_DELAY = 2 ** 31 - 1;
/** The names each options type takes (the types make these lists complete). */
const KNOWN = Object.keys({
  connections: true, tls: true, auth: true, connection: true, timeout: true, backoff: true, reconnect: true, delivery: true, highWaterMark: true, logger: true,
} satisfies Record<keyof PoolOptions, true>);
const POST_KNOWN = Object.keys({ timeout: true, signal: true, delivery: true } satisfies Record<keyof PostOptions, true>);
const BACKOFF_KNOWN = Object.keys({ minDelay: true, maxDelay: true, factor: true, jitter: true } satisfies Record<keyof BackoffOptions, true>);
const RECONNECT_KNOWN = Object.keys({ minDelay: true, maxDelay: true, unreachableAfter: true } satisfies Record<keyof ReconnectOptions, true>);
const HINTS: Readonly<Record<string, string>> = {
  attemptTimeout: 'it is a request option: `Request.create(path, headers, body, { attemptTimeout })`',
  ping: 'it is a connection option: `connection: { ping }`',
  proxy: 'it is a connection option: `connection: { proxy }`',
};
const DELIVERIES: readonly Delivery[] = ['at-most-once', 'at-least-once'];

/** p-queue's formula: Expected `x` to be an integer from 1 and up, got `0` (number). */
function integer(name: string, value: unknown, fallback: number, min: number, max = MAX_DELAY, infinity = false): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && ((infinity && value === Number.POSITIVE_INFINITY) || (Number.isInteger(value) && value <= max)) && value >= min;
  if (!ok) {
    const range = infinity ? `from ${min} and up, or Infinity` : max === MAX_DELAY ? `from ${min} and up` : `from ${min} to ${max}`;
    throw new InvalidArgumentError(name, `Expected \`${name}\` to be an integer ${range}, got ${describeValue(value)}`);
  }
  return value as number;
}

function boolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(name, `Expected \`${name}\` to be a boolean, got ${describeValue(value)}`);
  return value;
}

function delivery(value: unknown, fallback: Delivery): Delivery {
  if (value === undefined) return fallback;
  if (!(DELIVERIES as readonly unknown[]).includes(value)) {
    throw new InvalidArgumentError('delivery', `Expected \`delivery\` to be 'at-most-once' or 'at-least-once', got ${describeValue(value)}`);
  }
  return value as Delivery;
}

function object<T extends object>(name: string, value: unknown): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(name, `Expected \`${name}\` to be an object, got ${describeValue(value)}`);
  }
  return value as Partial<T>;
}

/**
 * Validates the pool's options and fills defaults. Unknown names are
 * refused (with a "did you mean"), the connection options included: they
 * are checked now, not when the first connection opens.
 * @throws {@link InvalidArgumentError} naming the option.
 * @internal
 */
export function resolvePoolOptions(options: PoolOptions): ResolvedPoolOptions {
  const given = object<PoolOptions>('options', options);
  checkOptionNames(given, { where: 'new Pool()', known: KNOWN, hints: HINTS });
  const backoff = object<BackoffOptions>('backoff', given.backoff);
  checkOptionNames(backoff, { where: 'the `backoff` option', known: BACKOFF_KNOWN, prefix: 'backoff.' });
  const reconnect = object<ReconnectOptions>('reconnect', given.reconnect);
  checkOptionNames(reconnect, { where: 'the `reconnect` option', known: RECONNECT_KNOWN, prefix: 'reconnect.' });
  const connection = object<ConnectionOptions>('connection', given.connection);
  const backoffMin = integer('backoff.minDelay', backoff.minDelay, 50, 0);
  const reconnectMin = integer('reconnect.minDelay', reconnect.minDelay, 250, 1);
  const factor = backoff.factor ?? 2;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
    throw new InvalidArgumentError('backoff.factor', `Expected \`backoff.factor\` to be a finite number from 1 and up, got ${describeValue(factor)}`);
  }
  const tls = given.tls ?? connection.tls;
  const auth = given.auth ?? connection.auth;
  if (auth !== undefined && (typeof auth !== 'object' || auth === null || typeof auth.headers !== 'function')) {
    throw new InvalidArgumentError('auth', 'Expected `auth` to be an object with a `headers(context)` method');
  }
  const merged: ConnectionOptions = Object.freeze({ ...connection, ...(tls === undefined ? {} : { tls }), ...(auth === undefined ? {} : { auth }) });
  checkConnectionOptions(merged, 'connection.');
  warnIfSeconds('timeout', given.timeout);
  return Object.freeze({
    connections: integer('connections', given.connections, 10, 1, 1000),
    connection: merged,
    timeout: integer('timeout', given.timeout, 30_000, 1),
    backoff: Object.freeze({
      minDelay: backoffMin,
      maxDelay: integer('backoff.maxDelay', backoff.maxDelay, Math.max(2_000, backoffMin), backoffMin),
      factor,
      jitter: boolean('backoff.jitter', backoff.jitter, true),
    }),
    reconnect: Object.freeze({
      minDelay: reconnectMin,
      maxDelay: integer('reconnect.maxDelay', reconnect.maxDelay, Math.max(30_000, reconnectMin), reconnectMin),
      unreachableAfter: integer('reconnect.unreachableAfter', reconnect.unreachableAfter, 1_000, 0),
    }),
    delivery: delivery(given.delivery, 'at-most-once'),
    highWaterMark: integer('highWaterMark', given.highWaterMark, Number.POSITIVE_INFINITY, 1, MAX_DELAY, true),
    logger: checkLogger('logger', given.logger),
  });
}

/**
 * Validates the options of one post.
 * @throws {@link InvalidArgumentError} naming the option.
 * @internal
 */
export function checkPostOptions(options: PostOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', `Expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  checkOptionNames(options, { where: 'pool.post()', known: POST_KNOWN, hints: HINTS });
  integer('timeout', options.timeout, 1, 1);
  warnIfSeconds('timeout', options.timeout);
  delivery(options.delivery, 'at-most-once');
  const { signal } = options;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function')) {
    throw new InvalidArgumentError('signal', `Expected \`signal\` to be an AbortSignal, got ${describeValue(signal)}`);
  }
}
