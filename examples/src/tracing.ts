// OpenTelemetry traces of a client: one `apns send` span per notification
// sent, with its outcome, and a `pushwire.retry` event per retry. A bulk send
// against the bundled mock APNs server (two 410s and one 500 that is retried),
// then each span as an exporter would see it.
// In a service, use a BatchSpanProcessor and your exporter (OTLP, Jaeger, …),
// or register the provider globally and pass `tracing: true`.
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples tracing
import { pathToFileURL } from 'node:url';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Server } from '@pushwire/api';
import { MockApnsServer } from '@pushwire/mock-server';

const TOPIC = 'com.example.app';

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const mock = await MockApnsServer.start({ auth: 'token' });
  const { keyId, teamId, key } = mock.signingKey;
  const client = await Server.custom(mock.origin, { token: { keyId, teamId, key } }, { ca: mock.ca }).createClient({
    tracing: { tracerProvider },
    backoff: { minDelay: 10, maxDelay: 100 },
  });
  try {
    const tokens = Array.from({ length: 10 }, (_, i) => (i + 1).toString(16).padStart(64, '0'));
    for (const token of tokens.slice(0, 2)) mock.unregisterDevice(token, { timestamp: Date.UTC(2026, 0, 1), reason: 'Unregistered' });
    mock.inject({ kind: 'status', status: 500, reason: 'InternalServerError', token: tokens[5] as string, times: 1 });
    const batch = await client.sendMany(tokens, { alert: 'Hello' }, { topic: TOPIC });
    log(`sent ${batch.counts.sent}, failed ${batch.counts.failed}`);

    // What an exporter receives: attributes and events, never the device token.
    const spans = exporter.getFinishedSpans();
    const lines = spans.map((span) => {
      const a = span.attributes;
      const events = span.events.map((e) => `${e.name}(attempt ${String(e.attributes?.['pushwire.attempt'])}, ${String(e.attributes?.['pushwire.reason'])})`);
      const reason = a['pushwire.reason'] === undefined ? '' : ` ${String(a['pushwire.reason'])}`;
      return `${span.name}: ${String(a['pushwire.outcome'])} ${String(a['http.response.status_code'])}${reason}, attempts ${String(a['pushwire.attempts'])}${events.length > 0 ? `, ${events.join(', ')}` : ''}`;
    });
    log(`${spans.length} spans`);
    for (const line of [...new Set(lines)].sort()) log(`${lines.filter((l) => l === line).length} × ${line}`);
  } finally {
    await client.close();
    await mock.stop();
    await tracerProvider.shutdown();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
