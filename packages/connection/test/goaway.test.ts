// GOAWAY, REFUSED_STREAM and socket failures against the mock server: which
// failures are provably unprocessed (safe to resend) and which are unknown,
// checked against what the server recorded.
import { afterEach, describe, expect, test } from '@jest/globals';
import http2 from 'node:http2';
import { Closed, type Response } from '../src/index.js';
import { ENGINE, connectTo, newToken, next, push, settle, startMock, stopMocks, until } from './fixtures/mock.js';

const { NGHTTP2_INTERNAL_ERROR, NGHTTP2_REFUSED_STREAM } = http2.constants;
afterEach(stopMocks);

/** Stream id of the nth post on a fresh connection (client ids are odd). */
const streamId = (i: number): number => 2 * i + 1;

describe('GOAWAY', () => {
  test('mid-flight GOAWAY splits results exactly at last-stream-id; the server record agrees; the JSON reason is kept', async () => {
    const server = await startMock({ auth: 'none' });
    // Everything waits, so all ten are in flight when the 10th (stream 19) triggers GOAWAY(last 9).
    server.inject({ kind: 'delay', ms: 300 });
    server.inject({ kind: 'goaway', nth: 10, lastStreamId: 9, reason: 'Shutdown' });
    const conn = await connectTo(server);
    const draining = next<string>(conn, 'draining');
    const closed = next<Error | undefined>(conn, 'close');
    const outcomes = Array.from({ length: 10 }, () => settle(conn.post(push())));
    expect(await draining).toBe('goaway');
    const results = await Promise.all(outcomes);
    results.forEach((result, i) => {
      if (streamId(i) <= 9) {
        expect(result).toMatchObject({ status: 200 });
      } else {
        expect(result).toBeInstanceOf(Closed);
        expect(result).toMatchObject({ outcome: 'not-sent', retryable: true, goawayReason: 'Shutdown' });
      }
    });
    expect(conn.goawayReason).toBe('Shutdown');
    await expect(conn.post(push())).rejects.toMatchObject({ name: 'Closed', outcome: 'not-sent', goawayReason: 'Shutdown' });
    expect(await closed).toBeUndefined();
    expect(conn.isClosed).toBe(true);
    // The server answered exactly the streams at or below 9 and refused the rest.
    await until(() => server.requests.every((r) => r.outcome !== 'pending'), 'the server to settle its records');
    expect(server.requests.map((r) => [r.streamId, r.outcome, r.status])).toEqual(
      results.map((_, i) => (streamId(i) <= 9 ? [streamId(i), 'answered', 200] : [streamId(i), 'refused', undefined])),
    );
    expect(server.stats().perConnection[0]?.goaway).toBe(9);
  });

  test('a GOAWAY with an error code: above last-stream-id not processed, at or below it unknown', async () => {
    const server = await startMock({ auth: 'none' });
    server.inject({ kind: 'delay', ms: 300 });
    server.inject({ kind: 'goaway', nth: 4, lastStreamId: 3, code: 'INTERNAL_ERROR', reason: 'InternalServerError' });
    const conn = await connectTo(server);
    const results = (await Promise.all(Array.from({ length: 4 }, () => settle(conn.post(push()))))) as Closed[];
    if (ENGINE === 'node') {
      // node:http2 ends the session at once on an error GOAWAY: streams 1 and 3 are cut.
      expect(results.map((r) => r instanceof Closed && r.outcome)).toEqual(['unknown', 'unknown', 'not-sent', 'not-sent']);
      expect(results.every((r) => r.goawayReason === 'InternalServerError')).toBe(true);
      expect(results[0]?.http2Code).toBe(NGHTTP2_INTERNAL_ERROR);
      expect(server.accepted()).toEqual([]);
    } else {
      // The wire engine lets streams 1 and 3 finish (RFC 9113 §6.8): the mock answers them.
      expect(results.map((r) => (r instanceof Closed ? r.outcome : (r as unknown as Response).status))).toEqual([200, 200, 'not-sent', 'not-sent']);
      expect(results.slice(2).every((r) => r.goawayReason === 'InternalServerError')).toBe(true);
      expect(server.accepted()).toHaveLength(2);
    }
  });

  test('streams at or below last-stream-id that stay quiet past the busy PING interval get their answers (a draining node:http2 session takes no PING)', async () => {
    const server = await startMock({ auth: 'none' });
    // The answers come long after a busy PING is due (100 ms quiet, 100 ms to answer).
    server.inject({ kind: 'delay', ms: 800 });
    server.inject({ kind: 'goaway', nth: 4, lastStreamId: 7, reason: 'Shutdown' });
    const conn = await connectTo(server, { ping: { interval: 60_000, busyInterval: 100, timeout: 100 } });
    const closed = next<Error | undefined>(conn, 'close');
    const results = await Promise.all(Array.from({ length: 4 }, () => settle(conn.post(push()))));
    // Before the fix, node:http2 cancelled the PING of the draining session, the
    // connection took that for a dead server and cut all four: 'unknown' each.
    expect(results.map((r) => (r instanceof Error ? r.message : r.status))).toEqual([200, 200, 200, 200]);
    expect(await closed).toBeUndefined();
    expect(server.accepted()).toHaveLength(4);
  });
});

describe('stream and socket failures', () => {
  test('REFUSED_STREAM is marked outcome: not-sent and the connection stays usable', async () => {
    const server = await startMock({ auth: 'none' });
    const refusedToken = newToken();
    server.inject({ kind: 'rst', code: 'REFUSED_STREAM', token: refusedToken });
    const conn = await connectTo(server);
    const refused = await settle(conn.post(push(refusedToken)));
    expect(refused).toBeInstanceOf(Closed);
    expect(refused).toMatchObject({ outcome: 'not-sent', retryable: true, http2Code: NGHTTP2_REFUSED_STREAM });
    expect(conn.isReady).toBe(true);
    expect((await conn.post(push())).status).toBe(200);
    expect(server.requests.map((r) => r.outcome)).toEqual(['reset', 'answered']);
    await conn.close();
  });

  test('another RST_STREAM code is outcome: unknown (APNs may have acted on it)', async () => {
    const server = await startMock({ auth: 'none' });
    server.inject({ kind: 'rst', code: 'INTERNAL_ERROR', times: 1 });
    const conn = await connectTo(server);
    expect(await settle(conn.post(push()))).toMatchObject({ name: 'Closed', outcome: 'unknown', retryable: false, http2Code: NGHTTP2_INTERNAL_ERROR });
    expect((await conn.post(push())).status).toBe(200);
    await conn.close();
  });

  test('a socket destroyed mid-flight rejects every in-flight request with outcome: unknown', async () => {
    const server = await startMock({ auth: 'none' });
    server.inject({ kind: 'delay', ms: 300 });
    server.inject({ kind: 'destroy', nth: 3 });
    const conn = await connectTo(server);
    const closed = next<Error | undefined>(conn, 'close');
    const results = await Promise.all(Array.from({ length: 3 }, () => settle(conn.post(push()))));
    for (const r of results) {
      expect(r).toBeInstanceOf(Closed);
      expect(r).toMatchObject({ outcome: 'unknown', retryable: false });
    }
    await closed;
    expect([conn.isClosed, conn.inFlight]).toEqual([true, 0]);
    await expect(conn.post(push())).rejects.toMatchObject({ name: 'Closed', outcome: 'not-sent' });
    expect(server.requests.map((r) => r.outcome)).toEqual(['pending', 'pending', 'destroyed']);
    expect(server.accepted()).toEqual([]);
  });

  test('destroy() rejects in-flight requests with outcome: unknown and emits close with the cause', async () => {
    const server = await startMock({ auth: 'none' });
    server.inject({ kind: 'stall' });
    const conn = await connectTo(server);
    const closed = next<Error | undefined>(conn, 'close');
    const pending = settle(conn.post(push()));
    await until(() => server.requests.length === 1, 'the request to reach the server');
    const cause = new Error('shutting down');
    conn.destroy(cause);
    expect(await pending).toMatchObject({ name: 'Closed', outcome: 'unknown' });
    expect(await closed).toBe(cause);
  });

  test('every post settles exactly once under a mix of faults', async () => {
    const server = await startMock({ auth: 'none' });
    server.inject({ kind: 'status', status: 500, reason: 'InternalServerError', nth: 2 });
    server.inject({ kind: 'rst', nth: 4 });
    server.inject({ kind: 'goaway', nth: 6, lastStreamId: 'previous', reason: 'Shutdown' });
    const conn = await connectTo(server);
    let settled = 0;
    const outcomes: Array<Response | Error> = [];
    for (let i = 0; i < 7; i++) {
      const outcome = await settle(conn.post(push()).finally(() => settled++));
      outcomes.push(outcome);
    }
    expect(settled).toBe(7);
    expect(outcomes.map((o) => (o instanceof Error ? `${o.name}:${String((o as Closed).outcome)}` : o.status))).toEqual([
      200, 500, 200, 'Closed:not-sent', 200, 'Closed:not-sent', 'Closed:not-sent',
    ]);
  });
});
