// Benchmark (not a test): 1,000,000 requests posted at once to a Pool of 4
// connections against @pushwire/mock-server in fast mode (recording off, in
// its own process, so RSS here is the client's alone). Reports throughput,
// peak RSS and the memory cost of one queued request.
//
// Build and run (from the repo root; the mock server must be built too):
//   npx tsc -b packages/mock-server packages/pool/bench
//   node --expose-gc packages/pool/bench/dist/burst.js [--n 1000000] [--connections 4]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Pool, Request, TokenAuth, type PoolResponse } from '@pushwire/pool';

interface Ready {
  origin: string;
  ca: string;
  signingKey: { keyId: string; teamId: string; key: string };
}

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

const N = arg('n', 1_000_000);
const CONNECTIONS = arg('connections', 4);
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function startMock(): Promise<{ ready: Ready; stop: () => void }> {
  const main = fileURLToPath(new URL('../../../mock-server/dist/main.js', import.meta.url));
  const child = spawn(process.execPath, [main, '--fast', '--auth', 'token', '--no-record', '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        const value = JSON.parse(line) as Partial<Ready>;
        if (value.origin !== undefined && value.ca !== undefined && value.signingKey !== undefined) {
          lines.close();
          child.stdout.resume();
          resolve(value as Ready);
        }
      } catch {
        // not the ready line
      }
    });
    child.once('exit', (code) => reject(new Error(`mock server exited with ${code}`)));
  });
  return { ready, stop: () => void child.kill() };
}

interface Counts {
  ok: number;
  other: number;
  failed: number;
  firstError: unknown;
}

/**
 * Builds N requests, measures, posts them all in one loop, measures again.
 * The request array dies with this frame, so answered requests can be freed.
 */
function load(pool: Pool, headers: Record<string, string>, body: Buffer, token: (i: number) => string, counts: Counts) {
  const requests = Array.from({ length: N }, (_, i) => Request.create(`/3/device/${token(i)}`, headers, body, { attemptTimeout: 600_000 }));
  const withRequests = heap();
  const onResponse = (response: PoolResponse): void => void (response.status === 200 ? counts.ok++ : counts.other++);
  const onError = (error: unknown): void => {
    counts.failed++;
    counts.firstError ??= error;
  };
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const settle = (): void => {
    if (counts.ok + counts.other + counts.failed === N) finished();
  };
  const started = performance.now();
  for (const request of requests) pool.post(request).then(onResponse, onError).then(settle, settle);
  const postedIn = performance.now() - started;
  const queued = pool.queued;
  // Everything is in the pool now: nothing can complete within this synchronous frame.
  const withQueue = heap();
  const queuedRss = process.memoryUsage.rss();
  return { withRequests, withQueue, queuedRss, postedIn, queued, done };
}

async function main(): Promise<void> {
  const { ready, stop } = await startMock();
  const pool = new Pool(ready.origin, {
    connections: CONNECTIONS,
    tls: { ca: ready.ca },
    auth: new TokenAuth(ready.signingKey),
    timeout: 600_000,
  });
  const headers = { 'apns-topic': 'dev.pushwire.bench', 'apns-push-type': 'alert' };
  const body = Buffer.from(JSON.stringify({ aps: { alert: { title: 'Bench', body: 'One million' }, sound: 'default', badge: 1 } }));
  const token = (i: number): string => i.toString(16).padStart(64, '0');
  // Warm up: every connection open, past the token-auth single-stream start.
  await Promise.all(Array.from({ length: CONNECTIONS * 50 }, (_, i) => pool.post(Request.create(`/3/device/${token(N + i)}`, headers, body))));

  const base = heap();
  const baseRss = process.memoryUsage.rss();
  let peakRss = baseRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
  const counts = { ok: 0, other: 0, failed: 0, firstError: undefined as unknown };
  const started = performance.now();
  const burst = load(pool, headers, body, token, counts);
  peakRss = Math.max(peakRss, burst.queuedRss);
  await burst.done;
  const { ok, other, failed, firstError } = counts;
  const { withRequests, withQueue, queuedRss, postedIn, queued } = burst;
  const elapsed = performance.now() - started;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  const stats = pool.stats();
  await pool.close();
  stop();

  const rows: Array<[string, string]> = [
    ['requests', N.toLocaleString('en')],
    ['connections', String(CONNECTIONS)],
    ['answered 200 / other status / failed', `${ok} / ${other} / ${failed}`],
    ['zero loss', String(ok === N)],
    ['post() loop for all requests', `${postedIn.toFixed(0)} ms`],
    ['queued right after the loop', queued.toLocaleString('en')],
    ['wall time, first post to last answer', `${(elapsed / 1000).toFixed(2)} s`],
    ['throughput', `${Math.round(N / (elapsed / 1000)).toLocaleString('en')} requests/s`],
    ['peak RSS (whole process)', mb(peakRss)],
    ['RSS: all queued minus before the burst', `${mb(queuedRss - baseRss)} (${Math.round((queuedRss - baseRss) / N)} B per request, Request objects included)`],
    ['heap: 1M Request objects', `${mb(withRequests - base)} (${Math.round((withRequests - base) / N)} B each)`],
    ['heap: pool cost per queued request', `${Math.round((withQueue - withRequests) / N)} B (post state, p-queue job, promises, caller's then)`],
    ['retried / reconnects', `${stats.retried} / ${stats.reconnects}`],
  ];
  console.log(`| measure | value |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}`);
  if (firstError !== undefined) console.log('first error:', firstError);
  if (ok !== N) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
