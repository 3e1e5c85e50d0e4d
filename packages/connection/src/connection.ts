/**
 * `Connection`: one HTTP/2 session to APNs. It owns the stream cap (live
 * SETTINGS), stream-id exhaustion, GOAWAY, draining and health pings; the
 * per-request stream work lives in `streams.ts`. No queue, no retry: the pool
 * above owns those.
 */
import { EventEmitter } from 'node:events';
import { APNSError, InvalidArgumentError } from '@pushwire/models';
import { openSession, type Handover } from './connect.js';
import { closeChannel, drainingChannel, openChannel, type DrainReason } from './diagnostics.js';
import type { Session, SessionEvents } from './engine.js';
import { AuthHookError, Blocked, Closed } from './errors.js';
import { nextGoaway, type GoawayInfo } from './goaway.js';
import type { ConnectionOptions, ResolvedOptions } from './options.js';
import { PingMonitor } from './ping.js';
import { checkAuthHeaders, checkHeaderList, connectionFieldBytes, Request } from './request.js';
import { deliverError, type StreamRecord } from './stream-tracker.js';
import { Streams } from './streams.js';
import type { AuthContext, Response, ResponseSink } from './types.js';

let lastId = 0;

/** `post()`'s sink: the tag is the promise's settle functions. */
interface Settle {
  resolve(response: Response): void;
  reject(error: Error): void;
}
const PROMISE_SINK: ResponseSink<Settle> = {
  onResponse: (settle, response) => settle.resolve(response),
  onError: (settle, error) => settle.reject(error),
};

/**
 * One HTTP/2 connection to APNs.
 *
 * Events: `'free'` ("you may send more now": a stream slot came back after
 * its request's outcome was delivered, as when a timed-out stream finished
 * closing; flow-control room returned for a body that was `Blocked`; or the
 * server's SETTINGS raised the {@link Connection.capacity}), `'draining'`
 * (why: GOAWAY, stream ids used up, `close()`, auth), `'close'` (cause,
 * `undefined` when clean). A lowered capacity emits nothing: `isBusy` and
 * `Blocked` tell. It never emits `'error'`.
 *
 * @example
 * ```ts
 * await using conn = await Connection.connect('https://api.push.apple.com', { auth: new TokenAuth(key) });
 * const res = await conn.post(Request.create(path, headers, payload));
 * ```
 */
export class Connection extends EventEmitter {
  readonly #id: number;
  readonly #origin: string;
  readonly #session: Session;
  readonly #options: ResolvedOptions;
  readonly #authContext: AuthContext;
  readonly #streams: Streams;
  readonly #ping: PingMonitor;
  /** Header-block bytes the engine adds to every request (`:scheme`, `:authority`). */
  readonly #connectionFieldBytes: number;
  readonly #closed: Promise<void>;
  #resolveClosed: (() => void) | undefined;
  #capacity = 1;
  /** Bytes of the server's connection window known to be free, less the bodies posted since. */
  #windowCredit = 0;
  /** A post found no window; cleared once a body of `#windowNeed` bytes fits again. */
  #windowShort = false;
  #windowNeed = 0;
  /** The engine sends waiting bodies oldest first: no post is held back for window. */
  readonly #inOrder: boolean;
  #nextStreamId = 1;
  #draining = false;
  #isClosed = false;
  #goaway: GoawayInfo | undefined;
  #cause: Error | undefined;

  /**
   * Connects and resolves once TLS is up and the server's SETTINGS arrived.
   * @param signal - Abandons a pending connect: when it fires before the
   *   connection is ready, the socket is destroyed at once and the promise
   *   rejects with a {@link ConnectError} (`retryable: false`); an already
   *   aborted signal rejects before any I/O. It has no effect once connected.
   * @throws {@link InvalidArgumentError} for bad options (before any I/O).
   * @throws {@link ConnectError} for unreadable certificates, DNS/TCP/TLS failures, a timeout or an abandoned connect.
   */
  static connect(origin: string, options: ConnectionOptions = {}, signal?: AbortSignal): Promise<Connection> {
    return openSession(origin, options, signal).then(({ session, handover, origin: normalized, options: resolved }) => {
      return new Connection(session, handover, normalized, resolved);
    });
  }

  private constructor(session: Session, handover: Handover, origin: string, options: ResolvedOptions) {
    super();
    this.#id = ++lastId;
    this.#origin = origin;
    this.#session = session;
    this.#options = options;
    this.#authContext = Object.freeze({ origin, connectionId: this.#id });
    this.#connectionFieldBytes = connectionFieldBytes(new URL(origin));
    this.#streams = new Streams({
      connectionId: this.#id,
      origin,
      auth: options.auth,
      authContext: this.#authContext,
      maxResponseBody: options.maxResponseBody,
      goaway: () => this.#goaway,
      cause: () => this.#cause,
      activity: () => this.#ping.activity(),
      reconnect: () => this.#drain('auth'),
      idle: () => void (this.#draining && this.#shutdown()),
      refused: (error) => this.#onRefused(error),
      freed: () => this.#emitFree(),
      progress: () => this.#onProgress(),
    }, session);
    // Busy: a stalled peer is looked for sooner than on an idle connection.
    this.#ping = new PingMonitor(session, options.ping, () => this.#streams.size > 0, (error) => this.destroy(error));
    this.#inOrder = session.bodiesInOrder;
    this.#capacity = this.#computeCapacity();
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    const events: SessionEvents = { settings: this.#onSettings, goaway: this.#onGoaway, error: (error) => void (this.#cause ??= error), close: this.#onClose };
    session.attach(events, this.#streams);
    if (openChannel.hasSubscribers) openChannel.publish({ connectionId: this.#id, origin, capacity: this.#capacity });
    handover.replay(events);
  }

  /** Process-unique connection number. */
  get id(): number { return this.#id; }
  /** The origin, e.g. `https://api.push.apple.com`. */
  get origin(): string { return this.#origin; }
  /** Streams in use (including ones reset after a timeout but not yet closed). */
  get inFlight(): number { return this.#streams.size; }
  /** Live concurrency limit: min(`maxConcurrentStreams`, server SETTINGS_MAX_CONCURRENT_STREAMS). */
  get capacity(): number { return this.#capacity; }
  /** Takes new work (not draining or closed). */
  get isReady(): boolean { return !this.#draining && !this.#isClosed; }
  /**
   * `post()` would reject with `Blocked`: every stream is in use, or the last
   * post found the server's flow-control window full (until a body of its size
   * fits again; `'free'` says when).
   */
  get isBusy(): boolean { return this.#streams.size >= this.#capacity || this.#windowShort; }
  /** Takes no new work; in-flight requests finish, then it closes. */
  get isDraining(): boolean { return this.#draining && !this.#isClosed; }
  /** The session is gone. */
  get isClosed(): boolean { return this.#isClosed; }
  /** The JSON reason of the GOAWAY received, if any. */
  get goawayReason(): string | undefined { return this.#goaway?.reason; }

  /**
   * Sends one request. Resolves for any HTTP status (a rejection is a value).
   * @throws {@link Blocked} at once when every stream is in use, or when the
   *   server's connection flow-control window has no room for the body while
   *   earlier bodies still wait for it (nothing written; see `isBusy`).
   * @throws {@link Closed} when the connection is draining/closed (`outcome: 'not-sent'`) or the stream was cut.
   * @throws {@link Timeout} past `request.attemptTimeout`; the stream is reset with CANCEL.
   */
  post(request: Request): Promise<Response> {
    return new Promise<Response>((resolve, reject) => this.postWith(request, PROMISE_SINK, { resolve, reject }));
  }

  /**
   * Sends one request and reports its single outcome to `sink` with `tag`:
   * the low-allocation form of {@link Connection.post} for tiers that send
   * many requests (one sink object serves them all; no promise, no closure).
   * Never throws: a request refused at once (`Blocked`, `Closed`,
   * `InvalidArgumentError`) reaches `sink.onError` before `postWith` returns.
   *
   * @example
   * ```ts
   * const sink: ResponseSink<string> = {
   *   onResponse: (token, res) => console.log(token, res.status),
   *   onError: (token, error) => console.error(token, error.code),
   * };
   * if (!conn.isBusy) conn.postWith(Request.create(`/3/device/${token}`, headers, payload), sink, token);
   * ```
   */
  postWith<T>(request: Request, sink: ResponseSink<T>, tag: T): void {
    const out = sink as ResponseSink<unknown>;
    if (!(request instanceof Request)) {
      return deliverError(out, tag, new InvalidArgumentError('request', 'must be a Request (use Request.create)'));
    }
    if (this.#draining || this.#isClosed) return deliverError(out, tag, this.#notAccepting());
    if (this.#streams.size >= this.#capacity) {
      return deliverError(out, tag, new Blocked(`No free stream: ${this.#streams.size} of ${this.#capacity} in use`));
    }
    const bytes = request.body.length;
    if (bytes > 0 && bytes > this.#windowCredit && !this.#inOrder && !this.#windowFits(bytes)) {
      const free = Math.max(0, this.#windowCredit);
      return deliverError(out, tag, new Blocked(`No room in the server's flow-control window: the body needs ${bytes} bytes, ${free} free, ${this.#streams.unsent} bytes of earlier bodies still to send`));
    }
    this.#windowCredit -= bytes;
    const record = this.#streams.start(request, out, tag);
    // Client stream ids are odd and never reused (RFC 9113 §5.1.1): when the
    // next one would pass the limit, stop taking work and drain (after this
    // request is on its way).
    this.#nextStreamId += 2;
    this.#send(record);
    if (this.#nextStreamId > this.#options.maxStreamIds) this.#drain('stream-ids');
  }

  /**
   * Whether a body of `bytes` goes out whole, now. A body the connection
   * window cuts is not sent whole until the window refills, and node:http2's
   * client (nghttp2's scheduler) sends its rest only after the body of every
   * newer stream: under steady load it stalls until its timeout. So a body
   * waits (Blocked) unless it fits beside the bodies not yet framed; with
   * none waiting it goes anyway (nothing newer can overtake it).
   */
  #windowFits(bytes: number): boolean {
    this.#windowCredit = this.#freeWindow();
    if (bytes <= this.#windowCredit || this.#streams.unsent === 0) return true;
    this.#windowShort = true;
    this.#windowNeed = bytes;
    return false;
  }

  /**
   * A body was framed or a stream ended (its answer usually follows the
   * server's WINDOW_UPDATE): once the refused body fits, say so. Each waiting
   * body ends in one of these events, so this cannot wait forever.
   */
  #onProgress(): void {
    if (!this.#windowShort) return;
    const credit = this.#freeWindow();
    if (this.#windowNeed > credit && this.#streams.unsent > 0) return;
    this.#windowCredit = credit;
    this.#windowShort = false;
    this.#emitFree();
  }

  /** The server's connection window left once the bodies not yet framed have gone out. */
  #freeWindow(): number {
    return this.#session.remoteWindowSize - this.#streams.unsent;
  }

  #emitFree(): void {
    if (this.listenerCount('free') > 0) this.emit('free');
  }

  /** Graceful close: no new streams; in-flight requests finish. Resolves when closed. */
  close(): Promise<void> {
    this.#drain('close');
    return this.#closed;
  }

  /** Closes now; in-flight requests reject with `Closed` (`outcome: 'unknown'`). */
  destroy(error?: Error): void {
    if (error !== undefined) this.#cause ??= error;
    this.#session.destroy(error);
  }

  /** `await using conn = ...` closes gracefully. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Listens for `'free'` (you may send more now: a stream slot or
   * flow-control room came back, or SETTINGS raised the capacity),
   * `'draining'` (why) or `'close'` (the cause, `undefined` when clean).
   */
  override on(event: 'free', listener: () => void): this;
  override on(event: 'draining', listener: (why: DrainReason) => void): this;
  override on(event: 'close', listener: (cause: Error | undefined) => void): this;
  override on(event: string | symbol, listener: (...args: never[]) => void): this;
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  /** Like {@link Connection.on}, once. */
  override once(event: 'free', listener: () => void): this;
  override once(event: 'draining', listener: (why: DrainReason) => void): this;
  override once(event: 'close', listener: (cause: Error | undefined) => void): this;
  override once(event: string | symbol, listener: (...args: never[]) => void): this;
  override once(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }

  #send(record: StreamRecord): void {
    const auth = this.#options.auth;
    if (auth === undefined) {
      if (!this.#headerListFits(record, 0)) return;
      return this.#streams.open(record, undefined);
    }
    let headers: ReturnType<typeof auth.headers>;
    try {
      headers = auth.headers(this.#authContext);
    } catch (error) {
      return this.#streams.fail(record, authError(error));
    }
    if (typeof (headers as Promise<unknown>).then === 'function') {
      (headers as Promise<Readonly<Record<string, string>>>).then(
        (value) => this.#openWithAuth(record, value),
        (error: unknown) => this.#streams.fail(record, authError(error)),
      );
    } else {
      this.#openWithAuth(record, headers as Readonly<Record<string, string>>);
    }
  }

  #openWithAuth(record: StreamRecord, auth: Readonly<Record<string, string>>): void {
    if (record.settled) return;
    if (this.#isClosed) return this.#streams.fail(record, this.#notAccepting());
    let authBytes: number;
    try {
      authBytes = checkAuthHeaders(auth);
    } catch (error) {
      return this.#streams.fail(record, error as Error);
    }
    if (!this.#headerListFits(record, authBytes)) return;
    record.auth = auth;
    this.#streams.open(record, auth);
  }

  /**
   * Whether the header block as sent (the request's fields, the auth
   * headers, `:scheme` and `:authority`) fits in what APNs accepts; if not,
   * the request fails with an `InvalidArgumentError` before any byte of it
   * is written (a larger block would be reset by the server, an 'unknown').
   */
  #headerListFits(record: StreamRecord, authBytes: number): boolean {
    try {
      checkHeaderList(record.request, authBytes + this.#connectionFieldBytes);
      return true;
    } catch (error) {
      this.#streams.fail(record, error as Error);
      return false;
    }
  }

  /** Draining and no stream left: close the session (the engine bounds a lingering peer). */
  #shutdown(): void {
    if (this.#isClosed) return;
    this.#session.close();
  }

  /**
   * The engine destroyed the session on its own (e.g. node:http2 after a
   * socket error while writes were stuck) and may never close its streams:
   * stop taking work at once, and close.
   */
  #onRefused(error: unknown): void {
    if (!this.#session.destroyed || this.#isClosed) return;
    this.#cause ??= error instanceof Error ? error : undefined;
    this.#drain('close');
    this.destroy();
  }

  readonly #onSettings = (): void => {
    const capacity = this.#computeCapacity();
    if (capacity === this.#capacity) return;
    const raised = capacity > this.#capacity;
    this.#capacity = capacity;
    // More streams allowed: waiting senders may go on.
    if (raised) this.#emitFree();
  };

  readonly #onGoaway = (code: number, lastStreamId: number, data?: Buffer): void => {
    this.#goaway = nextGoaway(this.#goaway, code, lastStreamId, data);
    this.#streams.failAbove(this.#goaway);
    this.#drain('goaway');
  };

  readonly #onClose = (): void => {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#resolveClosed?.();
    this.#ping.stop();
    this.#streams.closeAll();
    if (closeChannel.hasSubscribers) closeChannel.publish({ connectionId: this.#id, origin: this.#origin, cause: this.#cause });
    this.emit('close', this.#cause);
  };

  #drain(why: DrainReason): void {
    if (this.#draining || this.#isClosed) return;
    this.#draining = true;
    if (drainingChannel.hasSubscribers) {
      drainingChannel.publish({ connectionId: this.#id, origin: this.#origin, why, goawayReason: this.#goaway?.reason });
    }
    this.emit('draining', why);
    if (this.#streams.size === 0) this.#shutdown();
  }

  #computeCapacity(): number {
    const remote = this.#session.maxConcurrentStreams;
    return Math.max(0, Math.min(this.#options.maxConcurrentStreams, remote));
  }

  #notAccepting(): Closed {
    const state = this.#isClosed ? 'closed' : 'draining';
    return new Closed(`The connection is ${state}; the request was not sent`, { outcome: 'not-sent', goawayReason: this.#goaway?.reason });
  }
}

function authError(error: unknown): Error {
  return error instanceof APNSError ? error : new AuthHookError(undefined, { cause: error });
}
