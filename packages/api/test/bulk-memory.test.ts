import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { HeapSampler, TOPIC, liveHeap, serverFor } from './helpers.js';

const N = 100_000;
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
    // Samples are taken with nothing in flight (see HeapSampler).
    const sampler = new HeapSampler(10_000, 5_000);
    const { samples } = sampler;
    const baseHeap = liveHeap();
    const batch = await client.sendMany(sampler.tokens(N, tokenFor), { alert: 'bulk' }, { topic: TOPIC }, {
      concurrency: WINDOW,
      collect: 'failures',
      onResult: sampler.onResult,
    });
    expect(batch.counts).toEqual({ sent: N, failed: 0, errors: 0, total: N });
    expect(batch.sent.length).toBe(0); // collect: 'failures'
    expect(sampler.pulled).toBe(N);
    expect(sampler.maxAhead).toBeLessThanOrEqual(WINDOW + 1);
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
