import { Pool, Request, TokenAuth, type EngineName, type PoolResponse } from '@pushwire/pool';
import type { Outcome, RunSpec } from '../types.js';
import { countFailure } from '../workload.js';
import { describe } from './pushwire-pool.js';

const TIMEOUT = 20 * 60_000;

/**
 * The burst: every request posted to a pool of 4 at once, with no back-pressure, to
 * measure what a queued request costs. RSS and heap are read right after the last
 * `post()` returns (all requests queued), then the queue drains. On the `engine`
 * the row names (the wire engine).
 */
export async function run(spec: RunSpec, tokens: string[], engine: EngineName): Promise<Outcome> {
  const { target } = spec;
  // The default 30 s timeout counts time in the queue; a million queued requests need
  // longer than that to drain, so the burst gives each one the whole run.
  const pool = new Pool(target.origin, {
    connections: 4,
    tls: { ca: target.ca },
    auth: new TokenAuth(target.signingKey),
    timeout: TIMEOUT,
    connection: { engine },
  });
  const headers = { 'apns-topic': spec.topic, 'apns-push-type': 'alert' };
  // One validated template, a request per device via withPath (as the pool README shows).
  const template = Request.create('/3/device/', headers, Buffer.from(spec.payload));
  const failures: Record<string, number> = {};
  let ok = 0;
  let settled = 0;
  let allSettled!: () => void;
  const done = new Promise<void>((resolve) => (allSettled = resolve));
  const count = (): void => {
    if (++settled === tokens.length) allSettled();
  };
  const onResponse = (response: PoolResponse): void => {
    if (response.status === 200) ok++;
    else countFailure(failures, `${response.status} ${response.reason ?? ''}`.trim());
    count();
  };
  const onError = (error: unknown): void => {
    countFailure(failures, describe(error));
    count();
  };

  const baseHeap = process.memoryUsage().heapUsed;
  const started = performance.now();
  try {
    for (const token of tokens) void pool.post(template.withPath(`/3/device/${token}`)).then(onResponse, onError);
    const queueMs = performance.now() - started;
    const queuedRss = process.memoryUsage.rss();
    const queuedHeap = process.memoryUsage().heapUsed;
    const queued = pool.queued;
    await done;
    return { ok, failed: tokens.length - ok, failures, extra: { queueMs, queuedRss, queuedHeap, baseHeap, queued, posted: tokens.length } };
  } finally {
    await pool.close();
  }
}
