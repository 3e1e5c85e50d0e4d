/**
 * OpenTelemetry traces (the `tracing` option), with the real SDK's
 * in-memory exporter: one CLIENT span `apns send` per notification sent,
 * ended once with the outcome the app sees, no token or secret in it, a
 * parent from the active context; none when off; a bad value refused.
 */
import dc from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { ROOT_CONTEXT, context, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MockApnsServer } from '@pushwire/mock-server';
import { InvalidArgumentError, Server, type APNSError, type SpanLike, type TokenOutcome, type TracerProviderLike } from '../src/index.js';
import { IdDeriver } from '../src/ids.js';
import { TOPIC, serverFor, tokens } from './helpers.js';

const SPAN_KIND_CLIENT = 2;
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;
/** In the payload: must not reach a span. */
const PAYLOAD_TEXT = 'payload-text-that-must-not-be-traced';

function tracer(): { provider: BasicTracerProvider; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { provider, exporter };
}

/** `provider` seen through the structural type, counting each span's `end()` calls and keeping the context each span was started in. */
function counting(provider: BasicTracerProvider): { tracerProvider: TracerProviderLike; ends: Map<string, number>; started: () => number; parents: unknown[] } {
  const ends = new Map<string, number>();
  const parents: unknown[] = [];
  let started = 0;
  // The SDK's provider fits the structural type as it is.
  const real: TracerProviderLike = provider;
  const tracerProvider: TracerProviderLike = {
    getTracer(name, version) {
      const inner = real.getTracer(name, version);
      return {
        startSpan(spanName, options, parent) {
          started++;
          parents.push(parent);
          const span = inner.startSpan(spanName, options, parent) as SpanLike & { spanContext(): { spanId: string } };
          const end = span.end.bind(span);
          const id = span.spanContext().spanId;
          span.end = () => {
            ends.set(id, (ends.get(id) ?? 0) + 1);
            end();
          };
          return span;
        },
      };
    },
  };
  return { tracerProvider, ends, started: () => started, parents };
}

/** Every string a span carries: name, attribute keys and values, events, links, status message. */
function strings(span: ReadableSpan): string[] {
  const out = [span.name, span.status.message ?? ''];
  const add = (attributes: Record<string, unknown> | undefined): void => {
    for (const [key, value] of Object.entries(attributes ?? {})) out.push(key, String(value));
  };
  add(span.attributes);
  for (const event of span.events) {
    out.push(event.name);
    add(event.attributes);
  }
  for (const link of span.links) add(link.attributes);
  return out;
}

/** A synchronous context manager (the SDK's async-hooks one is another package): enough for a send's synchronous start. */
class StackContextManager implements ContextManager {
  #stack: Context[] = [];
  active(): Context {
    return this.#stack.at(-1) ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    this.#stack.push(ctx);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#stack.pop();
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#stack = [];
    return this;
  }
}

describe('tracing', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => mock.stop());
  afterEach(() => {
    trace.disable();
    context.disable();
  });

  test('a bulk send with 410s, a 400, a 500 retried once, a REFUSED_STREAM once and a timeout: one span per token sent, ended once, matching its outcome, retries as events', async () => {
    const { provider, exporter } = tracer();
    const { tracerProvider, ends, started } = counting(provider);
    const good = tokens(12);
    const gone = tokens(3);
    const [bad, failedOnce, refusedOnce, slow] = tokens(4) as [string, string, string, string];
    gone.forEach((t) => mock.unregisterDevice(t, { timestamp: 1_750_000_000_000, reason: 'Unregistered' }));
    mock.inject({ kind: 'status', status: 400, reason: 'BadDeviceToken', token: bad });
    mock.inject({ kind: 'status', status: 500, reason: 'InternalServerError', token: failedOnce, times: 1 });
    mock.inject({ kind: 'rst', code: 'REFUSED_STREAM', token: refusedOnce, times: 1 });
    mock.inject({ kind: 'delay', ms: 4000, token: slow });
    const client = await serverFor(mock).createClient({ timeout: 1500, backoff: { minDelay: 1, maxDelay: 5 }, tracing: { tracerProvider } });

    const sent = [...good, ...gone, bad, failedOnce, refusedOnce, slow];
    const results = new Map<string, TokenOutcome>();
    const idempotencyKey = '6f9619ff-8b86-d011-b42d-00cf4fc964ff';
    // A locally invalid token is refused before the pool: no span.
    const batch = await client.sendMany([...sent, 'not-a-token'], { alert: PAYLOAD_TEXT }, { topic: TOPIC, pushType: 'alert' }, {
      idempotencyKey,
      onResult: (outcome) => results.set(outcome.token, outcome),
    });
    expect(batch.counts).toMatchObject({ sent: 14, failed: 5, errors: 1 });
    // While a traced client is open the pool's events are heard; once the last one closes, nothing is.
    const settle = dc.channel('pushwire:pool:settle');
    const retry = dc.channel('pushwire:pool:retry');
    expect([settle.hasSubscribers, retry.hasSubscribers]).toEqual([true, true]);
    await client.close();
    expect([settle.hasSubscribers, retry.hasSubscribers]).toEqual([false, false]);

    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(sent.length);
    expect(started()).toBe(sent.length);
    expect(ends.size).toBe(sent.length);
    for (const count of ends.values()) expect(count).toBe(1);

    // Each token's span, found by the apns-id the batch derived for it.
    const ids = new IdDeriver(idempotencyKey);
    const byId = new Map(spans.map((s) => [s.attributes['apns.id'], s]));
    expect(byId.size).toBe(sent.length);
    const host = new URL(mock.origin).hostname;
    for (const token of sent) {
      const span = byId.get(ids.idFor(token));
      const result = results.get(token);
      if (span === undefined || result === undefined) throw new Error(`no span or result for a token`);
      expect(span.name).toBe('apns send');
      expect(span.kind).toBe(SPAN_KIND_CLIENT);
      expect(span.ended).toBe(true);
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.attributes).toMatchObject({
        'server.address': host,
        'pushwire.origin': mock.origin,
        'apns.topic': TOPIC,
        'apns.push_type': 'alert',
      });
      if (result.kind === 'sent') {
        expect(span.attributes).toMatchObject({ 'pushwire.outcome': 'sent', 'http.response.status_code': 200 });
        expect(span.attributes['pushwire.reason']).toBeUndefined();
        expect(span.status.code).toBe(STATUS_UNSET);
      } else if (result.kind === 'failed') {
        expect(span.attributes).toMatchObject({ 'pushwire.outcome': 'rejected', 'http.response.status_code': result.status, 'pushwire.reason': result.reason });
        expect(span.status).toEqual({ code: STATUS_ERROR, message: result.reason });
      } else {
        const { outcome } = result.error as APNSError;
        expect(span.attributes).toMatchObject({ 'pushwire.outcome': outcome, 'error.type': result.error.name });
        expect(span.attributes['http.response.status_code']).toBeUndefined();
        expect(span.status).toEqual({ code: STATUS_ERROR, message: result.error.name });
      }
    }
    // The outcomes themselves: 410s and the 400 rejected, the retried ones sent on attempt 2, the slow one unknown.
    const attrs = (token: string): ReadableSpan['attributes'] => byId.get(ids.idFor(token))!.attributes;
    for (const token of gone) expect(attrs(token)).toMatchObject({ 'pushwire.outcome': 'rejected', 'http.response.status_code': 410, 'pushwire.reason': 'Unregistered' });
    expect(attrs(bad)).toMatchObject({ 'pushwire.outcome': 'rejected', 'http.response.status_code': 400, 'pushwire.reason': 'BadDeviceToken', 'pushwire.attempts': 1 });
    expect(attrs(failedOnce)).toMatchObject({ 'pushwire.outcome': 'sent', 'pushwire.attempts': 2 });
    expect(attrs(refusedOnce)).toMatchObject({ 'pushwire.outcome': 'sent', 'pushwire.attempts': 2 });
    expect(attrs(good[0]!)).toMatchObject({ 'pushwire.outcome': 'sent', 'pushwire.attempts': 1 });
    expect(attrs(slow)).toMatchObject({ 'pushwire.outcome': 'unknown', 'error.type': 'Timeout', 'pushwire.attempts': 1 });
    // Each retry is an event on its send's span, saying what was retried; no other span has one.
    const events = (token: string): Array<{ name: string; attributes: unknown }> =>
      byId.get(ids.idFor(token))!.events.map(({ name, attributes }) => ({ name, attributes }));
    expect(events(failedOnce)).toEqual([{ name: 'pushwire.retry', attributes: { 'pushwire.attempt': 2, 'pushwire.reason': 'InternalServerError' } }]);
    expect(events(refusedOnce)).toEqual([{ name: 'pushwire.retry', attributes: { 'pushwire.attempt': 2, 'error.type': 'Closed' } }]);
    for (const token of sent.filter((t) => t !== failedOnce && t !== refusedOnce)) expect(events(token)).toEqual([]);

    // No device token (whole or hex-cased), JWT, key or payload in any span.
    const key = mock.signingKey.key.toString();
    const keyRows = key.split('\n').filter((r) => r.length > 20 && !r.startsWith('-----'));
    for (const span of spans) {
      const text = strings(span).join('\n');
      for (const token of [...sent, 'not-a-token']) {
        expect(text).not.toContain(token);
        expect(text.toLowerCase()).not.toContain(token.slice(0, 16).toLowerCase());
      }
      expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
      expect(text.toLowerCase()).not.toContain('bearer');
      expect(text).not.toContain(PAYLOAD_TEXT);
      for (const row of keyRows) expect(text).not.toContain(row);
    }
    await provider.shutdown();
  });

  test('sendNotification: one span, in the active context; a send after close ends not-sent; with apnsId: false the answered id', async () => {
    const { provider, exporter } = tracer();
    const { tracerProvider, parents } = counting(provider);
    context.setGlobalContextManager(new StackContextManager());
    const client = await serverFor(mock).createClient({ topic: TOPIC, tracing: { tracerProvider } });
    const parent = provider.getTracer('app').startSpan('handle request');
    const [token, second, third] = tokens(3) as [string, string, string];
    const id = await context.with(trace.setSpan(context.active(), parent), () => client.sendNotification(token, { alert: PAYLOAD_TEXT }));
    parent.end();
    const answered = await client.sendNotification(second, { contentAvailable: true }, { pushType: 'background', priority: 5, apnsId: false });
    await client.close();
    const closed = await client.sendNotification(third, { alert: 'x' }).catch((error: unknown) => error);
    expect(closed).toMatchObject({ name: 'Closed', outcome: 'not-sent' });

    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'apns send');
    expect(spans).toHaveLength(3);
    const [first, noId, after] = spans as [ReadableSpan, ReadableSpan, ReadableSpan];
    // Started in the active context, passed explicitly (not left to the SDK's default).
    expect(parents).toHaveLength(3);
    expect(trace.getSpan(parents[0] as Context)).toBe(parent);
    expect(parents[1]).toBe(ROOT_CONTEXT);
    expect(first.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(first.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(first.attributes).toMatchObject({ 'apns.id': id, 'apns.topic': TOPIC, 'apns.push_type': 'alert', 'pushwire.outcome': 'sent', 'http.response.status_code': 200 });
    // Outside any context: a root span.
    expect(noId.parentSpanContext).toBeUndefined();
    expect(noId.attributes).toMatchObject({ 'apns.id': answered, 'apns.push_type': 'background', 'pushwire.outcome': 'sent' });
    expect(after.attributes).toMatchObject({ 'pushwire.outcome': 'not-sent', 'error.type': 'Closed' });
    expect(after.status).toEqual({ code: STATUS_ERROR, message: 'Closed' });
    for (const span of spans) for (const t of [token, second, third]) expect(strings(span).join('\n')).not.toContain(t);
    await provider.shutdown();
  });

  test('off by default and with false: no span; `tracing: true` takes the global provider', async () => {
    const { provider, exporter } = tracer();
    trace.setGlobalTracerProvider(provider);
    for (const options of [{}, { tracing: false }]) {
      const client = await serverFor(mock).createClient(options);
      await client.sendNotification(tokens(1)[0]!, { alert: 'hi' }, { topic: TOPIC });
      await client.sendMany(tokens(3), { alert: 'hi' }, { topic: TOPIC });
      await client.close();
    }
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    const global = await serverFor(mock).createClient({ tracing: true });
    await global.sendMany(tokens(3), { alert: 'hi' }, { topic: TOPIC });
    await global.close();
    expect(exporter.getFinishedSpans().map((s) => s.attributes['pushwire.outcome'])).toEqual(['sent', 'sent', 'sent']);
    await provider.shutdown();
  });

  test('a tracer that throws does not fail the send', async () => {
    const broken: TracerProviderLike = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error('broken tracer');
        },
      }),
    };
    const client = await serverFor(mock).createClient({ tracing: { tracerProvider: broken } });
    await expect(client.sendNotification(tokens(1)[0]!, { alert: 'hi' }, { topic: TOPIC })).resolves.toEqual(expect.any(String));
    const ending: TracerProviderLike = {
      getTracer: () => ({
        startSpan: () => ({
          setAttribute: () => {
            throw new Error('x');
          },
          setStatus: () => undefined,
          end: () => {
            throw new Error('y');
          },
        }),
      }),
    };
    const other = await serverFor(mock).createClient({ tracing: { tracerProvider: ending } });
    const batch = await other.sendMany(tokens(2), { alert: 'hi' }, { topic: TOPIC });
    expect(batch.counts.sent).toBe(2);
    await Promise.all([client.close(), other.close()]);
  });

  test('a bad `tracing` value is refused, naming `tracing`', async () => {
    for (const bad of [{ tracerProvider: {} }, { provider: 1 }, 'yes', 1, null]) {
      const error = await serverFor(mock)
        .createClient({ tracing: bad as never })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ field: 'tracing' });
      expect(() => Server.custom(mock.origin, { token: mock.signingKey }, { ca: mock.ca, tracing: bad as never })).toThrow(/Invalid tracing: expected true, false or \{ tracerProvider \}/);
    }
    // A typo is refused with the name near it.
    await expect(serverFor(mock).createClient({ tracng: true } as never)).rejects.toThrow(/did you mean `tracing`\?/);
  });
});
