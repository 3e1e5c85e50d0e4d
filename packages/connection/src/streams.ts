/**
 * The stream side of a connection: opens one HTTP/2 stream per request on
 * the engine's session, turns the engine's stream events into exactly one
 * settlement per request, and keeps the slot count honest.
 */
import { performance } from 'node:perf_hooks';
import { requestEndChannel } from './diagnostics.js';
import type { Session, StreamEvents } from './engine.js';
import { Closed, Timeout } from './errors.js';
import { closedError, type GoawayInfo } from './goaway.js';
import type { Request } from './request.js';
import { buildResponse, isAuthRejection } from './response.js';
import { StreamRecord, StreamTracker } from './stream-tracker.js';
import type { AuthAction, AuthContext, AuthHook, Response, ResponseSink } from './types.js';

/** What the stream side needs from its connection. @internal */
export interface StreamHost {
  readonly connectionId: number;
  readonly origin: string;
  readonly auth: AuthHook | undefined;
  readonly authContext: AuthContext;
  /** The most body bytes kept per response (`maxResponseBody`). */
  readonly maxResponseBody: number;
  goaway(): GoawayInfo | undefined;
  cause(): Error | undefined;
  /** A response arrived (for the PING monitor). */
  activity(): void;
  /** The auth hook asked for a new connection. */
  reconnect(): void;
  /** The last stream slot was given back. */
  idle(): void;
  /** The session refused a new stream (it may have been destroyed under us). */
  refused(error: unknown): void;
  /** A slot was given back after its request's outcome was delivered. */
  freed?(): void;
  /** A body was framed, or a stream ended: flow-control room may have come back. */
  progress?(): void;
}

/** @internal */
export class Streams implements StreamEvents {
  readonly #host: StreamHost;
  readonly #session: Session;
  readonly #tracker: StreamTracker;
  #unsent = 0;

  constructor(host: StreamHost, session: Session) {
    this.#host = host;
    this.#session = session;
    this.#tracker = new StreamTracker(this.#expire);
  }

  /** Slots in use. */
  get size(): number {
    return this.#tracker.size;
  }

  /**
   * Body bytes of the requests in flight that the engine has not framed yet:
   * they will take that much of the server's connection window.
   */
  get unsent(): number {
    return this.#unsent;
  }

  /** Tracks a new request (its deadline starts now). */
  start(request: Request, sink: ResponseSink<unknown>, tag: unknown): StreamRecord {
    const now = performance.now();
    const record = new StreamRecord(request, sink, tag, now, now);
    record.unsent = request.body.length;
    this.#unsent += record.unsent;
    this.#tracker.add(record);
    return record;
  }

  /** Opens the stream and writes the body. */
  open(record: StreamRecord, auth: Readonly<Record<string, string>> | undefined): void {
    try {
      this.#session.open(record, auth);
    } catch (error) {
      this.#refuse(record, error);
    }
  }

  /** The session would not open a stream: nothing was written; the host learns why. */
  #refuse(record: StreamRecord, error: unknown): void {
    const goawayReason = this.#host.goaway()?.reason;
    this.fail(record, new Closed('The session refused a new stream', { outcome: 'not-sent', cause: error, goawayReason }));
    this.#host.refused(error);
  }

  bodySent(record: StreamRecord): void {
    if (record.unsent === 0) return;
    this.#unsent -= record.unsent;
    record.unsent = 0;
    this.#host.progress?.();
  }

  /** Fails (once) and, unless told otherwise, frees the slot. */
  fail(record: StreamRecord, error: Error, release = true): void {
    if (record.settled) return;
    record.settled = true;
    if (release) this.#release(record);
    if (requestEndChannel.hasSubscribers) this.#publish(record, 0, (error as { code?: string }).code, error);
    record.reject(error);
  }

  /** GOAWAY: streams above `lastStreamId` were never processed (RFC 9113 §6.8). */
  failAbove(goaway: GoawayInfo): void {
    for (const record of this.#tracker.snapshot()) {
      const id = record.streamId;
      if (id !== undefined && id > goaway.lastStreamId) this.fail(record, closedError(id, undefined, goaway, undefined));
    }
  }

  /** The session closed: anything left fails, and the deadline timer stops. */
  closeAll(): void {
    for (const record of this.#tracker.snapshot()) {
      this.fail(record, closedError(record.streamId, record.rstCode, this.#host.goaway(), this.#host.cause()));
      this.#release(record);
    }
    this.#tracker.stop();
  }

  response(record: StreamRecord, status: number, headers: Record<string, string>, endStream: boolean): void {
    if (record.settled) return;
    this.#host.activity();
    record.status = status;
    record.headers = headers;
    // APNs answers a push's 200 with HEADERS + END_STREAM: settle without touching the body.
    if (endStream) return this.complete(record);
    // Errors and channel reads (200 with JSON) have a body.
    record.chunks = [];
  }

  /**
   * Keeps a body chunk while the body stays within `maxResponseBody`. Past
   * it the body is dropped unread and the stream reset, so a hostile or
   * broken peer cannot make the process buffer without bound (an endless
   * body, or one too big for a string). The status came first and stands:
   * the request settles with it, without a body.
   */
  data(record: StreamRecord, chunk: Buffer): void {
    const chunks = record.chunks;
    if (chunks === undefined || record.settled) return;
    record.bodyBytes += chunk.length;
    if (record.bodyBytes <= this.#host.maxResponseBody) {
      chunks.push(chunk);
      return;
    }
    record.chunks = undefined;
    const open = this.#session.isOpen(record);
    // Like a timeout: the slot comes back with the stream's close, after the RST_STREAM.
    this.complete(record, !open);
    if (open) this.#session.cancel(record);
  }

  /** The response ended after its body. */
  end(record: StreamRecord): void {
    if (!record.settled) this.complete(record);
  }

  closed(record: StreamRecord, rstCode: number | undefined, error: Error | undefined): void {
    record.rstCode = rstCode;
    if (error !== undefined) record.error ??= error;
    if (!record.settled) {
      // Headers without END_STREAM, then a reset: the status is still an answer.
      if (record.status !== 0) this.complete(record);
      else this.fail(record, closedError(record.streamId, rstCode, this.#host.goaway(), record.error ?? this.#host.cause()));
    } else if (!record.released) {
      // The outcome (a timeout) went out before the slot came back, after
      // RST_STREAM: tell the host a stream is free again.
      this.#release(record);
      this.#host.freed?.();
      return;
    }
    this.#release(record);
  }

  /** Resolves with the response; auth rejections go through the hook first. */
  complete(record: StreamRecord, release = true): void {
    let response: Response;
    try {
      response = buildResponse(record.status, record.headers ?? {}, record.chunks);
      if (record.bodyBytes > this.#host.maxResponseBody) response = { ...response, bodyDropped: true };
    } catch (error) {
      // Decoding must never throw out of an engine's event handler (an
      // uncaught exception would take the process down): the request settles.
      const problem = new Closed(`The response (status ${record.status}) could not be read: APNs may have processed the request`, { outcome: 'unknown', cause: error });
      return this.fail(record, problem, release);
    }
    record.chunks = undefined;
    record.settled = true;
    if (release) this.#release(record);
    const auth = this.#host.auth;
    if (auth?.onRejection !== undefined && isAuthRejection(response.status, response.reason)) {
      const context: AuthContext = { ...this.#host.authContext, sentHeaders: record.auth };
      Promise.resolve()
        .then(() => auth.onRejection?.(response.reason as string, context) ?? 'none')
        .catch(() => 'none' as const)
        .then((authAction: AuthAction) => {
          if (authAction === 'reconnect') this.#host.reconnect();
          if (requestEndChannel.hasSubscribers) this.#publish(record, response.status, response.reason, undefined);
          record.resolve({ ...response, authAction });
        });
      return;
    }
    if (requestEndChannel.hasSubscribers) this.#publish(record, response.status, response.reason, undefined);
    record.resolve(response);
  }

  #release(record: StreamRecord): void {
    if (record.released) return;
    record.released = true;
    // A stream that ended before its body was framed (reset, refused) sends no more of it.
    this.#unsent -= record.unsent;
    record.unsent = 0;
    this.#tracker.delete(record);
    if (this.#tracker.size === 0) this.#host.idle();
    this.#host.progress?.();
  }

  readonly #expire = (record: StreamRecord): void => {
    const open = this.#session.isOpen(record);
    // The slot is freed by the stream's close event, after the RST_STREAM.
    // Not yet opened (auth headers pending): nothing was written.
    const outcome = record.handle === undefined ? 'not-sent' : 'unknown';
    this.fail(record, new Timeout(record.request.attemptTimeout, undefined, { outcome }), !open);
    if (open) this.#session.cancel(record);
  };

  #publish(record: StreamRecord, status: number, reason: string | undefined, error: Error | undefined): void {
    requestEndChannel.publish({
      connectionId: this.#host.connectionId,
      origin: this.#host.origin,
      path: record.request.path,
      status,
      reason,
      latency: performance.now() - record.start,
      error,
    });
  }
}
