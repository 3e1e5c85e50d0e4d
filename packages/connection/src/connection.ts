/**
 * `Connection`: one HTTP/2 session to APNs. It owns the stream cap (live
 * SETTINGS), stream-id exhaustion, deadlines, GOAWAY semantics and health
 * pings. It has no queue and no retry: the pool above owns those.
 */
import { EventEmitter } from 'node:events';
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { APNSError, InvalidArgumentError } from '@pushwire/models';
import { closeChannel, drainingChannel, openChannel, requestEndChannel, type DrainReason } from './diagnostics.js';
import { openSession } from './connect.js';
import { Blocked, Closed, Timeout } from './errors.js';
import { closedError, parseGoawayReason, type GoawayInfo } from './goaway.js';
import type { ConnectionOptions, ResolvedOptions } from './options.js';
import { PingMonitor } from './ping.js';
import { checkAuthHeaders, headerBlock, Request } from './request.js';
import { AUTH_REASONS, buildResponse } from './response.js';
import { StreamRecord, StreamTracker } from './stream-tracker.js';
import type { AuthAction, AuthContext, Response } from './types.js';

const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM } = http2.constants;
const REQUEST_OPTIONS = Object.freeze({ endStream: false });
const kRecord = Symbol('pushwire.record');
/**
 * After a graceful close, `node:http2` waits for the peer to close TCP; a peer
 * that sent GOAWAY and answered its last streams at once may never do so (the
 * session never emits 'close'). All streams are done by then, so the socket is
 * destroyed after this grace period.
 */
const CLOSE_GRACE = 500;
type TrackedStream = ClientHttp2Stream & { [kRecord]?: StreamRecord };
let lastId = 0;

/**
 * One HTTP/2 connection to APNs.
 *
 * Events: `'capacity'` (new capacity: the server's SETTINGS changed),
 * `'draining'` (why: GOAWAY, stream ids used up, `close()`, auth), `'close'`
 * (cause, `undefined` when clean). It never emits `'error'`.
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
  readonly #session: ClientHttp2Session;
  readonly #socket: TLSSocket;
  #grace: NodeJS.Timeout | undefined;
  readonly #options: ResolvedOptions;
  readonly #authContext: AuthContext;
  readonly #tracker: StreamTracker;
  readonly #ping: PingMonitor;
  readonly #closed: Promise<void>;
  #capacity = 1;
  #nextStreamId = 1;
  #draining = false;
  #isClosed = false;
  #goaway: GoawayInfo | undefined;
  #cause: Error | undefined;

  /**
   * Connects and resolves once TLS is up and the server's SETTINGS arrived.
   * @throws {@link InvalidArgumentError} for bad options (before any I/O).
   * @throws {@link ConnectError} for unreadable certificates, DNS/TCP/TLS failures or a timeout.
   */
  static connect(origin: string, options: ConnectionOptions = {}): Promise<Connection> {
    return openSession(origin, options).then(({ session, socket, origin: normalized, options: resolved }) => {
      return new Connection(session, socket, normalized, resolved);
    });
  }

  private constructor(session: ClientHttp2Session, socket: TLSSocket, origin: string, options: ResolvedOptions) {
    super();
    this.#socket = socket;
    this.#id = ++lastId;
    this.#origin = origin;
    this.#session = session;
    this.#options = options;
    this.#authContext = Object.freeze({ origin, connectionId: this.#id });
    this.#tracker = new StreamTracker(this.#expire);
    this.#ping = new PingMonitor(session, options.pingInterval, options.pingTimeout, (error) => this.destroy(error));
    this.#capacity = this.#computeCapacity();
    this.#closed = new Promise((resolve) => session.once('close', resolve));
    session.on('remoteSettings', this.#onSettings);
    session.on('goaway', this.#onGoaway);
    session.on('error', (error: Error) => void (this.#cause ??= error));
    session.once('close', this.#onClose);
    if (openChannel.hasSubscribers) openChannel.publish({ connectionId: this.#id, origin, capacity: this.#capacity });
  }

  /** Process-unique connection number. */
  get id(): number { return this.#id; }
  /** The origin, e.g. `https://api.push.apple.com`. */
  get origin(): string { return this.#origin; }
  /** Streams in use (including ones reset after a timeout but not yet closed). */
  get inFlight(): number { return this.#tracker.size; }
  /** Live concurrency limit: min(`maxConcurrentStreams`, server SETTINGS_MAX_CONCURRENT_STREAMS). */
  get capacity(): number { return this.#capacity; }
  /** Takes new work (not draining or closed). */
  get isReady(): boolean { return !this.#draining && !this.#isClosed; }
  /** Every stream is in use: `post()` would reject with `Blocked`. */
  get isBusy(): boolean { return this.#tracker.size >= this.#capacity; }
  /** Takes no new work; in-flight requests finish, then it closes. */
  get isDraining(): boolean { return this.#draining && !this.#isClosed; }
  /** The session is gone. */
  get isClosed(): boolean { return this.#isClosed; }
  /** The JSON reason of the GOAWAY received, if any. */
  get goawayReason(): string | undefined { return this.#goaway?.reason; }

  /**
   * Sends one request. Resolves for any HTTP status (a rejection is a value).
   * @throws {@link Blocked} at once when every stream is in use (nothing written).
   * @throws {@link Closed} when the connection is draining/closed (`processed: false`) or the stream was cut.
   * @throws {@link Timeout} past `request.timeout`; the stream is reset with CANCEL.
   */
  post(request: Request): Promise<Response> {
    if (!(request instanceof Request)) {
      return Promise.reject(new InvalidArgumentError('request', 'must be a Request (use Request.create)'));
    }
    if (this.#draining || this.#isClosed) return Promise.reject(this.#notAccepting());
    if (this.#tracker.size >= this.#capacity) {
      return Promise.reject(new Blocked(`No free stream: ${this.#tracker.size} of ${this.#capacity} in use`));
    }
    const promise = new Promise<Response>((resolve, reject) => {
      const now = performance.now();
      const record = new StreamRecord(request, resolve, reject, now, now);
      this.#tracker.add(record);
      const auth = this.#options.auth;
      if (auth === undefined) {
        this.#open(record, headerBlock(request));
        return;
      }
      let headers: ReturnType<typeof auth.headers>;
      try {
        headers = auth.headers(this.#authContext);
      } catch (error) {
        this.#fail(record, authError(error));
        return;
      }
      if (typeof (headers as Promise<unknown>).then === 'function') {
        (headers as Promise<Readonly<Record<string, string>>>).then(
          (value) => this.#openWithAuth(record, value),
          (error: unknown) => this.#fail(record, authError(error)),
        );
      } else {
        this.#openWithAuth(record, headers as Readonly<Record<string, string>>);
      }
    });
    // Client stream ids are odd and never reused (RFC 9113 §5.1.1): when the
    // next one would pass the limit, stop taking work and drain.
    this.#nextStreamId += 2;
    if (this.#nextStreamId > this.#options.maxStreamIds) this.#drain('stream-ids');
    return promise;
  }

  /** Graceful close: no new streams; in-flight requests finish. Resolves when closed. */
  close(): Promise<void> {
    this.#drain('close');
    return this.#closed;
  }

  /** Closes now; in-flight requests reject with `Closed` (`processed: 'unknown'`). */
  destroy(error?: Error): void {
    if (error !== undefined) this.#cause ??= error;
    this.#session.destroy(error);
    // node:http2 ends the socket gracefully; a stalled peer may never finish that.
    this.#grace ??= setTimeout(() => this.#socket.destroy(), CLOSE_GRACE);
  }

  /** `await using conn = ...` closes gracefully. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #openWithAuth(record: StreamRecord, auth: Readonly<Record<string, string>>): void {
    if (record.settled) return;
    if (this.#isClosed) return this.#fail(record, this.#notAccepting());
    try {
      checkAuthHeaders(auth);
    } catch (error) {
      return this.#fail(record, error as Error);
    }
    record.auth = auth;
    this.#open(record, { ...headerBlock(record.request), ...auth });
  }

  #open(record: StreamRecord, headers: Readonly<Record<string, string>>): void {
    let stream: TrackedStream;
    try {
      stream = this.#session.request(headers, REQUEST_OPTIONS);
    } catch (error) {
      this.#fail(record, new Closed('The session refused a new stream', { processed: false, cause: error, goawayReason: this.#goaway?.reason }));
      return;
    }
    record.stream = stream;
    stream[kRecord] = record;
    stream.on('response', this.#onResponse);
    stream.on('error', onStreamError);
    stream.on('close', this.#onStreamClose);
    stream.end(record.request.body);
  }

  readonly #onResponse = ((self: Connection) =>
    function (this: TrackedStream, headers: IncomingHttpHeaders, flags: number): void {
      const record = this[kRecord];
      if (record === undefined || record.settled) return;
      self.#ping.activity();
      record.status = headers[':status'] as unknown as number;
      record.headers = headers as Record<string, string>;
      if ((flags & NGHTTP2_FLAG_END_STREAM) !== 0) {
        self.#complete(record);
        return;
      }
      if (record.status === 200) this.resume();
      else {
        record.chunks = [];
        this.on('data', onData);
      }
      this.on('end', self.#onEnd);
    })(this);

  readonly #onEnd = ((self: Connection) =>
    function (this: TrackedStream): void {
      const record = this[kRecord];
      if (record !== undefined && !record.settled) self.#complete(record);
    })(this);

  readonly #onStreamClose = ((self: Connection) =>
    function (this: TrackedStream): void {
      const record = this[kRecord];
      if (record === undefined) return;
      if (!record.settled) {
        // Headers without END_STREAM then a reset: the status is still an answer.
        if (record.status !== 0) self.#complete(record);
        else self.#fail(record, closedError(this.id, this.rstCode, self.#goaway, record.error ?? self.#cause));
      }
      self.#release(record);
    })(this);

  #complete(record: StreamRecord): void {
    const response = buildResponse(record.status, record.headers ?? {}, record.chunks);
    const auth = this.#options.auth;
    if (auth?.onRejection !== undefined && (response.status === 403 || response.status === 429) && AUTH_REASONS.has(response.reason ?? '')) {
      record.settled = true;
      this.#release(record);
      const context: AuthContext = { ...this.#authContext, sentHeaders: record.auth };
      Promise.resolve()
        .then(() => auth.onRejection?.(response.reason as string, context) ?? 'none')
        .catch(() => 'none' as const)
        .then((authAction: AuthAction) => {
          if (authAction === 'reconnect') this.#drain('auth');
          this.#publish(record, response.status, response.reason, undefined);
          record.resolve({ ...response, authAction });
        });
      return;
    }
    record.settled = true;
    this.#release(record);
    if (requestEndChannel.hasSubscribers) this.#publish(record, response.status, response.reason, undefined);
    record.resolve(response);
  }

  #fail(record: StreamRecord, error: Error, release = true): void {
    if (record.settled) return;
    record.settled = true;
    if (release) this.#release(record);
    if (requestEndChannel.hasSubscribers) this.#publish(record, 0, (error as { code?: string }).code, error);
    record.reject(error);
  }

  #release(record: StreamRecord): void {
    if (record.released) return;
    record.released = true;
    this.#tracker.delete(record);
    if (this.#draining && this.#tracker.size === 0) this.#shutdown();
  }

  /** Draining and no stream left: close the session, and the socket if the peer lingers. */
  #shutdown(): void {
    if (this.#isClosed || this.#grace !== undefined) return;
    this.#session.close();
    this.#grace = setTimeout(() => this.#socket.destroy(), CLOSE_GRACE);
  }

  readonly #expire = (record: StreamRecord): void => {
    const stream = record.stream;
    const open = stream !== undefined && !stream.closed && !stream.destroyed;
    // The slot is freed when the stream's close event follows the RST_STREAM.
    this.#fail(record, new Timeout(record.request.timeout), !open);
    if (open) stream.close(NGHTTP2_CANCEL);
  };

  readonly #onSettings = (): void => {
    const capacity = this.#computeCapacity();
    if (capacity === this.#capacity) return;
    this.#capacity = capacity;
    this.emit('capacity', capacity);
  };

  readonly #onGoaway = (code: number, lastStreamId: number, data?: Buffer): void => {
    this.#goaway = { code, lastStreamId, reason: parseGoawayReason(data) };
    // Streams above lastStreamId were never processed (RFC 9113 §6.8): fail them now.
    for (const record of this.#tracker.snapshot()) {
      const id = record.stream?.id;
      if (id !== undefined && id > lastStreamId) this.#fail(record, closedError(id, undefined, this.#goaway, undefined));
    }
    this.#drain('goaway');
  };

  readonly #onClose = (): void => {
    this.#isClosed = true;
    this.#ping.stop();
    clearTimeout(this.#grace);
    for (const record of this.#tracker.snapshot()) {
      this.#fail(record, closedError(record.stream?.id, record.stream?.rstCode, this.#goaway, this.#cause));
      this.#release(record);
    }
    this.#tracker.stop();
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
    if (this.#tracker.size === 0) this.#shutdown();
  }

  #computeCapacity(): number {
    const remote = this.#session.remoteSettings.maxConcurrentStreams ?? Number.POSITIVE_INFINITY;
    return Math.max(0, Math.min(this.#options.maxConcurrentStreams, remote));
  }

  #notAccepting(): Closed {
    const state = this.#isClosed ? 'closed' : 'draining';
    return new Closed(`The connection is ${state}; the request was not sent`, { processed: false, goawayReason: this.#goaway?.reason });
  }

  #publish(record: StreamRecord, status: number, reason: string | undefined, error: Error | undefined): void {
    requestEndChannel.publish({
      connectionId: this.#id,
      origin: this.#origin,
      path: record.request.path,
      status,
      reason,
      latency: performance.now() - record.start,
      error,
    });
  }
}

function onData(this: TrackedStream, chunk: Buffer): void {
  this[kRecord]?.chunks?.push(chunk);
}

function onStreamError(this: TrackedStream, error: Error): void {
  const record = this[kRecord];
  if (record !== undefined) record.error ??= error;
}

function authError(error: unknown): Error {
  return error instanceof APNSError ? error : new APNSError('The auth hook failed to provide headers', 'ERR_PUSHWIRE_AUTH', false, { cause: error });
}
