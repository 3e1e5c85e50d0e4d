/**
 * OpenTelemetry traces of a client, switched on with the `tracing` option.
 *
 * One span per notification sent to a device: `client.sendNotification()`,
 * and each token of `client.sendMany()` (a `Session`'s clients are clients
 * like any other). The span is named `apns send`, of kind CLIENT, and runs
 * from the moment the send is handed to the client's pool (after local
 * validation: a send refused as bad input makes no span, nothing was sent)
 * to its outcome, retries included; it ends exactly once. Channel
 * management and broadcasts make no span.
 *
 * Spans are made here, in the api tier, around the pool's `post()`: a
 * client without `tracing` starts nothing, and its sends pay nothing (the
 * choice is made once, when the client is made). Each retry is a span event
 * `pushwire.retry` (`pushwire.attempt`, and the failure retried as
 * `pushwire.reason` or `error.type`), heard on the pool's
 * `pushwire:pool:retry` diagnostics channel, which names the request.
 *
 * `@opentelemetry/api` is an optional peer dependency: `tracing: true`
 * imports it lazily (when the client is made) and takes its global tracer
 * provider (without the package, tracing is off and the `logger` hears a
 * warning); `tracing: { tracerProvider }` uses yours and imports the package
 * only to find the active context (without it, spans have no parent).
 *
 * Attributes: `server.address` (the origin's host), `pushwire.origin`,
 * `apns.topic`, `apns.push_type`, `apns.id` (when one was sent or answered),
 * `pushwire.outcome` (`sent`, `rejected`, `not-sent` or `unknown`, as an
 * error's `outcome`), and when answered `http.response.status_code` and
 * `pushwire.attempts`; a rejection adds `pushwire.reason`, a failure without
 * an answer `error.type` (the error class) and `pushwire.attempts` when it
 * was attempted. Never the device token, the JWT
 * or the payload. Every outcome but `sent` sets the status to ERROR, with
 * the APNs reason or the error class as its message.
 * @module
 */
import { APNSError, InvalidArgumentError, describeValue, errorFields, log, logSafe, type Logger, type Outcome } from '@pushwire/models';
import type { Request } from '@pushwire/connection';
import dc from 'node:diagnostics_channel';
import { poolDiagnostics, type PoolResponse, type PoolRetryMessage, type PoolSettleMessage } from '@pushwire/pool';
import { isUuid } from './ids.js';
import { originAttributes } from './origin-attributes.js';

/** Attributes of a span (OpenTelemetry's `Attributes`, narrowed). */
export type SpanAttributes = Record<string, string | number | boolean>;

/** The part of an OpenTelemetry `Span` pushwire uses (structural: any `Span` fits). */
export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** `code` is OpenTelemetry's `SpanStatusCode` (2: ERROR). */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Retries are events (every OpenTelemetry `Span` has it; a span without it records none). */
  addEvent?(name: string, attributes?: SpanAttributes): unknown;
  end(): void;
}

/** The part of an OpenTelemetry `Tracer` pushwire uses (structural: any `Tracer` fits). */
export interface TracerLike {
  /**
   * `options.kind` is OpenTelemetry's `SpanKind` (2: CLIENT); `context`, an
   * OpenTelemetry `Context`, is the parent's (the active one).
   */
  startSpan(name: string, options?: { kind?: number; attributes?: SpanAttributes }, context?: unknown): SpanLike;
}

/** The part of an OpenTelemetry `TracerProvider` pushwire uses (the SDK's `BasicTracerProvider` and `NodeTracerProvider` fit). */
export interface TracerProviderLike {
  getTracer(name: string, version?: string): TracerLike;
}

/**
 * The `tracing` option: `true` takes `@opentelemetry/api`'s global tracer
 * provider (a no-op when the package is not installed), `{ tracerProvider }`
 * a provider of your own (tests, several exporters). `false` or absent: off.
 */
export type TracingOption = boolean | { tracerProvider: TracerProviderLike };

/** The name pushwire's tracer is made under. */
export const TRACER_NAME = '@pushwire/api';
/** The name of every send's span. */
export const SPAN_NAME = 'apns send';

/** OpenTelemetry's `SpanKind.CLIENT` and `SpanStatusCode.ERROR` (numbers: the enums are not imported). */
const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

/** Checks the `tracing` option. @internal */
export function checkTracing(value: unknown): void {
  if (value === undefined || typeof value === 'boolean') return;
  const provider = typeof value === 'object' && value !== null ? (value as { tracerProvider?: unknown }).tracerProvider : undefined;
  if (typeof provider !== 'object' || provider === null || typeof (provider as { getTracer?: unknown }).getTracer !== 'function') {
    throw new InvalidArgumentError('tracing', `expected true, false or { tracerProvider } (an OpenTelemetry TracerProvider), got ${describeValue(value)}`);
  }
}

/** What a traced client needs: the tracer, and the active context when `@opentelemetry/api` is there. @internal */
export interface Tracing {
  readonly tracer: TracerLike;
  /** The active OpenTelemetry context (the parent of a new span), or `undefined` without the api package. */
  readonly active: (() => unknown) | undefined;
}

interface OtelApi {
  trace?: { getTracerProvider(): TracerProviderLike };
  context?: { active(): unknown };
}

async function importApi(): Promise<OtelApi> {
  // A variable specifier: bundlers and the type checker leave the optional peer alone.
  const name = '@opentelemetry/api';
  return (await import(name)) as OtelApi;
}

/**
 * The tracer the option asks for, or `undefined` (off, or `tracing: true`
 * without `@opentelemetry/api`). The import is dynamic and only made when
 * tracing is on.
 * @internal
 */
export async function resolveTracing(option: TracingOption | undefined, logger: Logger | undefined): Promise<Tracing | undefined> {
  if (option === undefined || option === false) return undefined;
  let otel: OtelApi | undefined;
  let failure: unknown;
  try {
    otel = await importApi();
  } catch (error) {
    failure = error;
  }
  const context = otel?.context;
  const active = context === undefined ? undefined : () => context.active();
  if (option !== true) return { tracer: option.tracerProvider.getTracer(TRACER_NAME), active };
  if (otel?.trace === undefined) {
    log(logger, 'warn', { cause: errorFields(failure) }, 'pushwire: tracing: true, but @opentelemetry/api could not be loaded; tracing is off');
    return undefined;
  }
  return { tracer: otel.trace.getTracerProvider().getTracer(TRACER_NAME), active };
}

type Post = (request: Request, signal?: AbortSignal) => Promise<PoolResponse>;

/**
 * `post` with a span around each call: started at the call, ended once with
 * the outcome. A tracer that throws never fails the send. `stop()` (when the
 * client has closed) ends its share of the pool subscriptions.
 * @internal
 */
export function traced(tracing: Tracing, origin: string, post: Post): { post: Post; stop: () => void } {
  const base = originAttributes(origin);
  const stop = hearPool();
  const withSpan: Post = (request, signal) => {
    const span = startSendSpan(tracing, base, request);
    let posted: Promise<PoolResponse>;
    try {
      posted = post(request, signal);
    } catch (error) {
      failSendSpan(span, error);
      throw error;
    }
    if (span === undefined) return posted;
    LIVE.set(request, span);
    const sentId = request.headers['apns-id'];
    return posted.then(
      (response) => {
        LIVE.delete(request);
        endSendSpan(span, sentId, response);
        return response;
      },
      (error: unknown) => {
        LIVE.delete(request);
        failSendSpan(span, error);
        throw error;
      },
    );
  };
  return { post: withSpan, stop };
}

/** The span of each traced send in progress, by the request the pool was given (one per send). */
const LIVE = new WeakMap<Request, SpanLike>();
/** Traced clients open: the pool's channels are heard while there is one. */
let open = 0;

/** A failed send's attempts: its error does not carry them, the pool's settle event does (it comes first). */
function onSettle(message: unknown): void {
  const { request, attempts, error } = message as PoolSettleMessage;
  if (error === undefined || attempts === 0) return;
  try {
    LIVE.get(request)?.setAttribute('pushwire.attempts', attempts);
  } catch {
    // A tracer's failure is not the send's.
  }
}

/** A retry: an event on its send's span. */
function onRetry(message: unknown): void {
  const { request, attempt, cause } = message as PoolRetryMessage;
  const span = LIVE.get(request);
  if (span?.addEvent === undefined) return;
  const reason = (cause as { response?: { reason?: unknown } } | undefined)?.response?.reason;
  const why: SpanAttributes =
    typeof reason === 'string' ? { 'pushwire.reason': logSafe(reason, 64) } : { 'error.type': logSafe(cause?.name ?? 'unknown', 64) };
  try {
    span.addEvent('pushwire.retry', { 'pushwire.attempt': attempt, ...why });
  } catch {
    // A tracer's failure is not the send's.
  }
}

/**
 * Hears the pool's retry and settle events while a traced client is open
 * (once for all of them); the returned function ends this client's share.
 * Without one, nothing is subscribed and every pool's sends are back to one
 * `hasSubscribers` check.
 */
function hearPool(): () => void {
  if (open++ === 0) {
    dc.subscribe(poolDiagnostics.settle, onSettle);
    dc.subscribe(poolDiagnostics.retry, onRetry);
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    if (--open > 0) return;
    dc.unsubscribe(poolDiagnostics.settle, onSettle);
    dc.unsubscribe(poolDiagnostics.retry, onRetry);
  };
}

/**
 * Starts the span of one send, or `undefined` if the tracer threw (a broken
 * tracer never fails a send). Only header values go in: never the path,
 * which holds the device token, nor the body or the authorization header.
 */
function startSendSpan(tracing: Tracing, base: SpanAttributes, request: Request): SpanLike | undefined {
  try {
    const headers = request.headers;
    const attributes: SpanAttributes = { ...base };
    const topic = headers['apns-topic'];
    if (topic !== undefined) attributes['apns.topic'] = topic;
    const pushType = headers['apns-push-type'];
    if (pushType !== undefined) attributes['apns.push_type'] = pushType;
    const id = headers['apns-id'];
    if (id !== undefined) attributes['apns.id'] = id;
    const options = { kind: SPAN_KIND_CLIENT, attributes };
    return tracing.active === undefined ? tracing.tracer.startSpan(SPAN_NAME, options) : tracing.tracer.startSpan(SPAN_NAME, options, tracing.active());
  } catch {
    return undefined;
  }
}

/** Ends a send's span with APNs' answer. */
function endSendSpan(span: SpanLike | undefined, sentId: string | undefined, response: PoolResponse): void {
  if (span === undefined) return;
  try {
    const sent = response.status === 200;
    span.setAttribute('pushwire.outcome', sent ? 'sent' : 'rejected');
    span.setAttribute('http.response.status_code', response.status);
    span.setAttribute('pushwire.attempts', response.attempts);
    const answered = response.apnsId;
    // The answered id, when it is one (a broken server's is ignored, as `sendNotification` does).
    if (answered !== undefined && answered !== sentId && isUuid(answered)) span.setAttribute('apns.id', answered);
    if (!sent) {
      const reason = logSafe(response.reason ?? 'Unknown', 64);
      span.setAttribute('pushwire.reason', reason);
      span.setStatus({ code: STATUS_ERROR, message: reason });
    }
  } catch {
    // A tracer's failure is not the send's.
  }
  end(span);
}

/** Ends a send's span with the error it failed with. */
function failSendSpan(span: SpanLike | undefined, error: unknown): void {
  if (span === undefined) return;
  try {
    span.setAttribute('pushwire.outcome', failureOutcome(error));
    // The class only: a message may come from an app's hook and hold anything.
    const type = error instanceof Error ? logSafe(error.name, 64) : typeof error;
    span.setAttribute('error.type', type);
    const { status, reason } = error as { status?: unknown; reason?: unknown };
    if (typeof status === 'number' && status > 0) span.setAttribute('http.response.status_code', status);
    if (typeof reason === 'string') span.setAttribute('pushwire.reason', logSafe(reason, 64));
    span.setStatus({ code: STATUS_ERROR, message: type });
  } catch {
    // A tracer's failure is not the send's.
  }
  end(span);
}

function end(span: SpanLike): void {
  try {
    span.end();
  } catch {
    // Ditto.
  }
}

/** The error's own `outcome` (a pushwire error says it); anything else may have been processed: `'unknown'`. */
function failureOutcome(error: unknown): Exclude<Outcome, 'sent'> {
  if (error instanceof APNSError) {
    const outcome = error.outcome as string;
    if (outcome === 'rejected' || outcome === 'not-sent' || outcome === 'unknown') return outcome;
  }
  return 'unknown';
}
