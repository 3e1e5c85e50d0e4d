/**
 * In-flight bookkeeping: one record per `post()`, and one timer for all
 * deadlines (armed for the earliest one and swept, never a timer per stream).
 */
import { performance } from 'node:perf_hooks';
import type { Request } from './request.js';
import type { Response, ResponseSink } from './types.js';

/**
 * One request in flight. Plain fields: it is internal and on the hot path.
 * @internal
 */
export class StreamRecord {
  readonly request: Request;
  /** Hears the one outcome, with `tag`. */
  readonly sink: ResponseSink<unknown>;
  readonly tag: unknown;
  /** `performance.now()` deadline. */
  readonly deadline: number;
  /** `performance.now()` at `post()`, only when diagnostics listen (else 0). */
  readonly start: number;
  /** The HTTP/2 stream id, once the engine opened a stream (`undefined`: nothing was written). */
  streamId: number | undefined = undefined;
  /** The engine's own per-stream state (a `node:http2` stream, or the wire engine's record of windows). */
  handle: unknown = undefined;
  /** The RST_STREAM code the stream ended with, if it was reset. */
  rstCode: number | undefined = undefined;
  /** Auth headers sent with the request, if any. */
  auth: Readonly<Record<string, string>> | undefined = undefined;
  status = 0;
  headers: Record<string, string> | undefined = undefined;
  chunks: Buffer[] | undefined = undefined;
  /** Response-body bytes received so far (checked against `maxResponseBody`). */
  bodyBytes = 0;
  /** The promise has settled. */
  settled = false;
  /** The stream slot was given back. */
  released = false;
  /** The stream error, if the engine reported one. */
  error: Error | undefined = undefined;
  /** Body bytes the engine has not framed yet (they still need flow-control window). */
  unsent = 0;

  constructor(request: Request, sink: ResponseSink<unknown>, tag: unknown, now: number, start: number) {
    this.request = request;
    this.sink = sink;
    this.tag = tag;
    this.deadline = now + request.attemptTimeout;
    this.start = start;
  }

  /** Delivers the response; a throwing sink must not break the stream bookkeeping. */
  resolve(response: Response): void {
    try {
      this.sink.onResponse(this.tag, response);
    } catch (error) {
      rethrow(error);
    }
  }

  /** Delivers the error; a throwing sink must not break the stream bookkeeping. */
  reject(error: Error): void {
    deliverError(this.sink, this.tag, error);
  }
}

/**
 * Delivers an error to a sink; a throwing sink cannot throw out of the
 * caller (used for requests refused before they got a stream, too).
 * @internal
 */
export function deliverError(sink: ResponseSink<unknown>, tag: unknown, error: Error): void {
  try {
    sink.onError(tag, error);
  } catch (thrown) {
    rethrow(thrown);
  }
}

/** A sink's exception surfaces as an uncaught exception, outside our state changes. */
function rethrow(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/**
 * The set of in-flight records and their deadlines.
 * @internal
 */
export class StreamTracker {
  readonly #records = new Set<StreamRecord>();
  readonly #onExpire: (record: StreamRecord) => void;
  #timer: NodeJS.Timeout | undefined;
  #armedAt = Number.POSITIVE_INFINITY;

  constructor(onExpire: (record: StreamRecord) => void) {
    this.#onExpire = onExpire;
  }

  /** Records still holding a stream slot. */
  get size(): number {
    return this.#records.size;
  }

  add(record: StreamRecord): void {
    this.#records.add(record);
    if (record.deadline < this.#armedAt) this.#arm(record.deadline);
  }

  delete(record: StreamRecord): void {
    // The timer is left armed: a sweep that finds nothing is cheaper than
    // clearing and re-arming a timer for every request.
    this.#records.delete(record);
  }

  /** A snapshot, safe to iterate while records are removed. */
  snapshot(): StreamRecord[] {
    return [...this.#records];
  }

  /** Stops the timer (the connection closed). */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Number.NEGATIVE_INFINITY; // never re-arm
  }

  #arm(at: number): void {
    if (this.#armedAt === Number.NEGATIVE_INFINITY) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(this.#sweep, Math.max(1, Math.ceil(at - performance.now())));
    this.#timer.unref();
  }

  readonly #sweep = (): void => {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    let expired: StreamRecord[] | undefined;
    for (const record of this.#records) {
      if (record.settled) continue;
      if (record.deadline <= now) (expired ??= []).push(record);
      else if (record.deadline < next) next = record.deadline;
    }
    if (expired !== undefined) for (const record of expired) this.#onExpire(record);
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
  };
}
