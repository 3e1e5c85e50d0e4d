import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { setTimeout as sleep } from 'node:timers/promises';
import { APNSRejection, InvalidArgumentError, type Client } from '../src/index.js';
import { TOPIC, newToken, serverFor } from './helpers.js';

/** Sum of PINGs the mock received over all its connections. */
function pingsSeen(mock: MockApnsServer): number {
  return mock.stats().perConnection.reduce((sum, c) => sum + c.pings, 0);
}

describe('ClientOptions: backoff and ping', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(() => mock.stop());

  test('ping.interval makes an idle connection PING the server; the default does not within a second', async () => {
    const pinging = await serverFor(mock).createClient({ connections: 1, ping: { interval: 50, timeout: 2_000 } });
    const quiet = await serverFor(mock).createClient({ connections: 1 });
    try {
      await quiet.sendNotification(newToken(), { alert: 'quiet' }, { topic: TOPIC });
      const before = pingsSeen(mock);
      await pinging.sendNotification(newToken(), { alert: 'ping' }, { topic: TOPIC });
      await sleep(600);
      // Only the pinging client's connection PINGs: several in 600 ms at a 50 ms interval.
      expect(pingsSeen(mock) - before).toBeGreaterThanOrEqual(3);
    } finally {
      await Promise.all([pinging.close(), quiet.close()]);
    }
  });

  test('backoff.minDelay sets how soon a 500 is retried', async () => {
    const send = async (client: Client): Promise<{ requests: number; error: unknown }> => {
      const token = newToken();
      const fault = mock.inject({ kind: 'status', status: 500, reason: 'InternalServerError', token });
      try {
        const error = await client.sendNotification(token, { alert: 'retry' }, { topic: TOPIC }).then(() => undefined, (e: unknown) => e);
        return { requests: mock.requests.filter((r) => r.token === token).length, error };
      } finally {
        fault.remove();
        await client.close();
      }
    };
    // A first delay longer than the whole send's budget: one attempt, whose
    // answer is the outcome (a retryable rejection, not a timeout).
    const slow = await send(await serverFor(mock).createClient({ timeout: 1_000, backoff: { minDelay: 5_000, jitter: false } }));
    expect(slow.requests).toBe(1);
    expect(slow.error).toBeInstanceOf(APNSRejection);
    expect(slow.error).toMatchObject({ status: 500, retryable: true, outcome: 'rejected' });
    // Retries every few ms: many attempts within the same budget, still one outcome.
    const fast = await send(await serverFor(mock).createClient({ timeout: 1_000, backoff: { minDelay: 1, maxDelay: 20 } }));
    expect(fast.requests).toBeGreaterThanOrEqual(5);
    expect(fast.error).toBeDefined();
  });

  test.each([
    [{ ping: { interval: -1 } }, 'ping.interval'],
    [{ ping: { timeout: 0 } }, 'ping.timeout'],
    [{ ping: 'often' }, 'ping'],
    [{ backoff: { minDelay: -5 } }, 'backoff.minDelay'],
    [{ backoff: { minDelay: 100, maxDelay: 10 } }, 'backoff.maxDelay'],
    [{ backoff: { factor: 0.5 } }, 'backoff.factor'],
    [{ backoff: { jitter: 'yes' } }, 'backoff.jitter'],
  ])('%j is refused naming %s, before any connection', async (options, field) => {
    const connections = mock.stats().connections;
    const error = await serverFor(mock).createClient(options as never).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe(field);
    expect(mock.stats().connections).toBe(connections);
  });
});
