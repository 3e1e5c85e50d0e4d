import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { TOPIC, serverFor } from './helpers.js';

const N = 100_000;
const WINDOW = 500;

function tokenFor(i: number): string {
  return i.toString(16).padStart(64, '0');
}

describe('sendMany with 100,000 tokens from an async iterable', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => mock.stop());

  test('pulls at most `window` ahead of completions and keeps the heap bounded', async () => {
    const client = await serverFor(mock).createClient({ connections: 2 });
    let pulled = 0;
    let completed = 0;
    let maxAhead = 0;
    let peakHeap = 0;
    async function* source(): AsyncGenerator<string> {
      for (let i = 0; i < N; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - completed);
        if (i % 5000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        yield tokenFor(i);
      }
    }
    const baseHeap = process.memoryUsage().heapUsed;
    const batch = await client.sendMany(source(), { alert: 'bulk' }, { topic: TOPIC }, {
      window: WINDOW,
      collect: 'failures',
      onResult: () => void completed++,
    });
    expect(batch.counts).toEqual({ sent: N, failed: 0, errors: 0, total: N });
    expect(batch.sent.length).toBe(0); // collect: 'failures'
    expect(pulled).toBe(N);
    expect(maxAhead).toBeLessThanOrEqual(WINDOW + 1);
    // 100k tokens held at once would be > 20 MB of strings plus request
    // objects; the window keeps growth far below that. (The mock server in
    // this process records requests too, so the bound is generous.)
    expect(peakHeap - baseHeap).toBeLessThan(96 * 1024 * 1024);
    expect(mock.accepted().length).toBeGreaterThanOrEqual(N);
    await client.close();
  }, 60_000);
});
