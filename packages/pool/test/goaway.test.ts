// GOAWAY mid-burst and dead connections: requests the server never processed
// are resent (at once, elsewhere) with zero loss and zero duplicates; cut
// ones are resent only with at-least-once, and then say so.
import { afterEach, expect, test } from '@jest/globals';
import { Closed, type PoolResponse } from '../src/index.js';
import { cleanup, makePool, request, settle, startMock, token } from './helpers.js';

afterEach(cleanup);

test('GOAWAY mid-burst: every request answered once, none lost, none duplicated', async () => {
  const mock = await startMock({ maxConcurrentStreams: 100 });
  const pool = makePool(mock, { connections: 2 });
  mock.inject({ kind: 'delay', ms: 20 });
  // Half of the open streams of the 300th request's connection are refused.
  mock.inject({ kind: 'goaway', lastStreamId: 'middle', reason: 'Shutdown', afterRequests: 299, times: 1 });
  const N = 1_000;
  const responses = await Promise.all(Array.from({ length: N }, (_, i) => pool.post(request(i))));

  expect(responses.every((r) => r.status === 200 && !r.possibleDuplicate)).toBe(true);
  const refused = mock.stats().refused;
  expect(refused).toBeGreaterThan(0);
  expect(responses.filter((r) => r.attempts > 1).length).toBeGreaterThanOrEqual(refused);
  for (let i = 0; i < N; i++) expect(mock.acceptedCount(token(i))).toBe(1);
  expect(mock.stats().accepted).toBe(N);
  expect(pool.stats()).toMatchObject({ sent: N, failed: 0, live: 0 });
  expect(pool.stats().reconnects).toBeGreaterThanOrEqual(1);
});

test('a destroyed connection is replaced; at-most-once fails its cut requests as outcome: unknown', async () => {
  const mock = await startMock();
  const pool = makePool(mock, { connections: 1 });
  await pool.post(request(9999));
  mock.inject({ kind: 'delay', ms: 100 });
  mock.inject({ kind: 'destroy', afterRequests: 9, times: 1 });
  const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => settle(pool.post(request(i)))));

  const cut = outcomes.filter((o): o is Closed => o instanceof Closed);
  expect(cut.length).toBe(10);
  expect(cut.every((e) => e.outcome === 'unknown')).toBe(true);
  // The slot is refilled at once (the old connection had served) and works.
  expect(await pool.post(request(20))).toMatchObject({ status: 200, attempts: 1 });
  expect(pool.stats()).toMatchObject({ reconnects: 1, connections: 1 });
  expect(mock.stats().connections).toBe(2);
});

test('with at-least-once, cut requests are resent and flagged possibleDuplicate', async () => {
  const mock = await startMock();
  const pool = makePool(mock, { connections: 1, delivery: 'at-least-once' });
  await pool.post(request(9999));
  mock.inject({ kind: 'delay', ms: 100, times: 10 });
  mock.inject({ kind: 'destroy', afterRequests: 9, times: 1 });
  const responses: PoolResponse[] = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.post(request(i))));

  expect(responses.every((r) => r.status === 200 && r.attempts === 2 && r.possibleDuplicate)).toBe(true);
  expect(pool.stats()).toMatchObject({ retried: 10, failed: 0 });
});

test('per post, atLeastOnce overrides the pool default', async () => {
  const mock = await startMock();
  const pool = makePool(mock, { connections: 1 });
  await pool.post(request(9999));
  mock.inject({ kind: 'delay', ms: 100, times: 2 });
  mock.inject({ kind: 'destroy', afterRequests: 1, times: 1 });
  const [once, twice] = await Promise.all([settle(pool.post(request(1))), settle(pool.post(request(2), { delivery: 'at-least-once' }))]);
  expect(once).toMatchObject({ name: 'Closed', outcome: 'unknown' });
  expect(twice).toMatchObject({ status: 200, possibleDuplicate: true });
});
