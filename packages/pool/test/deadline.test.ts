// Deadlines and signals: a post ends by its deadline with what is known of it
// (APNs' last answer, or a Timeout whose outcome says whether it was sent), a
// queued post leaves the queue, an aborted one rejects with AbortError;
// back-pressure through onQueueBelow and highWaterMark.
import { afterEach, expect, test } from '@jest/globals';
import { AbortError, Blocked, Timeout } from '../src/index.js';
import { cleanup, makePool, quiet, request, startMock, token, until } from './helpers.js';

afterEach(cleanup);

test('a post APNs keeps refusing with 503 ends by its deadline with the last answer, a retryable rejection', async () => {
  const mock = await startMock();
  mock.inject({ kind: 'status', status: 503, reason: 'ServiceUnavailable' });
  const pool = makePool(mock, { timeout: 5_000 });
  const started = performance.now();
  const response = await pool.post(request(1), { timeout: 300 });
  const elapsed = performance.now() - started;
  expect(response).toMatchObject({ status: 503, reason: 'ServiceUnavailable', possibleDuplicate: false });
  expect(response.attempts).toBeGreaterThan(1);
  // No retry starts in the last tenth of the deadline (it would end "unknown").
  expect(elapsed).toBeGreaterThanOrEqual(200);
  expect(elapsed).toBeLessThan(1_500);
  expect(mock.stats().rejected).toBe(response.attempts);
  expect(pool.stats()).toMatchObject({ sent: 1, failed: 0, live: 0 });
});

test('a post still waiting for a stream at its deadline ends with Timeout, outcome not-sent, retryable', async () => {
  const mock = await startMock({ maxConcurrentStreams: 1 });
  const pool = makePool(mock, { connections: 1 });
  await pool.post(request(9));
  mock.inject({ kind: 'stall', token: token(1) });
  const stuck = pool.post(request(1, { attemptTimeout: 2_000 }), { timeout: 400 }).catch((e: unknown) => e);
  const queued = await pool.post(request(2), { timeout: 200 }).catch((e: unknown) => e);
  expect(queued).toBeInstanceOf(Timeout);
  expect(queued).toMatchObject({ outcome: 'not-sent', retryable: true, timeout: 200 });
  expect((queued as Timeout).message).toMatch(/while queued.*not sent/);
  // The stalled one was written: its outcome is unknown.
  expect(await stuck).toMatchObject({ name: 'Timeout', outcome: 'unknown', retryable: false });
  expect(mock.requests.map((r) => r.token)).not.toContain(token(2));
});

test('a queued post leaves the queue when its deadline passes', async () => {
  const mock = await startMock({ maxConcurrentStreams: 1 });
  const pool = makePool(mock, { connections: 1 });
  await pool.post(request(9));
  await quiet(pool);
  mock.inject({ kind: 'stall', token: token(1) });
  const stalled = pool.post(request(1, { attemptTimeout: 600 })).catch((e: unknown) => e);
  const queued = pool.post(request(2), { timeout: 150 }).catch((e: unknown) => e);
  expect(pool.queued).toBe(1);
  const error = await queued;
  expect(error).toBeInstanceOf(Timeout);
  expect((error as Error).message).toMatch(/while queued/);
  expect(pool.queued).toBe(0);
  // The stalled attempt ends by its own per-attempt timeout (at-most-once: not resent).
  expect(await stalled).toMatchObject({ name: 'Timeout', timeout: 600 });
  expect(mock.requests.some((r) => r.token === token(2))).toBe(false);
});

test('a signal aborts queued posts (outcome: not-sent) and an in-flight one (outcome: unknown)', async () => {
  const mock = await startMock({ maxConcurrentStreams: 1 });
  const pool = makePool(mock, { connections: 1 });
  await pool.post(request(9));
  mock.inject({ kind: 'delay', ms: 300 });
  const controller = new AbortController();
  const posts = [1, 2, 3].map((i) => pool.post(request(i), { signal: controller.signal }).catch((e: unknown) => e));
  await until(() => pool.stats().inFlight === 1);
  controller.abort(new Error('user cancelled'));
  const [inFlight, ...queued] = await Promise.all(posts);
  expect(inFlight).toBeInstanceOf(AbortError);
  expect(inFlight).toMatchObject({ outcome: 'unknown', cause: new Error('user cancelled') });
  expect(queued.every((e) => e instanceof AbortError && e.outcome === 'not-sent')).toBe(true);
  expect(pool.stats()).toMatchObject({ queued: 0, live: 0 });
});

test('onQueueBelow() lets a producer wait; highWaterMark refuses posts past it', async () => {
  const mock = await startMock({ maxConcurrentStreams: 2 });
  const pool = makePool(mock, { connections: 1, highWaterMark: 10 });
  await pool.post(request(999));
  await quiet(pool);
  mock.inject({ kind: 'delay', ms: 30 });
  const posts = Array.from({ length: 12 }, (_, i) => pool.post(request(i)));
  expect(pool.queued).toBe(10);
  await expect(pool.post(request(50))).rejects.toBeInstanceOf(Blocked);
  await expect(pool.post(request(50))).rejects.toThrow('highWaterMark 10');
  await pool.onQueueBelow(5);
  expect(pool.queued).toBeLessThan(5);
  await pool.onQueueBelow(100);
  await Promise.all(posts);
  expect(pool.stats()).toMatchObject({ refused: 2, failed: 0, sent: 13 });
});
