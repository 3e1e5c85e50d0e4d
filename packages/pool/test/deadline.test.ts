// Deadlines and signals: a post ends at its deadline with Timeout (cause = the
// last failure), a queued post leaves the queue, an aborted one rejects with
// Aborted; back-pressure through onQueueBelow and highWaterMark.
import { afterEach, expect, test } from '@jest/globals';
import { Aborted, Blocked, ResponseError, Timeout } from '../src/index.js';
import { cleanup, makePool, quiet, request, startMock, token, until } from './helpers.js';

afterEach(cleanup);

test('a post that keeps failing ends at its deadline with Timeout, caused by the last failure', async () => {
  const mock = await startMock();
  mock.inject({ kind: 'status', status: 503, reason: 'ServiceUnavailable' });
  const pool = makePool(mock, { deadline: 5_000 });
  const started = performance.now();
  const error = await pool.post(request(1), { deadline: 300 }).catch((e: unknown) => e);
  const elapsed = performance.now() - started;
  expect(error).toBeInstanceOf(Timeout);
  expect(error).toMatchObject({ timeout: 300 });
  expect((error as Timeout).message).toMatch(/deadline of 300 ms passed after \d+ attempt/);
  expect((error as Timeout).cause).toBeInstanceOf(ResponseError);
  expect((error as Timeout).cause).toMatchObject({ status: 503, reason: 'ServiceUnavailable' });
  expect(elapsed).toBeGreaterThanOrEqual(295);
  expect(elapsed).toBeLessThan(1_500);
  expect(pool.stats()).toMatchObject({ timedOut: 1, failed: 1, live: 0 });
});

test('a queued post leaves the queue when its deadline passes', async () => {
  const mock = await startMock({ maxConcurrentStreams: 1 });
  const pool = makePool(mock, { size: 1 });
  await pool.post(request(9));
  await quiet(pool);
  mock.inject({ kind: 'stall', token: token(1) });
  const stalled = pool.post(request(1, { timeout: 600 })).catch((e: unknown) => e);
  const queued = pool.post(request(2), { deadline: 150 }).catch((e: unknown) => e);
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
  const pool = makePool(mock, { size: 1 });
  await pool.post(request(9));
  mock.inject({ kind: 'delay', ms: 300 });
  const controller = new AbortController();
  const posts = [1, 2, 3].map((i) => pool.post(request(i), { signal: controller.signal }).catch((e: unknown) => e));
  await until(() => pool.stats().inFlight === 1);
  controller.abort(new Error('user cancelled'));
  const [inFlight, ...queued] = await Promise.all(posts);
  expect(inFlight).toBeInstanceOf(Aborted);
  expect(inFlight).toMatchObject({ outcome: 'unknown', cause: new Error('user cancelled') });
  expect(queued.every((e) => e instanceof Aborted && e.outcome === 'not-sent')).toBe(true);
  expect(pool.stats()).toMatchObject({ queued: 0, live: 0 });
});

test('onQueueBelow() lets a producer wait; highWaterMark refuses posts past it', async () => {
  const mock = await startMock({ maxConcurrentStreams: 2 });
  const pool = makePool(mock, { size: 1, highWaterMark: 10 });
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
