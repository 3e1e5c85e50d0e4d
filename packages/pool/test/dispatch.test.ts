// Dispatch paths: a post goes straight to a connection with a free stream when
// nothing is queued (no queue job); the overflow waits in p-queue until a
// stream comes back (including a stream freed late, after a timeout); and
// onQueueBelow waiters with different limits each wake once, in order.
import { afterEach, expect, test } from '@jest/globals';
import { ConnectError, Timeout } from '../src/index.js';
import { cleanup, makePool, request, settle, startMock, token } from './helpers.js';

afterEach(cleanup);

test('with free streams and an empty queue, posts go straight to the connection; the rest queue behind them in order', async () => {
  const mock = await startMock({ maxConcurrentStreams: 4 });
  const pool = makePool(mock, { connections: 1 });
  await pool.post(request(999));
  mock.inject({ kind: 'delay', ms: 100 });
  const posts = Array.from({ length: 10 }, (_, i) => pool.post(request(i)));
  // Four went out synchronously inside post(): nothing waited in the queue for them.
  expect(pool.stats()).toMatchObject({ inFlight: 4, pending: 4, queued: 6 });
  expect((await Promise.all(posts)).map((r) => r.attempts)).toEqual(Array(10).fill(1));
  expect(mock.requests.map((r) => r.token).slice(1)).toEqual(Array.from({ length: 10 }, (_, i) => token(i)));
  expect(pool.stats()).toMatchObject({ queued: 0, pending: 0, live: 0, sent: 11 });
});

test('a stream freed only after its timeout (RST_STREAM, then close) still lets the queue move', async () => {
  const mock = await startMock({ maxConcurrentStreams: 1 });
  const pool = makePool(mock, { connections: 1 });
  await pool.post(request(999));
  mock.inject({ kind: 'stall', token: token(1) });
  const stuck = settle(pool.post(request(1, { attemptTimeout: 100 }), { timeout: 150 }));
  const next = pool.post(request(2));
  expect(pool.queued).toBe(1);
  expect(await stuck).toBeInstanceOf(Timeout);
  expect((await next).status).toBe(200);
  expect(pool.stats()).toMatchObject({ queued: 0, live: 0 });
});

test('posts queued behind a busy connection that dies meet the reconnect attempts, then end not sent with the ConnectError', async () => {
  const mock = await startMock({ maxConcurrentStreams: 1 });
  const pool = makePool(mock, { connections: 1, timeout: 1_500, reconnect: { minDelay: 50, maxDelay: 200 } });
  await pool.post(request(999));
  mock.inject({ kind: 'destroy', token: token(1) });
  mock.inject({ kind: 'tlsFail', connections: 1_000 });
  const cut = settle(pool.post(request(1)));
  const queued = settle(pool.post(request(2)));
  expect(pool.queued).toBe(1);
  expect(await cut).toMatchObject({ name: 'Closed', outcome: 'unknown' });
  const error = await queued;
  // Once the origin counts as unreachable (3 failures over 1 s), not at the 1.5 s deadline.
  expect(error).toBeInstanceOf(ConnectError);
  expect(error).toMatchObject({ outcome: 'not-sent', retryable: true });
  expect(mock.stats().tlsFailures).toBeGreaterThanOrEqual(3);
});

test('onQueueBelow: waiters with different limits each resolve once the queue is below their own limit', async () => {
  const mock = await startMock({ maxConcurrentStreams: 1 });
  const pool = makePool(mock, { connections: 1 });
  await pool.post(request(999));
  mock.inject({ kind: 'delay', ms: 5 });
  const posts = Array.from({ length: 40 }, (_, i) => pool.post(request(i)));
  expect(pool.queued).toBe(39);
  const woke: Array<[number, number]> = [];
  const waits = [5, 30, 1, 20].map((limit) => pool.onQueueBelow(limit).then(() => void woke.push([limit, pool.queued])));
  await Promise.all(waits);
  expect(woke.map(([limit]) => limit)).toEqual([30, 20, 5, 1]);
  for (const [limit, queued] of woke) expect(queued).toBeLessThan(limit);
  await Promise.all(posts);
});
