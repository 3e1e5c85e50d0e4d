// Closing: graceful close drains in-flight and queued posts; a forced close
// fails what is left with Closed; nothing hangs and no timer is left behind.
import { afterEach, expect, test } from '@jest/globals';
import { startSilentServer } from '@pushwire/mock-server';
import { performance } from 'node:perf_hooks';
import { Closed, Pool, TokenAuth } from '../src/index.js';
import { cleanup, makePool, quiet, request, settle, startMock, until } from './helpers.js';

afterEach(cleanup);

test('close() drains in-flight and queued posts, then closes the connections', async () => {
  const mock = await startMock({ maxConcurrentStreams: 3 });
  const pool = makePool(mock, { connections: 1 });
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
  const pool = makePool(mock, { connections: 1 });
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
  const pool = makePool(mock, { connections: 1 });
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
    await using pool = makePool(mock, { connections: 2, timeout: 60_000 });
    escaped = pool;
    mock.inject({ kind: 'status', status: 503, reason: 'ServiceUnavailable', times: 2 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => pool.post(request(i))));
  }
  expect(escaped.closed).toBe(true);
  expect(escaped.stats().connections).toBe(0);
  await until(() => timers() <= before, 2_000, 'timers to be cleared');
});

test('close({ force: true }) with a TLS handshake pending returns in well under 1 s and drops the socket', async () => {
  const silent = await startSilentServer();
  try {
    const pool = new Pool(`https://localhost:${silent.port}`, { connections: 2, timeout: 20_000, connection: { connectTimeout: 10_000 } });
    const queued = settle(pool.post(request(1)));
    await until(() => silent.sockets.size === 2, 2_000, 'both TCP connections');
    const started = performance.now();
    await pool.close({ force: true });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await queued).toMatchObject({ name: 'Closed', outcome: 'not-sent' });
    await until(() => silent.sockets.size === 0, 2_000, 'the sockets to close');
  } finally {
    await silent.stop();
  }
});

test('a graceful close with a connect pending and nothing live abandons the connect at once', async () => {
  const silent = await startSilentServer();
  try {
    const pool = new Pool(`https://localhost:${silent.port}`, { connections: 1, timeout: 200, connection: { connectTimeout: 10_000 } });
    expect(await settle(pool.post(request(1)))).toMatchObject({ name: 'Timeout', outcome: 'not-sent', retryable: true });
    const started = performance.now();
    await pool.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    await until(() => silent.sockets.size === 0, 2_000, 'the socket to close');
  } finally {
    await silent.stop();
  }
});

test('a token store that never answers: close({ force: true }) returns in well under 1 s and the post ends not sent', async () => {
  const mock = await startMock({ auth: 'token' });
  const { keyId, teamId, key } = mock.signingKey;
  const store = { get: () => new Promise<never>(() => undefined), set: () => Promise.resolve() };
  const pool = makePool(mock, { connections: 1, timeout: 20_000, auth: new TokenAuth({ keyId, teamId, key, store }) });
  const post = settle(pool.post(request(1)));
  await until(() => pool.stats().inFlight === 1, 2_000, 'the post on a connection, waiting for its token');
  const started = performance.now();
  await pool.close({ force: true });
  expect(performance.now() - started).toBeLessThan(1_000);
  // Its headers were never written: the connection knows, and says so.
  expect(await post).toMatchObject({ name: 'Closed', outcome: 'not-sent' });
  expect(mock.stats().requests).toBe(0);
});
