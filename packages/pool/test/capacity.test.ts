// Dispatch: every connection is filled up to its live stream limit, the
// overflow waits in the queue and leaves it in FIFO order, and the pool's
// capacity follows the server's SETTINGS.
import { afterEach, expect, test } from '@jest/globals';
import { TokenAuth } from '../src/index.js';
import { cleanup, makePool, request, startMock, token, until } from './helpers.js';

afterEach(cleanup);

test('fills both connections to their stream limit, queues the rest, then drains everything', async () => {
  const mock = await startMock({ auth: 'token', maxConcurrentStreams: 5 });
  const pool = makePool(mock, { connections: 2, auth: new TokenAuth(mock.signingKey) });
  // Token connections start with one stream until a request carries a valid token.
  await Promise.all(Array.from({ length: 20 }, (_, i) => pool.post(request(1000 + i))));
  await until(() => pool.stats().capacity === 10, 5_000, 'capacity 10');

  mock.inject({ kind: 'delay', ms: 300 });
  const posts = Array.from({ length: 30 }, (_, i) => pool.post(request(i)));
  const open = (): number[] => mock.stats().perConnection.filter((c) => !c.closed).map((c) => c.open);
  await until(() => open().join() === '5,5', 5_000, '5 open streams on each connection at the server');
  expect(pool.stats()).toMatchObject({ connections: 2, ready: 2, capacity: 10, inFlight: 10, pending: 10, queued: 20 });

  const responses = await Promise.all(posts);
  expect(responses.every((r) => r.status === 200 && r.attempts === 1)).toBe(true);
  expect(pool.stats()).toMatchObject({ queued: 0, live: 0, sent: 50, failed: 0, retried: 0 });
});

test('overflow is drained in FIFO order', async () => {
  const mock = await startMock({ maxConcurrentStreams: 1 });
  const pool = makePool(mock, { connections: 1 });
  await pool.post(request(999));
  mock.inject({ kind: 'delay', ms: 2 });
  const order = Array.from({ length: 60 }, (_, i) => i);
  const posts = order.map((i) => pool.post(request(i)));
  expect(pool.queued).toBeGreaterThanOrEqual(59);
  await Promise.all(posts);
  const arrived = mock.requests.map((r) => r.token).filter((t) => t !== token(999));
  expect(arrived).toEqual(order.map(token));
});

test("capacity follows a connection's live SETTINGS_MAX_CONCURRENT_STREAMS", async () => {
  const mock = await startMock({ maxConcurrentStreams: 8 });
  const pool = makePool(mock, { connections: 1 });
  await pool.post(request(1));
  expect(pool.stats().capacity).toBe(8);
  mock.inject({ kind: 'settings', maxConcurrentStreams: 3 });
  await pool.post(request(2));
  await until(() => pool.stats().capacity === 3, 2_000, 'capacity 3');

  mock.inject({ kind: 'delay', ms: 200 });
  const posts = Array.from({ length: 9 }, (_, i) => pool.post(request(10 + i)));
  await until(() => mock.stats().perConnection[0]?.open === 3, 2_000, '3 open streams');
  expect(pool.stats()).toMatchObject({ inFlight: 3, queued: 6 });
  expect((await Promise.all(posts)).map((r) => r.status)).toEqual(Array(9).fill(200));
});
