import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TOPIC, serverFor } from './helpers.js';

const N = 100_000;

// A real collector call, so the samples measure what is retained rather than
// garbage that happens not to have been collected yet.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function liveHeap(): number {
  gc();
  return process.memoryUsage().heapUsed;
}
const WINDOW = 500;

function tokenFor(i: number): string {
  return i.toString(16).padStart(64, '0');
}

describe('sendMany with 100,000 tokens from an async iterable', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    // Fast mode keeps nothing per token: the server shares this heap, and we
    // measure the client's.
    mock = await MockApnsServer.start({ auth: 'token', fast: true });
  });
  afterAll(() => mock.stop());

  test('pulls at most `window` ahead of completions and keeps the heap bounded', async () => {
    const client = await serverFor(mock).createClient({ connections: 2 });
    let pulled = 0;
    let completed = 0;
    let maxAhead = 0;
    const samples: number[] = [];
    // Samples are taken with nothing in flight: up to `window` live streams
    // (and the mock's side of them) weigh a few MB that come and go with
    // timing, which would hide or fake a leak.
    async function sampleWhenIdle(): Promise<void> {
      while (completed < pulled) await new Promise((resolve) => setImmediate(resolve));
      for (let k = 0; k < 3; k++) await new Promise((resolve) => setImmediate(resolve));
      samples.push(liveHeap());
    }
    async function* source(): AsyncGenerator<string> {
      for (let i = 0; i < N; i++) {
        if (i % 10_000 === 5_000) await sampleWhenIdle();
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - completed);
        yield tokenFor(i);
      }
    }
    const baseHeap = liveHeap();
    const batch = await client.sendMany(source(), { alert: 'bulk' }, { topic: TOPIC }, {
      concurrency: WINDOW,
      collect: 'failures',
      onResult: () => void completed++,
    });
    expect(batch.counts).toEqual({ sent: N, failed: 0, errors: 0, total: N });
    expect(batch.sent.length).toBe(0); // collect: 'failures'
    expect(pulled).toBe(N);
    expect(maxAhead).toBeLessThanOrEqual(WINDOW + 1);
    // Once the first 5,000 have warmed the path (sessions, TLS, compiled
    // code: one-time costs that vary with what else ran in this worker), live
    // memory does not grow while 90,000 more tokens pass: 100 B kept per token
    // would be 9 MB at the last sample, and 100k requests pulled at once far
    // more.
    expect(samples).toHaveLength(10);
    expect(samples.at(-1)! - samples[0]!).toBeLessThan(2 * 1024 * 1024);
    expect(Math.max(...samples) - samples[0]!).toBeLessThan(4 * 1024 * 1024);
    // The one-time costs themselves stay modest (~5 MB alone, ~18 MB after
    // other suites in the same worker).
    expect(Math.max(...samples) - baseHeap).toBeLessThan(32 * 1024 * 1024);
    expect(mock.acceptedCount()).toBe(N);
    await client.close();
  }, 180_000); // ~20 s on a quiet 2-core machine; generous for a loaded one
});
