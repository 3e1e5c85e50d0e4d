/**
 * Issue 19, items 2 and 3: OpenTelemetry metrics (the SDK's in-memory
 * exporter after a bulk send with rejections and faults) and the `logger`
 * option (lifecycle lines, and no secret in anything logged).
 */
import dc from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { Pool, poolDiagnostics } from '@pushwire/pool';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { InvalidArgumentError, type Logger } from '../src/index.js';
import { TOPIC, serverFor, tokens } from './helpers.js';

/** Every data point of the metric `name`, from the last collection. */
function points(metrics: MetricData[], name: string): Array<DataPoint<number | Histogram>> {
  return metrics.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as Array<DataPoint<number | Histogram>>);
}
function sum(metrics: MetricData[], name: string, where: Record<string, unknown> = {}): number {
  return points(metrics, name)
    .filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v))
    .reduce((total, p) => total + (p.value as number), 0);
}

function meter(): { provider: MeterProvider; collect: () => Promise<MetricData[]> } {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    collect: async () => {
      exporter.reset();
      await reader.forceFlush();
      return exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    },
  };
}

interface Line {
  readonly level: string;
  readonly fields: object;
  readonly message: string;
}
function capturingLogger(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (fields: object, message: string): void => {
      lines.push({ level, fields, message });
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

const settle = dc.channel(poolDiagnostics.settle);

describe('metrics', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => mock.stop());

  test('a bulk send with 410s, a 500 once, a REFUSED_STREAM once and a timeout: the counters, histograms and gauges', async () => {
    const { provider, collect } = meter();
    const good = tokens(20);
    const gone = tokens(3);
    const [failedOnce, refusedOnce, slow] = tokens(3) as [string, string, string];
    gone.forEach((t) => mock.unregisterDevice(t, { timestamp: 1_750_000_000_000, reason: 'Unregistered' }));
    mock.inject({ kind: 'status', status: 500, reason: 'InternalServerError', token: failedOnce, times: 1 });
    mock.inject({ kind: 'rst', code: 'REFUSED_STREAM', token: refusedOnce, times: 1 });
    mock.inject({ kind: 'delay', ms: 4000, token: slow });
    const client = await serverFor(mock).createClient({ timeout: 1500, backoff: { minDelay: 1, maxDelay: 5 }, metrics: { meterProvider: provider } });
    expect(settle.hasSubscribers).toBe(true);

    const batch = await client.sendMany([...good, ...gone, failedOnce, refusedOnce, slow], { alert: 'hi' }, { topic: TOPIC });
    expect(batch.counts).toMatchObject({ sent: 22, failed: 3, errors: 1 });

    const metrics = await collect();
    expect(sum(metrics, 'pushwire.notifications.sent')).toBe(22);
    expect(sum(metrics, 'pushwire.notifications.rejected')).toBe(3);
    expect(sum(metrics, 'pushwire.notifications.rejected', { 'pushwire.reason': 'Unregistered', 'http.response.status_code': 410 })).toBe(3);
    expect(sum(metrics, 'pushwire.notifications.errors', { 'error.type': 'Timeout' })).toBe(1);
    expect(sum(metrics, 'pushwire.retries')).toBe(2);
    expect(sum(metrics, 'pushwire.retries', { 'pushwire.reason': 'InternalServerError' })).toBe(1);
    expect(sum(metrics, 'pushwire.retries', { 'error.type': 'Closed' })).toBe(1);
    const duration = points(metrics, 'pushwire.send.duration').map((p) => p.value as Histogram);
    expect(duration.reduce((n, h) => n + h.count, 0)).toBe(26);
    expect(points(metrics, 'pushwire.queue.duration').reduce((n, p) => n + (p.value as Histogram).count, 0)).toBe(26);
    expect(points(metrics, 'pushwire.connections')[0]).toMatchObject({ attributes: { 'pushwire.origin': mock.origin } });
    expect(sum(metrics, 'pushwire.connections')).toBeGreaterThanOrEqual(1);
    expect(points(metrics, 'pushwire.requests.in_flight')).toHaveLength(1);
    expect(points(metrics, 'pushwire.queue.size')).toHaveLength(1);
    for (const m of metrics) expect(m.dataPointType === DataPointType.SUM || m.dataPointType === DataPointType.HISTOGRAM || m.dataPointType === DataPointType.GAUGE).toBe(true);

    await client.close();
    // Closed: nothing subscribed any more (the hot path is back to one hasSubscribers check).
    expect(settle.hasSubscribers).toBe(false);
    await provider.shutdown();
  });

  test('off by default: nothing subscribes; a bad `metrics` value is refused; `metrics: true` works with the global (no-op) provider', async () => {
    const client = await serverFor(mock).createClient();
    await client.sendNotification(tokens(1)[0]!, { alert: 'hi' }, { topic: TOPIC });
    expect(settle.hasSubscribers).toBe(false);
    await client.close();
    await expect(serverFor(mock).createClient({ metrics: { meter: 1 } as never })).rejects.toThrow(InvalidArgumentError);
    const global = await serverFor(mock).createClient({ metrics: true });
    await global.sendNotification(tokens(1)[0]!, { alert: 'hi' }, { topic: TOPIC });
    await global.close();
  });
});

describe('logger', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => mock.stop());

  test('lifecycle lines (open, GOAWAY drain, close, retry, fatal) and no key, JWT or whole token in them', async () => {
    const { logger, lines } = capturingLogger();
    const key = mock.signingKey.key.toString();
    const client = await serverFor(mock).createClient({ logger, connections: 1, backoff: { minDelay: 1, maxDelay: 5 } });
    const sent = tokens(4);
    mock.inject({ kind: 'rst', code: 'REFUSED_STREAM', token: sent[1]!, times: 1 });
    for (const token of sent) await client.sendNotification(token, { alert: 'hi' }, { topic: TOPIC });
    mock.goaway({ reason: 'Shutdown' });
    // The slot reconnects; a send after the drain goes on the new connection.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.sendNotification(tokens(1)[0]!, { alert: 'after' }, { topic: TOPIC });
    mock.inject({ kind: 'status', status: 403, reason: 'BadEnvironmentKeyIdInToken', times: 1 });
    const fatal = tokens(1)[0]!;
    await client.sendNotification(fatal, { alert: 'fatal' }, { topic: TOPIC }).catch(() => undefined);
    await client.close();
    sent.push(fatal);

    const messages = lines.map((l) => `${l.level} ${l.message}`);
    expect(messages).toContain('info pushwire: connection open');
    const drain = lines.find((l) => l.message === 'pushwire: connection draining' && (l.fields as { why?: string }).why === 'goaway');
    expect(drain?.fields).toMatchObject({ origin: mock.origin, goawayReason: 'Shutdown' });
    expect(lines.filter((l) => l.message === 'pushwire: connection closed').length).toBeGreaterThanOrEqual(2);
    expect(lines.find((l) => l.message === 'pushwire: retrying')?.fields).toMatchObject({ attempt: 2, cause: { type: 'Closed' } });
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ message: 'pushwire: fatal failure, the pool is closing' });
    expect(lines.some((l) => l.message === 'pushwire: reconnecting')).toBe(true);

    const output = JSON.stringify(lines);
    expect(output).not.toMatch(/PRIVATE KEY/);
    const rows = key.split('\n').filter((r) => r.length > 20 && !r.startsWith('-----'));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(output).not.toContain(row);
    // A token in a logged path is cut to its first 8 characters.
    const path = (lines.find((l) => l.message === 'pushwire: retrying')?.fields as { path: string }).path;
    expect(path).toBe(`/3/device/${sent[1]!.slice(0, 8)}…`);
    // A JWT (base64url JSON header, then payload and signature).
    expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
    expect(output.toLowerCase()).not.toContain('bearer');
    for (const token of sent) expect(output).not.toContain(token);
  });

  test('silent by default; a logger without the four methods is refused', async () => {
    await expect(serverFor(mock).createClient({ logger: { info: () => undefined } as never })).rejects.toThrow(/Invalid logger: expected a logger/);
    // A logger that throws breaks nothing.
    const throwing = { debug: () => { throw new Error('x'); }, info: () => { throw new Error('x'); }, warn: () => { throw new Error('x'); }, error: () => { throw new Error('x'); } };
    const client = await serverFor(mock).createClient({ logger: throwing });
    await client.sendNotification(tokens(1)[0]!, { alert: 'hi' }, { topic: TOPIC });
    await client.close();
  });

  test('new Pool(origin, { logger }) takes one and checks it', async () => {
    expect(() => new Pool(mock.origin, { logger: { debug: 1 } as never })).toThrow(/Invalid logger: expected a logger/);
    const { logger } = capturingLogger();
    await new Pool(mock.origin, { logger }).close();
  });
});
