// Deadlines, stream-id exhaustion and health pings against the mock server:
// no send ever hangs. Assertions are on order and counts, not elapsed time.
import { afterEach, describe, expect, test } from '@jest/globals';
import http2 from 'node:http2';
import { Closed, Timeout } from '../src/index.js';
import { connectTo, newToken, next, push, settle, startMock, stopMocks, until } from './fixtures/mock.js';

const { NGHTTP2_CANCEL } = http2.constants;
afterEach(stopMocks);

describe('deadlines', () => {
  test('a request past its deadline rejects with Timeout, its stream is reset with CANCEL, and the server sees the cancel', async () => {
    const server = await startMock({ auth: 'none' });
    const stuck = newToken();
    server.inject({ kind: 'stall', token: stuck });
    const conn = await connectTo(server);
    let laterSettled = false;
    // A far deadline first, then a near one: the shared deadline timer must re-arm for the nearer one.
    const later = settle(conn.post(push(stuck, 600_000))).finally(() => (laterSettled = true));
    const soon = settle(conn.post(push(stuck, 150)));
    const fine = conn.post(push());
    expect(await soon).toMatchObject({ name: 'Timeout', timeout: 150, retryable: false });
    expect(await soon).toBeInstanceOf(Timeout);
    expect((await fine).status).toBe(200);
    expect(laterSettled).toBe(false);
    // The server saw the cancel on the timed-out stream (3), and only there.
    await until(() => server.requests.some((r) => r.clientReset !== undefined), 'the server to see the reset');
    expect(server.requests.map((r) => [r.streamId, r.outcome, r.clientReset])).toEqual([
      [1, 'stalled', undefined],
      [3, 'stalled', NGHTTP2_CANCEL],
      [5, 'answered', undefined],
    ]);
    await until(() => conn.inFlight === 1, 'the reset stream to free its slot');
    expect((await conn.post(push())).status).toBe(200);
    conn.destroy();
    expect(await later).toMatchObject({ name: 'Closed', outcome: 'unknown' });
  });
});

describe('stream ids', () => {
  test('near the end of the stream-id space the connection stops taking work and drains', async () => {
    const server = await startMock({ auth: 'none' });
    server.inject({ kind: 'delay', ms: 50 });
    // Ids 1, 3, 5, 7 fit under 8: four requests, then drain.
    const conn = await connectTo(server, { maxStreamIds: 8 });
    const reasons: string[] = [];
    conn.on('draining', (why: string) => reasons.push(why));
    const closed = next<Error | undefined>(conn, 'close');
    const accepted = [conn.post(push()), conn.post(push()), conn.post(push())];
    expect(conn.isDraining).toBe(false);
    accepted.push(conn.post(push()));
    expect([conn.isDraining, conn.isReady]).toEqual([true, false]);
    expect(reasons).toEqual(['stream-ids']);
    await expect(conn.post(push())).rejects.toMatchObject({ name: 'Closed', outcome: 'not-sent', retryable: true });
    expect((await Promise.all(accepted)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await closed).toBeUndefined();
    expect(conn.isClosed).toBe(true);
    expect(server.requests.map((r) => r.streamId)).toEqual([1, 3, 5, 7]);
    // The next connection starts a fresh id space.
    const fresh = await connectTo(server, { maxStreamIds: 8 });
    expect((await fresh.post(push())).status).toBe(200);
    expect(server.requests.at(-1)?.streamId).toBe(1);
    await fresh.close();
  });
});

describe('health', () => {
  test('a stalled server is detected by an unanswered PING: the connection is destroyed and every pending post rejects', async () => {
    const server = await startMock({ auth: 'none' });
    server.inject({ kind: 'stall', ignorePings: true });
    const conn = await connectTo(server, { ping: { interval: 100, timeout: 100 } });
    const closed = next<Error | undefined>(conn, 'close');
    // Deadlines far away: only the PING can end these.
    const pending = Array.from({ length: 3 }, () => settle(conn.post(push(newToken(), 600_000))));
    const results = await Promise.all(pending);
    for (const error of results) {
      expect(error).toBeInstanceOf(Closed);
      expect(error).toMatchObject({ outcome: 'unknown', retryable: false });
    }
    const cause = await closed;
    expect(cause).toBeInstanceOf(Closed);
    expect(cause?.message).toMatch(/PING not answered within 100 ms/);
    expect([conn.isClosed, conn.inFlight]).toEqual([true, 0]);
    await expect(conn.post(push())).rejects.toMatchObject({ name: 'Closed', outcome: 'not-sent' });
  });

  test('an idle connection whose PINGs are answered stays open', async () => {
    const server = await startMock({ auth: 'none' });
    const conn = await connectTo(server, { ping: { interval: 20, timeout: 10_000 } });
    await until(() => (server.stats().perConnection[0]?.pings ?? 0) >= 3, 'three PINGs');
    expect(conn.isReady).toBe(true);
    expect((await conn.post(push())).status).toBe(200);
    await conn.close();
  });
});
