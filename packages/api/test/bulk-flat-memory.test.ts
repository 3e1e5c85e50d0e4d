// Issue 17: a campaign of any size in flat memory. With collect: 'none' the
// batch keeps no per-token state, so 200,000 tokens from a generator leave
// the heap where 5,000 left it; the same harness with collect: 'all' shows
// the bound is tight enough to catch what a batch would keep per token.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import type { BatchResult, CollectMode } from '../src/index.js';
import { HeapSampler, TOPIC, serverFor } from './helpers.js';

const WINDOW = 500;
/** Every this many tokens one is malformed: refused locally, a `failed` outcome without I/O. */
const MALFORMED_EVERY = 1000;
const MB = 1024 * 1024;

function tokenFor(i: number): string {
  return i % MALFORMED_EVERY === 999 ? `not-a-token-${i}` : i.toString(16).padStart(64, '0');
}

interface Run {
  readonly batch: BatchResult;
  /** Live heap at every `every` tokens (from `every / 4` on), each with nothing in flight. */
  readonly samples: number[];
  readonly results: number;
  readonly maxAhead: number;
}

/** Sends `n` generated tokens, sampling the live heap every `every` with nothing in flight. */
async function run(mock: MockApnsServer, collect: CollectMode, n: number, every: number): Promise<Run> {
  const client = await serverFor(mock).createClient({ connections: 2 });
  const sampler = new HeapSampler(every, every / 4);
  try {
    const batch = await client.sendMany(sampler.tokens(n, tokenFor), { alert: 'campaign' }, { topic: TOPIC }, { concurrency: WINDOW, collect, onResult: sampler.onResult });
    return { batch, samples: sampler.samples, results: sampler.results, maxAhead: sampler.maxAhead };
  } finally {
    await client.close();
  }
}

/** Bytes the heap grew per token between the first and the last sample. */
function perToken(samples: readonly number[], tokensBetween: number): number {
  return (samples.at(-1)! - samples[0]!) / tokensBetween;
}

describe("sendMany of a 200,000-token generator with collect: 'none'", () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    // Fast mode keeps nothing per token: the server shares this heap, and we
    // measure the client's.
    mock = await MockApnsServer.start({ auth: 'token', fast: true });
  });
  afterAll(() => mock.stop());

  const N = 200_000;
  const EVERY = 20_000;
  let nonePerToken = Number.NaN;

  test('keeps the heap flat: under 2 MB of growth while 180,000 tokens pass, every outcome delivered', async () => {
    const { batch, samples, results, maxAhead } = await run(mock, 'none', N, EVERY);
    const malformed = N / MALFORMED_EVERY;
    expect(batch.counts).toEqual({ sent: N - malformed, failed: malformed, errors: 0, total: N });
    expect(results).toBe(N);
    expect(maxAhead).toBeLessThanOrEqual(WINDOW + 1);
    expect(batch.sent.length).toBe(0);
    expect(batch.failed.size).toBe(0);
    // Samples at 5,000, 25,000, ... 185,000: after one-time costs (sessions,
    // TLS, compiled code) and over 180,000 tokens. 'all' keeps ~85 B per
    // token (the string and its slot), which would be ~15 MB here.
    expect(samples).toHaveLength(N / EVERY);
    expect(samples.at(-1)! - samples[0]!).toBeLessThan(2 * MB);
    expect(Math.max(...samples) - samples[0]!).toBeLessThan(4 * MB);
    nonePerToken = perToken(samples, N - EVERY);
    expect(nonePerToken).toBeLessThan(12);
  }, 180_000); // ~35 s on a quiet 2-core machine; generous for a loaded one

  test("the bound means something: collect: 'all' outgrows it with a quarter of the tokens", async () => {
    const n = 55_000;
    const every = 10_000;
    const { batch, samples } = await run(mock, 'all', n, every);
    expect(batch.sent.length).toBe(n - Math.floor(n / MALFORMED_EVERY));
    // Samples at 2,500 ... 52,500: 50,000 tokens apart.
    expect(samples).toHaveLength(6);
    expect(samples.at(-1)! - samples[0]!).toBeGreaterThan(2 * MB);
    const allPerToken = perToken(samples, 50_000);
    expect(allPerToken).toBeGreaterThan(40);
    if (!Number.isNaN(nonePerToken)) expect(allPerToken).toBeGreaterThan(4 * Math.max(nonePerToken, 1));
  }, 180_000);
});
