// Closing: graceful close drains in-flight and queued posts; a forced close
// fails what is left with Closed; nothing hangs and no timer is left behind.
import { afterEach, expect, test } from '@jest/globals';
import { Closed, type Pool } from '../src/index.js';
import { cleanup, makePool, quiet, request, settle, startMock, until } from './helpers.js';

afterEach(cleanup);

test('close() drains in-flight and queued posts, then closes the connections', async () => {
  const mock = await startMock({ maxConcurrentStreams: 3 });
  const pool = makePool(mock, { size: 1 });
  await pool.post(request(99));
  await quiet(pool);
  mock.inject({ kind: 'delay', ms: 50 });
  const posts = Array.from({ length: 12 }, (_, i) => pool.post(request(i)));
  expect(pool.queued).toBe(9);
  const closing = pool.close();
  await expect(pool.post(request(50))).rejects.toMatchObject({ name: 'Closed', outcome: 'not-sent' });
  expect((await Promise.all(posts)).every((r) => r.status === 200)).toBe(true);
  await closing;
  expect(pool.stats()).toMatchObject({ connections: 0, live: 0, closed: true });
  expect(mock.stats().openConnections).toBe(0);
  expect(pool.close()).toBe(closing);
});

test('close({ force: true }) fails in-flight (outcome: unknown) and queued (outcome: not-sent) posts at once', async () => {
  const mock = await startMock({ maxConcurrentStreams: 2 });
  const pool = makePool(mock, { size: 1 });
  await pool.post(request(99));
  mock.inject({ kind: 'stall' });
  const posts = Array.from({ length: 5 }, (_, i) => settle(pool.post(request(i))));
  await until(() => pool.stats().inFlight === 2);
  const started = performance.now();
  await pool.close({ force: true });
  const outcomes = await Promise.all(posts);
  expect(performance.now() - started).toBeLessThan(1_000);
  expect(outcomes.every((o) => o instanceof Closed)).toBe(true);
  expect(outcomes.map((o) => (o as Closed).outcome)).toEqual(['unknown', 'unknown', 'not-sent', 'not-sent', 'not-sent']);
  expect(pool.stats()).toMatchObject({ connections: 0, live: 0, queued: 0 });
});

test('a forced close may follow a graceful one that is stuck on a stalled stream', async () => {
  const mock = await startMock();
  const pool = makePool(mock, { size: 1 });
  await pool.post(request(99));
  mock.inject({ kind: 'stall' });
  const stalled = settle(pool.post(request(1)));
  const graceful = pool.close();
  await pool.close({ force: true });
  await graceful;
  expect(await stalled).toMatchObject({ name: 'Closed', outcome: 'unknown' });
});

test('await using closes the pool; no timer or socket is left behind', async () => {
  const mock = await startMock();
  const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  let escaped: Pool | undefined;
  {
    await using pool = makePool(mock, { size: 2, deadline: 60_000 });
    escaped = pool;
    mock.inject({ kind: 'status', status: 503, reason: 'ServiceUnavailable', times: 2 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => pool.post(request(i))));
  }
  expect(escaped.closed).toBe(true);
  expect(escaped.stats().connections).toBe(0);
  await until(() => timers() <= before, 2_000, 'timers to be cleared');
});
