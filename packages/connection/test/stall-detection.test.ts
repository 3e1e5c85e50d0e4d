// Dead-connection detection while streams are in flight: a peer that silently
// stops reading and answering (a frozen TCP relay in front of the mock) is
// caught by a PING after `ping.busyInterval`, not after the idle `ping.interval`.
import { afterEach, expect, test } from '@jest/globals';
import { FreezableRelay as Relay } from '@pushwire/mock-server';
import { Closed, Connection, type ConnectionOptions, type Response } from '../src/index.js';
import { resolveOptions } from '../src/options.js';
import { connectTo, next, push, settle, startMock, stopMocks } from './fixtures/mock.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
  await stopMocks();
});

const TIMING = { ping: { interval: 60_000, busyInterval: 200, timeout: 300 } } as const;

/** A connection to a fresh mock through a relay, with one answered post (the path works). */
async function throughRelay(): Promise<{ conn: Connection; relay: Relay; requests: () => number }> {
  const mock = await startMock({ auth: 'none' });
  const relay = await Relay.start(mock.port);
  cleanup.push(() => relay.close());
  const conn = await Connection.connect(`https://localhost:${relay.port}`, { ...TIMING, tls: { ca: mock.ca } });
  cleanup.push(() => conn.destroy());
  expect((await conn.post(push())).status).toBe(200);
  return { conn, relay, requests: () => mock.requests.length };
}

test('a peer that goes silent with streams in flight is caught by a busy PING long before the idle interval', async () => {
  const { conn, relay, requests } = await throughRelay();
  const closed = next<Error | undefined>(conn, 'close');
  relay.freeze();
  const started = performance.now();
  // Deadlines far away: only the busy PING can end these.
  const pending = Array.from({ length: 5 }, () => settle(conn.post(push(undefined, 600_000))));
  const cause = await closed;
  expect(performance.now() - started).toBeLessThan(3_000);
  expect(cause).toBeInstanceOf(Closed);
  expect(cause?.message).toMatch(/PING not answered within 300 ms/);
  for (const result of await Promise.all(pending)) {
    expect(result).toBeInstanceOf(Closed);
    expect(result).toMatchObject({ outcome: 'unknown', retryable: false });
  }
  expect([conn.isClosed, conn.inFlight]).toEqual([true, 0]);
  expect(requests()).toBe(1); // only the first post got through the relay
});

test('an idle connection behind a frozen relay is not pinged before ping.interval; a post then is caught at once', async () => {
  const { conn, relay } = await throughRelay();
  const closed = next<Error | undefined>(conn, 'close');
  relay.freeze();
  // Nothing in flight: only the idle interval (60 s) applies, so nothing may happen
  // in 1.5 s, over seven busy intervals.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect([conn.isReady, conn.isClosed]).toEqual([true, false]);
  // The relay really is dead: with a stream in flight the busy PING finds out.
  const started = performance.now();
  const result = await settle(conn.post(push(undefined, 600_000)));
  expect(performance.now() - started).toBeLessThan(3_000);
  expect(result).toMatchObject({ name: 'Closed', outcome: 'unknown' });
  expect((await closed)?.message).toMatch(/PING not answered/);
});

test('a healthy busy connection, pinged while answers are slow, is never closed and every post gets 200', async () => {
  const mock = await startMock({ auth: 'none' });
  // The last 500 answers take 200 ms: four busy intervals without a response, so PINGs go out.
  mock.inject({ kind: 'delay', ms: 200, afterRequests: 1_500 });
  const conn = await connectTo(mock, { ping: { interval: 60_000, busyInterval: 50, timeout: 2_000 } });
  cleanup.push(() => conn.destroy());
  let closed = false;
  conn.once('close', () => (closed = true));
  const statuses: number[] = [];
  for (let round = 0; round < 4; round++) {
    const responses: Response[] = await Promise.all(Array.from({ length: 500 }, () => conn.post(push())));
    statuses.push(...responses.map((r) => r.status));
  }
  expect(statuses).toHaveLength(2_000);
  expect(statuses.every((s) => s === 200)).toBe(true);
  expect(mock.stats().perConnection[0]?.pings ?? 0).toBeGreaterThan(0);
  expect(closed).toBe(false);
  expect(conn.isReady).toBe(true);
  await conn.close();
  expect(conn.isClosed).toBe(true);
});

test('ping.busyInterval defaults to 1 s and ping.timeout to 5 s; 0 turns busy pinging off', () => {
  expect(resolveOptions({}).ping).toEqual({ interval: 60_000, busyInterval: 1_000, timeout: 5_000 });
  expect(resolveOptions({ ping: { busyInterval: 0 } }).ping.busyInterval).toBe(0);
});

test.each([-1, 1.5, '1000', Number.NaN])('ping.busyInterval %p is refused before any I/O', async (value) => {
  const options = { ping: { busyInterval: value } } as unknown as ConnectionOptions;
  await expect(Connection.connect('https://localhost:1', options)).rejects.toMatchObject({ name: 'InvalidArgumentError', field: 'ping.busyInterval' });
});
