/**
 * `Client`: sends notifications through one pool of connections to one
 * APNs origin with one set of credentials. Created by `Server.createClient()`.
 */
import { EventEmitter } from 'node:events';
import { Closed } from '@pushwire/connection';
import type { APNSError} from '@pushwire/models';
import { InvalidArgumentError, checkOptionNames, describeValue, type Notification, type RawPayload } from '@pushwire/models';
import type { Delivery, Pool, PoolResponse } from '@pushwire/pool';
import type { BatchResult, BulkMessage } from './batch-result.js';
import { sendBroadcast, type BroadcastResult, type BroadcastSendOptions } from './broadcast.js';
import { Channels } from './channels.js';
import { runBulk, type TokenSource } from './bulk.js';
import { APNSRejection, withApnsId } from './errors.js';
import { UnregisteredFeed, type UnregisteredEvent } from './feedback.js';
import { newApnsId, reportedApnsId } from './ids.js';
import { Origins, type OriginConfig } from './origins.js';
import { PreparedMessage, checkIdOptions, checkToken } from './message.js';
import { resolveBulkOptions, type BulkOptions, type ResolvedClientOptions, type SendOptions } from './options.js';
import { traced, type Tracing } from './tracing.js';
import type { Poster } from './transport.js';

/** Options of one `sendNotification` call beyond the notification's own. */
export interface SendControl {
  /** Abandons the send; it rejects with the pool's abort error. */
  signal?: AbortSignal;
}

/** Counters of a client since it was created. */
export interface ClientStats {
  /** Sends (single or per token) waiting for an answer. */
  readonly inFlight: number;
  readonly sent: number;
  /** Definitive rejections (non-200 answers). */
  readonly rejected: number;
  /** Sends that failed without an answer (timeouts, closed connections). */
  readonly errors: number;
  /** 410 answers seen. */
  readonly unregistered: number;
  /** Unregistered events dropped because `unregistered()`'s buffer was full. */
  readonly unregisteredDropped: number;
  /**
   * Answers whose `apns-id` header was not a UUID (a broken or hostile
   * server): the id that was sent was reported instead.
   */
  readonly badApnsIds: number;
  /** When the client last started or finished a send (ms since epoch). */
  readonly lastUsed: number;
  /** The pool's own statistics. */
  readonly pool: ReturnType<Pool['stats']>;
}

/**
 * Sends notifications to one APNs origin with one credential.
 *
 * Emits `'unregistered'` with an {@link UnregisteredEvent} for every 410
 * answer. A listener that throws does not disturb the send: its error is
 * rethrown on a fresh microtask (an uncaught exception, as for any
 * throwing listener called from I/O).
 */
export class Client {
  /** The origin this client sends to, e.g. `https://api.push.apple.com`. */
  readonly origin: string;
  /** Broadcast channel management (create, read, list, delete) on the channel-management origin. */
  readonly channels: Channels;
  readonly #origins: Origins;
  readonly #pool: Pool;
  readonly #options: ResolvedClientOptions;
  readonly #events = new EventEmitter();
  readonly #feed: UnregisteredFeed;
  readonly #poster: Poster;
  #inFlight = 0;
  #lastUsed = Date.now();
  #closing: Promise<void> | undefined;
  #failure: APNSError | undefined;
  #counts = { sent: 0, rejected: 0, errors: 0, unregistered: 0, badApnsIds: 0 };
  /** Stops what observes the client's pools (metrics, traces), once they closed. */
  readonly #onClosed: (() => void) | undefined;

  /** @internal Use `Server.createClient()`. `tracing`: a span per notification sent (none when absent). */
  constructor(origin: string, pool: Pool, options: ResolvedClientOptions, origins?: OriginConfig, onClosed?: () => void, tracing?: Tracing) {
    this.origin = origin;
    this.#pool = pool;
    this.#options = options;
    this.#feed = new UnregisteredFeed(options.feedbackBuffer);
    const delivery = options.delivery;
    const post: Poster['post'] = (request, signal) => this.#post(request, signal, delivery);
    // Chosen once: without tracing, a send pays nothing for it. (Device
    // sends only: channel management and broadcasts call `#post` directly.)
    const spans = tracing === undefined ? undefined : traced(tracing, origin, post);
    this.#onClosed =
      spans === undefined
        ? onClosed
        : () => {
            spans.stop();
            onClosed?.();
          };
    this.#poster = {
      post: spans === undefined ? post : spans.post,
      get queued() {
        return pool.queued;
      },
      onQueueBelow: (n) => pool.onQueueBelow(n),
    };
    const oneOrigin: OriginConfig = { channelOrigin: origin, broadcastOrigin: origin, openPool: () => pool };
    // At most once: a resent channel create would make a second channel.
    this.#origins = new Origins(origins ?? oneOrigin, origin, (request, signal) => this.#post(request, signal, 'at-most-once'));
    this.channels = new Channels(this.#origins.channels, options.timeout);
    pool.once('fatal', () => this.#failed(pool.failure));
  }

  /**
   * Broadcasts one Live Activity update (or end) to every device subscribed
   * to `channelId` (iOS 18+). Validated before any byte is sent: push type
   * `liveactivity`, 5120-byte payload, no `start` (broadcasts cannot start
   * an activity).
   *
   * @throws {APNSRejection} APNs refused it (`ChannelNotRegistered`, `BadExpirationDate`, …), with `requestId`.
   * @throws {InvalidArgumentError} bad input; nothing was sent.
   * @throws {Timeout | Closed | ConnectError} from the pool: no answer.
   * @example
   * ```ts
   * await client.broadcast(channelId, liveActivityUpdate({ contentState: { score: '1-0' } }), { bundleId: 'com.example.app' });
   * ```
   */
  broadcast(channelId: string, notification: Notification | RawPayload, options: BroadcastSendOptions): Promise<BroadcastResult> {
    return sendBroadcast(this.#origins.broadcast, channelId, notification, options, this.#options.timeout);
  }

  /** Listens for every 410 (token no longer valid), with Apple's timestamp. */
  on(event: 'unregistered', listener: (event: UnregisteredEvent) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  /** Like {@link on}, for one event. */
  once(event: 'unregistered', listener: (event: UnregisteredEvent) => void): this {
    this.#events.once(event, listener);
    return this;
  }

  /** Removes a listener added with {@link on} or {@link once}. */
  off(event: 'unregistered', listener: (event: UnregisteredEvent) => void): this {
    this.#events.off(event, listener);
    return this;
  }

  /** When the client last started or finished a send (ms since epoch). */
  get lastUsed(): number {
    return this.#lastUsed;
  }

  /** Sends waiting for an answer. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Whether `close()` was called, or a fatal failure closed the client (see {@link Client.failure}). */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * The fatal failure that closed the client, or `undefined`: a failure no
   * wait can heal (the server's certificate is not trusted, APNs refuses the
   * credentials: `BadCertificate`, `BadCertificateEnvironment`,
   * `InvalidProviderToken` again and again). Every send not yet on a
   * connection, and every later one, rejects with it (`outcome: 'not-sent'`,
   * not `retryable`, so `batch.needsRetry()` is `false`). A `Session`
   * replaces a failed client on the next `getClient`.
   */
  get failure(): APNSError | undefined {
    return this.#failure;
  }

  /**
   * Sends one notification and resolves with its `apns-id`: the one APNs
   * answered when it is a UUID (8-4-4-4-12 hex, either case), otherwise the
   * one that was sent (the answer is ignored and counted in
   * `stats().badApnsIds`). With `apnsId: false` nothing was sent, so a
   * missing or non-UUID answer resolves with `''`: the notification was
   * accepted, but no id is known for it.
   *
   * `notification` is a models `Notification`, or a `RawPayload`
   * (`{ raw: object | jsonString }`) for a payload written as Apple's JSON:
   * only its JSON shape and size are checked.
   *
   * `options.topic` may be left out when the client has a default `topic`
   * (`createClient({ topic })`); a send's own `topic` wins over it.
   *
   * Everything is validated before any byte is written: a bad token,
   * payload or option (or no topic at all) rejects with
   * `InvalidArgumentError` (or `PayloadTooLargeError`) and APNs sees nothing.
   *
   * @throws {APNSRejection} APNs answered non-200 (a 410 also emits `'unregistered'`); its
   *   `apnsId` follows the same rule as the resolved value (`undefined` instead of `''`).
   * @throws {InvalidArgumentError} bad input; nothing was sent.
   * @throws {Timeout | Closed | ConnectError | AbortError} from the pool: no answer. The
   *   error's `outcome` says whether APNs may have seen it (`'unknown'`) or not
   *   (`'not-sent'`); its `apnsId` is the one that was sent, for a resend that
   *   APNs and the device can recognise.
   * @example
   * ```ts
   * const id = await client.sendNotification(token, { alert: 'Hi' }, { topic: 'com.app', collapseId: 'auto' });
   * // With a client-level default: `createClient({ topic: 'com.app' })`
   * const next = await client.sendNotification(token, { alert: 'Hi again' });
   * ```
   */
  async sendNotification(token: string, notification: Notification | RawPayload, sendOptions: SendOptions = {}, control: SendControl = {}): Promise<string> {
    checkControl(control);
    const requested = checkIdOptions(sendOptions, false);
    const options = this.#withTopic(sendOptions);
    checkToken(token);
    const apnsId = requested === false ? undefined : requested === undefined || requested === 'auto' ? newApnsId() : requested;
    const collapseId = options.collapseId === 'auto' ? (apnsId ?? newApnsId()) : options.collapseId;
    const message = new PreparedMessage(notification, options, collapseId, this.#options.attemptTimeout);
    let response: PoolResponse;
    try {
      response = await this.#poster.post(message.request(token, apnsId), control.signal);
    } catch (error) {
      throw withApnsId(error, apnsId);
    }
    const reportedId = reportedApnsId(response.apnsId, apnsId, this.#badApnsId);
    if (response.status === 200) return reportedId ?? '';
    const reason = response.reason ?? 'Unknown';
    if (response.status === 410) this.#unregistered(token, options.topic, reason, response.timestamp);
    throw new APNSRejection({ status: response.status, reason, timestamp: response.timestamp, apnsId: reportedId, fatal: response.fatal });
  }

  /**
   * Sends one notification to many tokens and resolves when every token has
   * an outcome. The payload and headers are encoded once; tokens are pulled
   * from `tokens` only while fewer than `bulkOptions.concurrency` are in flight.
   *
   * Each token lands exactly once in `sent`, `failed` or `errors` (as far as
   * `bulkOptions.collect` keeps tokens: `'none'` keeps only counts, for
   * campaigns of millions) and is passed exactly once to `onResult`. A token
   * that fails local validation goes to `failed` as
   * `{ status: 400, reason: 'BadDeviceToken', local: true }` and is not sent;
   * a non-string token is keyed there by `String(token)`, or
   * `[unprintable token #<index>]` (its 0-based position in the source) when
   * even that throws. Every 410 is also emitted as `'unregistered'`. An
   * answered `apns-id` that is not a UUID is ignored (see `sendNotification`).
   *
   * `bulkOptions.signal` stops the batch even while an async source's
   * `next()` never settles: it resolves with the tokens pulled so far.
   *
   * Pass `batch.retry()` as the single argument to resend the retryable rest.
   * `options.topic` may be left out when the client has a default `topic`;
   * the batch (and its `retry()`) records the topic it was sent to.
   *
   * @throws {InvalidArgumentError} bad notification or options (before anything is sent).
   * @throws {BatchInterrupted} the token source or a callback threw; results so far in `partial`.
   */
  sendMany(tokens: TokenSource, notification: Notification | RawPayload, options?: SendOptions, bulkOptions?: BulkOptions): Promise<BatchResult>;
  sendMany(message: BulkMessage, bulkOptions?: BulkOptions): Promise<BatchResult>;
  async sendMany(
    first: TokenSource | BulkMessage,
    second?: Notification | RawPayload | BulkOptions,
    third?: SendOptions,
    fourth?: BulkOptions,
  ): Promise<BatchResult> {
    let tokens: TokenSource;
    let notification: Notification | RawPayload;
    let options: SendOptions;
    let bulkOptions: BulkOptions;
    if (isBulkMessage(first)) {
      ({ tokens, notification, options } = first);
      bulkOptions = { ...(second as BulkOptions | undefined), idempotencyKey: first.bulkOptions.idempotencyKey };
    } else {
      if (first === null || typeof first !== 'object' || !(Symbol.iterator in first || Symbol.asyncIterator in first)) {
        throw new InvalidArgumentError('tokens', 'expected an array, an iterable or an async iterable of device tokens');
      }
      tokens = first;
      notification = second as Notification | RawPayload;
      options = third === undefined ? {} : third;
      bulkOptions = fourth ?? {};
    }
    const bulk = resolveBulkOptions(bulkOptions);
    checkIdOptions(options, true);
    const withTopic = this.#withTopic(options);
    const idempotencyKey = bulk.idempotencyKey ?? newApnsId();
    const collapseId = options.collapseId === 'auto' ? idempotencyKey : options.collapseId;
    const message = new PreparedMessage(notification, withTopic, collapseId, this.#options.attemptTimeout);
    this.#ensureOpen();
    return runBulk(
      {
        poster: this.#poster,
        message,
        notification,
        // With the topic it was sent to: `batch.retry()` resends there, whichever client it goes to.
        options: withTopic,
        bulk,
        idempotencyKey,
        deriveIds: options.apnsId !== false,
        onUnregistered: (token, reason, timestamp) => this.#unregistered(token, withTopic.topic, reason, timestamp),
        onBadApnsId: this.#badApnsId,
      },
      tokens,
    );
  }

  /**
   * The unregistered-token feed as an async iterator: every 410 since the
   * client was created, buffered up to `feedbackBuffer` events (oldest
   * dropped first when nobody reads; see `stats().unregisteredDropped`).
   * Iterators share the buffer (each event goes to one of them) and end
   * (`done: true`) when the client closes, by `close()`, `await using` or a
   * fatal failure ({@link Client.failure}), once the buffer is drained: a
   * `for await` loop then exits, and a pending `next()` resolves. `return()`
   * (a `break`) detaches one iterator; its pending `next()` calls resolve
   * `done` too.
   * @example
   * ```ts
   * for await (const { token, timestamp } of client.unregistered()) await forget(token, timestamp);
   * // reached once the client is closed (or failed) and every buffered event was read
   * ```
   */
  unregistered(): AsyncIterableIterator<UnregisteredEvent> {
    return this.#feed.iterator();
  }

  /** Counters of this client and its pool. */
  stats(): ClientStats {
    return Object.freeze({
      inFlight: this.#inFlight,
      ...this.#counts,
      unregisteredDropped: this.#feed.dropped,
      lastUsed: this.#lastUsed,
      pool: this.#pool.stats(),
    });
  }

  /**
   * Closes the pool: waits for in-flight sends unless `force`, after which
   * they reject with `Closed`. Ends `unregistered()` iterators once drained.
   * Idempotent. `await using` calls it (see `[Symbol.asyncDispose]`).
   */
  close(options: { force?: boolean } = {}): Promise<void> {
    const closing =
      this.#closing ??
      Promise.all([this.#pool.close(options), this.#origins.close(options)])
        .then(() => undefined)
        .finally(() => {
          this.#feed.close();
          this.#onClosed?.();
        });
    this.#closing = closing;
    return closing;
  }

  /**
   * `await using client = await server.createClient()` closes the client
   * (gracefully, as `close()` does) when the scope ends: its pool, its other
   * origins' pools, and the `unregistered()` iterators.
   * @example
   * ```ts
   * {
   *   await using client = await Server.production(auth).createClient({ topic: 'com.example.app' });
   *   await client.sendNotification(token, { alert: 'Hi' });
   * } // closed here, even when the send threw
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The client's default `topic` in place of a missing one; `InvalidArgumentError` when there is neither. */
  #withTopic(options: SendOptions): SendOptions & { readonly topic: string } {
    if (options.topic !== undefined) return options as SendOptions & { readonly topic: string };
    const topic = this.#options.topic;
    if (topic === undefined) {
      throw new InvalidArgumentError('topic', 'is required (the app bundle id): pass it with the send, or give the client a default (`createClient({ topic })`)');
    }
    return { ...options, topic };
  }

  /** A closed client refuses a batch; a failed one runs it, and each token ends with the failure. */
  #ensureOpen(): void {
    if (this.#closing !== undefined && this.#failure === undefined) throw new Closed('The client is closed', { outcome: 'not-sent' });
  }

  /** A fatal failure closed the pool: the client is closed too, and says why. */
  #failed(failure: APNSError | undefined): void {
    if (this.#closing !== undefined || failure === undefined) return;
    this.#failure = failure;
    void this.close();
  }

  /** Not `async`: one promise (the pool's) and shared handlers per send, as bulk sends make millions. */
  #post(request: Parameters<Pool['post']>[0], signal: AbortSignal | undefined, delivery: Delivery): Promise<PoolResponse> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closing !== undefined) return Promise.reject(new Closed('The client is closed', { outcome: 'not-sent' }));
    this.#inFlight++;
    this.#lastUsed = Date.now();
    const options = signal !== undefined ? { delivery, signal } : delivery === 'at-least-once' ? AT_LEAST_ONCE : AT_MOST_ONCE;
    return this.#pool.post(request, options).then(this.#posted, this.#notPosted);
  }

  readonly #posted = (response: PoolResponse): PoolResponse => {
    if (response.status === 200) this.#counts.sent++;
    else this.#counts.rejected++;
    this.#inFlight--;
    this.#lastUsed = Date.now();
    return response;
  };

  readonly #notPosted = (error: unknown): never => {
    this.#counts.errors++;
    this.#inFlight--;
    this.#lastUsed = Date.now();
    throw error;
  };

  readonly #badApnsId = (): void => {
    this.#counts.badApnsIds++;
  };

  #unregistered(token: string, topic: string, reason: string, timestamp: number | undefined): void {
    this.#counts.unregistered++;
    const event: UnregisteredEvent = Object.freeze({ token, timestamp, topic, reason });
    this.#feed.push(event);
    try {
      this.#events.emit('unregistered', event);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

const AT_LEAST_ONCE = Object.freeze({ delivery: 'at-least-once' as const });
const AT_MOST_ONCE = Object.freeze({ delivery: 'at-most-once' as const });

const CONTROL_KNOWN = Object.keys({ signal: true } satisfies Record<keyof SendControl, true>);

/** `sendNotification`'s last argument: an object of known names. */
function checkControl(control: SendControl): void {
  if (typeof control !== 'object' || control === null) throw new InvalidArgumentError('control', `expected { signal }, got ${describeValue(control)}`);
  checkOptionNames(control, {
    where: 'sendNotification()\'s last argument',
    known: CONTROL_KNOWN,
    hints: { timeout: 'a client option: `createClient({ timeout })`', topic: 'a send option: the third argument' },
  });
}

function isBulkMessage(value: unknown): value is BulkMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Array.isArray((value as BulkMessage).tokens) &&
    typeof (value as BulkMessage).bulkOptions === 'object'
  );
}
