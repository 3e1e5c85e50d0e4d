// OpenTelemetry metrics of a client, scraped as Prometheus text: a bulk send
// against the bundled mock APNs server (with a few 410s and one 500 that is
// retried), then the pushwire lines of GET /metrics.
// `@opentelemetry/api` is an optional peer dependency of @pushwire/api: a
// client without `metrics` subscribes to nothing.
// Run (from the repo root): npx -y pnpm@10.34.8 -F @pushwire/examples metrics-prometheus
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Server } from '@pushwire/api';
import { MockApnsServer } from '@pushwire/mock-server';

const TOPIC = 'com.example.app';

/** Runs the example; `log` receives what happened. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  // In a service: `new PrometheusExporter({ port: 9464 })` serves /metrics itself.
  // Here the exporter's handler is mounted on a server of our own, on a free port.
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const http = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const mock = await MockApnsServer.start({ auth: 'token' });
  const { keyId, teamId, key } = mock.signingKey;
  // `metrics: true` would use the global provider (`metrics.setGlobalMeterProvider(meterProvider)`).
  const client = await Server.custom(mock.origin, { token: { keyId, teamId, key } }, { ca: mock.ca }).createClient({
    metrics: { meterProvider },
    backoff: { minDelay: 10, maxDelay: 100 },
  });
  try {
    const tokens = Array.from({ length: 100 }, (_, i) => i.toString(16).padStart(64, '0'));
    for (const token of tokens.slice(0, 3)) mock.unregisterDevice(token, { timestamp: Date.UTC(2026, 0, 1), reason: 'Unregistered' });
    mock.inject({ kind: 'status', status: 500, reason: 'InternalServerError', token: tokens[50] as string, times: 1 });
    const batch = await client.sendMany(tokens, { alert: 'Hello' }, { topic: TOPIC });
    log(`sent ${batch.counts.sent}, failed ${batch.counts.failed}, errors ${batch.counts.errors}`);

    const { port } = http.address() as AddressInfo;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (/^pushwire_(notifications|retries|connections)/.test(line)) log(line.replace(/pushwire_origin="[^"]*"/, 'pushwire_origin="…"'));
    }
  } finally {
    await client.close();
    await mock.stop();
    await meterProvider.shutdown();
    await new Promise((resolve) => http.close(resolve));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
