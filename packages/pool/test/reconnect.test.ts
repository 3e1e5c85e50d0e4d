// A fleet that cannot connect backs off (exponentially, with jitter) instead
// of spinning, and posts fail at their deadline with the connect error as cause.
import { performance } from 'node:perf_hooks';
import { afterEach, expect, test } from '@jest/globals';
import { ConnectError, type ReconnectEvent } from '../src/index.js';
import { cleanup, makePool, request, startMock } from './helpers.js';

afterEach(cleanup);

test('connect failures back off instead of spinning; once the origin is unreachable the post ends not sent with the ConnectError', async () => {
  const mock = await startMock();
  mock.inject({ kind: 'tlsFail', connections: 1_000 });
  const pool = makePool(mock, { connections: 2, timeout: 1_500, reconnect: { minDelay: 50, maxDelay: 400 } });
  const events: ReconnectEvent[] = [];
  pool.on('reconnect', (event) => events.push(event));

  const started = performance.now();
  const error = await pool.post(request(1)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectError);
  expect(error).toMatchObject({ outcome: 'not-sent', retryable: true });
  // reconnect.unreachableAfter (1 s) after the first failure, before the 1.5 s deadline.
  expect(performance.now() - started).toBeGreaterThanOrEqual(990);
  expect(performance.now() - started).toBeLessThan(1_500);
  // Per slot: 25-50, 50-100, 100-200, 200-400, then ≤ 400 ms apart: under 10 tries in 1.5 s.
  const tries = mock.stats().tlsFailures;
  expect(tries).toBeGreaterThanOrEqual(4);
  expect(tries).toBeLessThanOrEqual(20);
  for (const slot of [0, 1]) {
    const delays = events.filter((e) => e.slot === slot).map((e) => e.delay);
    expect(delays.slice(0, 4).every((d, i) => d >= 25 * 2 ** i && d <= 50 * 2 ** i)).toBe(true);
  }
  expect(pool.stats().failed).toBe(1);
});

test('after a few failed handshakes the pool connects and the post succeeds', async () => {
  const mock = await startMock();
  mock.inject({ kind: 'tlsFail', connections: 3 });
  const pool = makePool(mock, { connections: 1, timeout: 5_000 });
  const response = await pool.post(request(1));
  expect(response.status).toBe(200);
  expect(mock.stats().tlsFailures).toBe(3);
  expect(pool.stats().reconnects).toBe(3);
});

test('an untrusted server certificate is fatal: the pool closes instead of retrying', async () => {
  const mock = await startMock();
  const pool = makePool(mock, { tls: {} });
  const fatal = new Promise<Error>((resolve) => pool.once('fatal', resolve));
  const error = await pool.post(request(1)).catch((e: unknown) => e);
  // The fatal error itself: never processed, and no resend can help.
  expect(error).toBeInstanceOf(ConnectError);
  expect(error).toMatchObject({ outcome: 'not-sent', retryable: false });
  expect(await fatal).toBe(error);
  expect(pool.failure).toBe(error);
  expect(pool.closed).toBe(true);
  await expect(pool.post(request(2))).rejects.toBe(error);
});
