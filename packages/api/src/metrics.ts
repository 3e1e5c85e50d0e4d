/**
 * OpenTelemetry metrics of a client, switched on with the `metrics` option.
 *
 * Built from the pool's `node:diagnostics_channel` events
 * (`pushwire:pool:settle`, `pushwire:pool:retry`) and its `stats()`: a
 * client without `metrics` subscribes to nothing, so its sends pay one
 * `hasSubscribers` check each. `@opentelemetry/api` is an optional peer
 * dependency: `metrics: true` imports it lazily (when the client is made)
 * and takes its global meter provider; `metrics: { meterProvider }` needs no
 * import at all. Without the package, `metrics: true` is a no-op (the
 * `logger` hears a warning).
 *
 * The instruments (units: `{notification}`, `{retry}`, `ms`, `{connection}`):
 * - `pushwire.notifications.sent` counter: posts answered 2xx.
 * - `pushwire.notifications.rejected` counter: posts answered with a
 *   rejection, by `http.response.status_code` and `pushwire.reason`.
 * - `pushwire.notifications.errors` counter: posts that ended without an
 *   answer, by `error.type` (`Timeout`, `Closed`, `ConnectError`, …).
 * - `pushwire.retries` counter: retries, by `error.type` (or `pushwire.reason`
 *   for a retried APNs answer such as 500 or 429).
 * - `pushwire.send.duration` histogram (ms): `post()` to outcome, retries included.
 * - `pushwire.queue.duration` histogram (ms): `post()` to the first attempt on a connection.
 * - `pushwire.requests.in_flight`, `pushwire.queue.size`,
 *   `pushwire.connections` gauges: the pool's streams open, posts queued,
 *   connections open.
 *
 * Every one carries `server.address` (the origin's host) and `pushwire.origin`.
 * @module
 */
import dc from 'node:diagnostics_channel';
import { InvalidArgumentError, describeValue, errorFields, log, type Logger } from '@pushwire/models';
import { poolDiagnostics, type Pool, type PoolRetryMessage, type PoolSettleMessage } from '@pushwire/pool';
import { originAttributes } from './origin-attributes.js';

/** Attributes of a measurement (OpenTelemetry's `Attributes`, narrowed). */
export type MetricAttributes = Record<string, string | number>;

/** The part of an OpenTelemetry `Meter` pushwire uses (structural: any `Meter` fits). */
export interface MeterLike {
  createCounter(name: string, options?: { description?: string; unit?: string }): { add(value: number, attributes?: MetricAttributes): void };
  createHistogram(name: string, options?: { description?: string; unit?: string }): { record(value: number, attributes?: MetricAttributes): void };
  createObservableGauge(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    addCallback(callback: (result: { observe(value: number, attributes?: MetricAttributes): void }) => void): void;
    removeCallback(callback: (result: { observe(value: number, attributes?: MetricAttributes): void }) => void): void;
  };
}

/** The part of an OpenTelemetry `MeterProvider` pushwire uses (the SDK's `MeterProvider` fits). */
export interface MeterProviderLike {
  getMeter(name: string, version?: string): MeterLike;
}

/**
 * The `metrics` option: `true` takes `@opentelemetry/api`'s global meter
 * provider (a no-op when the package is not installed), `{ meterProvider }`
 * a provider of your own (tests, several exporters). `false` or absent: off.
 */
export type MetricsOption = boolean | { meterProvider: MeterProviderLike };

/** The name pushwire's meter is made under. */
export const METER_NAME = '@pushwire/api';

/** Checks the `metrics` option. @internal */
export function checkMetrics(value: unknown): void {
  if (value === undefined || typeof value === 'boolean') return;
  const provider = typeof value === 'object' && value !== null ? (value as { meterProvider?: unknown }).meterProvider : undefined;
  if (typeof provider !== 'object' || provider === null || typeof (provider as { getMeter?: unknown }).getMeter !== 'function') {
    throw new InvalidArgumentError('metrics', `expected true, false or { meterProvider } (an OpenTelemetry MeterProvider), got ${describeValue(value)}`);
  }
}

/**
 * The meter the option asks for, or `undefined` (off, or `@opentelemetry/api`
 * is not installed). The import is dynamic and only made for `metrics: true`.
 * @internal
 */
export async function resolveMeter(option: MetricsOption | undefined, logger: Logger | undefined): Promise<MeterLike | undefined> {
  if (option === undefined || option === false) return undefined;
  if (option !== true) return option.meterProvider.getMeter(METER_NAME);
  try {
    // A variable specifier: bundlers and the type checker leave the optional peer alone.
    const name = '@opentelemetry/api';
    const otel = (await import(name)) as { metrics?: { getMeterProvider(): MeterProviderLike } };
    return otel.metrics?.getMeterProvider().getMeter(METER_NAME);
  } catch (error) {
    log(logger, 'warn', { cause: errorFields(error) }, 'pushwire: metrics: true, but @opentelemetry/api could not be loaded; metrics are off');
    return undefined;
  }
}

interface Instruments {
  readonly sent: ReturnType<MeterLike['createCounter']>;
  readonly rejected: ReturnType<MeterLike['createCounter']>;
  readonly errors: ReturnType<MeterLike['createCounter']>;
  readonly retries: ReturnType<MeterLike['createCounter']>;
  readonly duration: ReturnType<MeterLike['createHistogram']>;
  readonly queued: ReturnType<MeterLike['createHistogram']>;
  readonly inFlight: ReturnType<MeterLike['createObservableGauge']>;
  readonly queueSize: ReturnType<MeterLike['createObservableGauge']>;
  readonly connections: ReturnType<MeterLike['createObservableGauge']>;
}

/** One set of instruments per meter: every client of a process reports into the same ones. */
const INSTRUMENTS = new WeakMap<MeterLike, Instruments>();

function instrumentsOf(meter: MeterLike): Instruments {
  let found = INSTRUMENTS.get(meter);
  if (found !== undefined) return found;
  const notifications = '{notification}';
  found = {
    sent: meter.createCounter('pushwire.notifications.sent', { description: 'Notifications APNs accepted (2xx)', unit: notifications }),
    rejected: meter.createCounter('pushwire.notifications.rejected', { description: 'Notifications APNs rejected, by status and reason', unit: notifications }),
    errors: meter.createCounter('pushwire.notifications.errors', { description: 'Sends that ended without an answer, by error class', unit: notifications }),
    retries: meter.createCounter('pushwire.retries', { description: 'Retries of a send, by the failure retried', unit: '{retry}' }),
    duration: meter.createHistogram('pushwire.send.duration', { description: 'Time from send to outcome, retries included', unit: 'ms' }),
    queued: meter.createHistogram('pushwire.queue.duration', { description: 'Time from send to its first attempt on a connection', unit: 'ms' }),
    inFlight: meter.createObservableGauge('pushwire.requests.in_flight', { description: 'Streams open on the connections', unit: '{request}' }),
    queueSize: meter.createObservableGauge('pushwire.queue.size', { description: 'Sends waiting for a stream', unit: notifications }),
    connections: meter.createObservableGauge('pushwire.connections', { description: 'Connections open (ready or draining)', unit: '{connection}' }),
  };
  INSTRUMENTS.set(meter, found);
  return found;
}

/**
 * Reports `pool`'s sends to `meter` until the returned function is called.
 * @internal
 */
export function instrumentPool(pool: Pool, meter: MeterLike): () => void {
  const instruments = instrumentsOf(meter);
  const base: MetricAttributes = originAttributes(pool.origin);
  const onSettle = (message: unknown): void => {
    const m = message as PoolSettleMessage;
    if (m.pool !== pool) return;
    instruments.duration.record(m.duration, base);
    if (m.queued !== undefined) instruments.queued.record(m.queued, base);
    if (m.error !== undefined) instruments.errors.add(1, { ...base, 'error.type': m.error.name });
    else if (m.status >= 200 && m.status < 300) instruments.sent.add(1, base);
    else instruments.rejected.add(1, { ...base, 'http.response.status_code': m.status, 'pushwire.reason': m.reason ?? 'none' });
  };
  const onRetry = (message: unknown): void => {
    const m = message as PoolRetryMessage;
    if (m.pool !== pool) return;
    const reason = (m.cause as { response?: { reason?: unknown } } | undefined)?.response?.reason;
    instruments.retries.add(1, typeof reason === 'string' ? { ...base, 'pushwire.reason': reason } : { ...base, 'error.type': m.cause?.name ?? 'unknown' });
  };
  type Observer = Parameters<Parameters<Instruments['inFlight']['addCallback']>[0]>[0];
  const gauges: Array<[Instruments['inFlight'], (result: Observer) => void]> = [
    [instruments.inFlight, (result) => result.observe(pool.stats().inFlight, base)],
    [instruments.queueSize, (result) => result.observe(pool.queued, base)],
    [instruments.connections, (result) => result.observe(pool.stats().connections, base)],
  ];
  dc.subscribe(poolDiagnostics.settle, onSettle);
  dc.subscribe(poolDiagnostics.retry, onRetry);
  for (const [gauge, callback] of gauges) gauge.addCallback(callback);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    dc.unsubscribe(poolDiagnostics.settle, onSettle);
    dc.unsubscribe(poolDiagnostics.retry, onRetry);
    for (const [gauge, callback] of gauges) gauge.removeCallback(callback);
  };
}
