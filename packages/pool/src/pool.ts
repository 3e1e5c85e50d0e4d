/**
 * `Pool`: the mid-level API for bulk sends. A fixed number of HTTP/2
 * connections, an unbounded FIFO overflow queue, retries with back-off,
 * a time budget per post (`timeout`), fatal-failure handling and graceful or forced close.
 */
import dc from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { Blocked, Closed, Request } from '@pushwire/connection';
import { APNSError, InvalidArgumentError, errorFields, log } from '@pushwire/models';
import { Dispatcher } from './dispatcher.js';
import { AbortError } from './errors.js';
import { checkPostOptions, resolvePoolOptions, type PoolOptions, type PostOptions, type ResolvedPoolOptions } from './options.js';
import type { PoolResponse } from './post-state.js';

/** `node:diagnostics_channel` names the pool publishes on (observability only; not APNs broadcast channels). */
export const poolDiagnostics = {
  /** {@link PoolFatalMessage}: a fatal failure closed the pool. */
  fatal: 'pushwire:pool:fatal',
  /** {@link ReconnectEvent}: a connection slot will be refilled. */
  reconnect: 'pushwire:pool:reconnect',
  /** {@link PoolSettleMessage}: one post ended (response or error), with its duration and time queued. */
  settle: 'pushwire:pool:settle',
  /** {@link PoolRetryMessage}: a post is retried. */
  retry: 'pushwire:pool:retry',
} as const;

/** Published on `pushwire:pool:fatal`. */
export interface PoolFatalMessage {
  readonly origin: string;
  readonly cause: Error;
}

/** The `'reconnect'` event and `pushwire:pool:reconnect` message. */
export interface ReconnectEvent {
  readonly origin: string;
  /** Slot index, 0 to `connections - 1`. */
  readonly slot: number;
  /** Milliseconds before the new connection is attempted (0: at once). */
  readonly delay: number;
  /** Consecutive failures of this slot (0 after a connection that served requests). */
  readonly failures: number;
  /** Why the previous connection ended or the connect failed, if known. */
  readonly cause: Error | undefined;
}

/** A frozen snapshot from {@link Pool.stats}. */
export interface PoolStats {
  /** Open connections: ready plus draining. */
  readonly connections: number;
  /** Connections taking new streams. */
  readonly ready: number;
  /** Connections being opened. */
  readonly connecting: number;
  /** Streams open on all connections. */
  readonly inFlight: number;
  /** Sum of the ready connections' live stream limits. */
  readonly capacity: number;
  /** Posts waiting in the overflow queue. */
  readonly queued: number;
  /** Queue jobs running: attempts on a connection or waiting for one. */
  readonly pending: number;
  /** Posts not settled yet (queued, in flight, or between retries). */
  readonly live: number;
  /** Posts resolved with a response (any status). */
  readonly sent: number;
  /** Posts rejected after they were admitted (timeouts, closes, aborts, unretryable failures). */
  readonly failed: number;
  /** Posts rejected at once by `post()` (pool closed, queue over `highWaterMark`, bad arguments, signal already fired). */
  readonly refused: number;
  /** Retry attempts made. */
  readonly retried: number;
  /** Posts whose `timeout` passed. */
  readonly timedOut: number;
  /** Connection slots refilled (after a drain, a death or a failed connect). */
  readonly reconnects: number;
  /** `close()` was called or a fatal failure closed the pool. */
  readonly closed: boolean;
}

const fatalChannel = dc.channel(poolDiagnostics.fatal);
const reconnectChannel = dc.channel(poolDiagnostics.reconnect);

/**
 * A fixed-size pool of APNs connections.
 *
 * `post()` resolves with the response for any answer APNs gives as final
 * (200, and rejections such as 400, 403, 410): a rejection is a value. It
 * rejects only with typed errors: `Timeout` (its `timeout` passed; `cause` is the last
 * failure), `Closed` (pool closed, or an unretryable cut), `AbortError`,
 * `Blocked` (queue over `highWaterMark`), `ConnectError`, `InvalidArgumentError`.
 *
 * Events: `'fatal'` (cause) when a certificate or token failure closes the
 * pool, `'reconnect'` ({@link ReconnectEvent}). It never emits `'error'`.
 *
 * @example
 * ```ts
 * await using pool = new Pool('https://api.push.apple.com', { connections: 4, auth: new TokenAuth(key) });
 * const res = await pool.post(Request.create(`/3/device/${token}`, headers, payload));
 * if (res.status === 410) forget(token);
 * ```
 */
export class Pool extends EventEmitter {
  /** The origin, e.g. `https://api.push.apple.com`. */
  readonly origin: string;
  readonly #options: ResolvedPoolOptions;
  readonly #dispatcher: Dispatcher;
  #closing: Promise<void> | undefined;
  #forced = false;
  #refused = 0;
  #fatal: APNSError | undefined;
  #idle: Array<() => void> = [];
  #queueWaiters: Array<{ readonly below: number; readonly resolve: () => void }> = [];
  /** The largest `below` of the waiters: while the queue is at least this long, a shrink wakes nobody (O(1)). */
  #wakeBelow = 0;

  /**
   * Validates options; connections open at the first `post()`.
   * @throws {@link InvalidArgumentError} naming a bad option.
   */
  constructor(origin: string, options: PoolOptions = {}) {
    super();
    let url: URL | undefined;
    try {
      url = typeof origin === 'string' ? new URL(origin) : undefined;
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:') {
      throw new InvalidArgumentError('origin', `Expected \`origin\` to be an https URL, got \`${typeof origin === 'string' ? origin.slice(0, 80) : typeof origin}\``);
    }
    this.origin = url.origin;
    this.#options = resolvePoolOptions(options);
    this.#dispatcher = new Dispatcher(this, this.origin, this.#options, this.#options.connection, {
      fatal: (cause) => this.#onFatal(cause),
      reconnect: (slot, delay, failures, cause) => this.#onReconnect({ origin: this.origin, slot, delay, failures, cause }),
      idle: () => this.#onIdle(),
    });
  }

  /** Posts waiting in the overflow queue for a free stream. */
  get queued(): number {
    return this.#dispatcher.fifo.size;
  }

  /** `close()` was called, or a fatal failure closed the pool. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * The fatal failure that closed the pool (an untrusted server, refused
   * credentials: see the README's fatal table), or `undefined`. Every post
   * not on a connection then, and every later one, rejects with it
   * (`outcome: 'not-sent'`, not `retryable`).
   */
  get failure(): APNSError | undefined {
    return this.#fatal;
  }

  /**
   * Sends one request, retrying retryable failures while its `timeout` lasts.
   * Never throws synchronously: every call ends in exactly one outcome.
   * @returns The response (any final status) with `attempts` and `possibleDuplicate`.
   * @throws {@link Timeout} the `timeout` passed; `cause` is the last failure.
   * @throws {@link Closed} the pool is closed (`outcome: 'not-sent'`), or an attempt
   *   was cut mid-flight with at-most-once delivery (`outcome: 'unknown'`).
   * @throws {@link AbortError} `signal` fired.
   * @throws {@link Blocked} more than `highWaterMark` posts are queued.
   */
  post(request: Request, options?: PostOptions): Promise<PoolResponse> {
    if (this.#closing !== undefined) return this.#refuse(this.#closedError());
    if (!(request instanceof Request)) {
      return this.#refuse(new InvalidArgumentError('request', `Expected \`request\` to be a Request (use Request.create), got ${typeof request}`));
    }
    let timeout = this.#options.timeout;
    let delivery = this.#options.delivery;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      try {
        checkPostOptions(options);
      } catch (error) {
        return this.#refuse(error as Error);
      }
      timeout = options.timeout ?? timeout;
      delivery = options.delivery ?? delivery;
      signal = options.signal;
      if (signal?.aborted === true) return this.#refuse(new AbortError('The signal had already fired', { cause: signal.reason }));
    }
    const queued = this.#dispatcher.fifo.size;
    if (queued >= this.#options.highWaterMark) {
      return this.#refuse(new Blocked(`The pool's queue is full: ${queued} posts waiting (highWaterMark ${this.#options.highWaterMark})`));
    }
    return this.#dispatcher.submit(request, timeout, delivery === 'at-least-once', signal);
  }

  /**
   * Resolves once fewer than `limit` posts are queued (at once if already so,
   * or when the pool closes). The way for producers to apply back-pressure.
   * @throws {@link InvalidArgumentError} when `limit` is not an integer from 1 up.
   */
  onQueueBelow(limit: number): Promise<void> {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      return Promise.reject(new InvalidArgumentError('limit', `Expected \`limit\` to be an integer from 1 and up, got \`${String(limit)}\` (${typeof limit})`));
    }
    if (this.queued < limit || this.#closing !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.#queueWaiters.push({ below: limit, resolve });
      if (limit > this.#wakeBelow) this.#wakeBelow = limit;
      this.#dispatcher.fifo.onShrink = this.#onShrink;
    });
  }

  /** A frozen snapshot of counters and gauges. */
  stats(): PoolStats {
    const dispatcher = this.#dispatcher;
    const fleet = dispatcher.fleet;
    return Object.freeze({
      connections: fleet.connections,
      ready: fleet.ready,
      connecting: fleet.connecting,
      inFlight: fleet.inFlight,
      capacity: fleet.capacity,
      queued: dispatcher.fifo.size,
      pending: dispatcher.pending,
      live: dispatcher.live,
      sent: dispatcher.sent,
      failed: dispatcher.failed,
      refused: this.#refused,
      retried: dispatcher.retried,
      timedOut: dispatcher.timedOut,
      reconnects: fleet.reconnects,
      closed: this.#closing !== undefined,
    });
  }

  /**
   * Closes the pool; new posts reject at once with `Closed`.
   * - default: queued and in-flight posts (and their retries) finish, then the connections close;
   * - `force: true`: what is left rejects now with `Closed` (`outcome: 'not-sent'` if it was
   *   queued, `'unknown'` if it was on a connection) and the connections are destroyed.
   * Idempotent; a forced call may follow a graceful one. Leaves no timers behind.
   */
  close(options: { force?: boolean } = {}): Promise<void> {
    const force = options.force ?? false;
    if (typeof force !== 'boolean') {
      return Promise.reject(new InvalidArgumentError('force', `Expected \`force\` to be a boolean, got \`${String(force)}\` (${typeof force})`));
    }
    // Forced before the drain starts: with nothing live, it closes the fleet at once.
    const forcing = force && !this.#forced;
    if (forcing) this.#forced = true;
    const closing = (this.#closing ??= this.#drainThenClose());
    this.#releaseQueueWaiters();
    if (forcing) {
      this.#dispatcher.stop(new Closed('The pool was closed with force; the request was not sent', { outcome: 'not-sent' }));
      // Destroyed connections end their in-flight posts, each with what it knows.
      void this.#dispatcher.fleet.close(true);
    }
    return closing;
  }

  /** `await using pool = new Pool(...)` closes gracefully. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Listens for `'fatal'` (the cause) or `'reconnect'` ({@link ReconnectEvent}). */
  override on(event: 'fatal', listener: (cause: Error) => void): this;
  override on(event: 'reconnect', listener: (event: ReconnectEvent) => void): this;
  override on(event: string | symbol, listener: (...args: never[]) => void): this;
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  /** Like {@link Pool.on}, once. */
  override once(event: 'fatal', listener: (cause: Error) => void): this;
  override once(event: 'reconnect', listener: (event: ReconnectEvent) => void): this;
  override once(event: string | symbol, listener: (...args: never[]) => void): this;
  override once(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }

  #refuse(error: Error): Promise<never> {
    this.#refused++;
    return Promise.reject(error);
  }

  async #drainThenClose(): Promise<void> {
    if (this.#dispatcher.live > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    await this.#dispatcher.fleet.close(this.#forced);
  }

  #closedError(): APNSError {
    return this.#fatal ?? new Closed('The pool is closed; the request was not sent', { outcome: 'not-sent' });
  }

  #onFatal(cause: Error): void {
    if (this.#fatal !== undefined || this.#forced) return;
    this.#fatal = fatalError(cause);
    this.#dispatcher.stop(this.#fatal);
    // No new connections: the ones left close once their in-flight streams finish.
    void this.#dispatcher.fleet.close(false);
    this.#closing ??= this.#drainThenClose();
    this.#releaseQueueWaiters();
    if (fatalChannel.hasSubscribers) fatalChannel.publish({ origin: this.origin, cause } satisfies PoolFatalMessage);
    log(this.#options.logger, 'error', { origin: this.origin, cause: errorFields(cause) }, 'pushwire: fatal failure, the pool is closing');
    this.#emit('fatal', cause);
  }

  #onReconnect(event: ReconnectEvent): void {
    if (reconnectChannel.hasSubscribers) reconnectChannel.publish(event);
    const logger = this.#options.logger;
    if (logger !== undefined) {
      const { origin, slot, delay, failures, cause } = event;
      log(logger, 'debug', { origin, slot, delay, failures, ...(cause === undefined ? {} : { cause: errorFields(cause) }) }, 'pushwire: reconnecting');
    }
    if (this.listenerCount('reconnect') > 0) this.#emit('reconnect', event);
  }

  /** A throwing listener must not break the pool's bookkeeping. */
  #emit(event: string, value: unknown): void {
    try {
      this.emit(event, value);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  #onIdle(): void {
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }

  /** Runs on every dequeue: O(1) unless some waiter's limit is reached. */
  readonly #onShrink = (): void => {
    const size = this.#dispatcher.fifo.size;
    if (size >= this.#wakeBelow) return;
    const waiters = this.#queueWaiters;
    const left: typeof waiters = [];
    let wakeBelow = 0;
    for (const waiter of waiters) {
      if (size < waiter.below) {
        waiter.resolve();
      } else {
        left.push(waiter);
        if (waiter.below > wakeBelow) wakeBelow = waiter.below;
      }
    }
    this.#queueWaiters = left;
    this.#wakeBelow = wakeBelow;
    if (left.length === 0) this.#dispatcher.fifo.onShrink = undefined;
  };

  #releaseQueueWaiters(): void {
    const waiters = this.#queueWaiters;
    this.#queueWaiters = [];
    this.#wakeBelow = 0;
    this.#dispatcher.fifo.onShrink = undefined;
    for (const waiter of waiters) waiter.resolve();
  }
}

/** A fatal failure as posts see it: never processed, and no resend can help. */
function fatalError(cause: Error): APNSError {
  if (cause instanceof APNSError && cause.outcome === 'not-sent' && !cause.retryable) return cause;
  const { goawayReason, http2Code } = cause instanceof Closed ? cause : { goawayReason: undefined, http2Code: undefined };
  const message = `The pool failed and stopped sending (${cause.message}); the request was not sent`;
  return new Closed(message, { outcome: 'not-sent', retryable: false, goawayReason, http2Code, cause });
}
