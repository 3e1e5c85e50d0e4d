import { randomBytes } from 'node:crypto';
import { Server, type EngineName } from '@pushwire/api';
import { DEFAULT_HUGE_COLLECT } from '../args.js';
import { sampleEvery } from '../measure.js';
import type { Outcome, RunSpec } from '../types.js';
import { countFailure, PAYLOAD } from '../workload.js';
import { describe } from './pushwire-pool.js';

/** Connections of the client, as in the sendMany row. */
const CONNECTIONS = 4;

/** RSS sampling period over the run (the flatness check compares quarters of these). */
export const SAMPLE_MS = 1000;

/**
 * `spec.n` distinct 32-byte hex tokens made one at a time as `sendMany` pulls them
 * (a random 24-byte prefix and a 64-bit counter): nothing holds them all.
 */
export function* generatedTokens(n: number): Generator<string> {
  const prefix = randomBytes(24).toString('hex');
  for (let i = 0; i < n; i++) yield prefix + i.toString(16).padStart(16, '0');
}

/**
 * The flat-memory row (issue #17): ONE `client.sendMany` over a generator of `spec.n`
 * tokens (never stored), with `collect: spec.collect` ('none' by default: counts only),
 * RSS sampled every second in this child from the call to its end, on the `engine`
 * the row names (the wire engine).
 */
export async function run(spec: RunSpec, engine: EngineName): Promise<Outcome> {
  const { target } = spec;
  const collect = spec.collect ?? DEFAULT_HUGE_COLLECT;
  const client = await Server.custom(target.origin, { token: target.signingKey }, { ca: target.ca }).createClient({
    connections: CONNECTIONS,
    engine,
  });
  const notification = { alert: { title: PAYLOAD.aps.alert.title, body: PAYLOAD.aps.alert.body }, sound: PAYLOAD.aps.sound, badge: PAYLOAD.aps.badge };
  const failures: Record<string, number> = {};
  const rss = sampleEvery(SAMPLE_MS, () => process.memoryUsage.rss());
  const heap = sampleEvery(SAMPLE_MS, () => process.memoryUsage().heapUsed);
  try {
    const batch = await client.sendMany(generatedTokens(spec.n), notification, { topic: spec.topic }, { collect });
    const rssSamples = rss.stop();
    const heapSamples = heap.stop();
    for (const failure of batch.failed.values()) countFailure(failures, `${failure.status} ${failure.reason}`);
    // With collect: 'none' the batch keeps counts only: the rejections' reasons are not known.
    const unnamed = batch.counts.failed - batch.failed.size;
    if (unnamed > 0) failures[`rejected by APNs (reasons not kept with collect: '${collect}')`] = unnamed;
    for (const error of batch.errors) countFailure(failures, describe(error.error), error.count);
    return {
      ok: batch.counts.sent,
      failed: spec.n - batch.counts.sent,
      failures,
      rssSamples,
      extra: { heapStart: heapSamples[0] ?? NaN, heapEnd: heapSamples.at(-1) ?? NaN, heapMax: Math.max(...heapSamples) },
    };
  } finally {
    rss.stop();
    heap.stop();
    await client.close();
  }
}
