// Concurrency against the mock server: never more streams than the live
// capacity (our cap and the server's SETTINGS); Blocked at once when full.
import { afterEach, describe, expect, test } from '@jest/globals';
import { Blocked, TokenAuth } from '../src/index.js';
import { connectTo, next, push, startMock, stopMocks, until } from './fixtures/mock.js';

afterEach(stopMocks);

describe('capacity', () => {
  test('1000 streams in flight are accepted and the 1001st is Blocked at once, nothing written', async () => {
    const server = await startMock({ auth: 'none', maxConcurrentStreams: 1000 });
    server.inject({ kind: 'delay', ms: 200 }); // keep them in flight together
    const conn = await connectTo(server);
    expect(conn.capacity).toBe(1000);
    const pending = Array.from({ length: 1000 }, () => conn.post(push()));
    expect([conn.inFlight, conn.isBusy]).toEqual([1000, true]);
    await expect(conn.post(push())).rejects.toBeInstanceOf(Blocked);
    const results = await Promise.all(pending);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1000);
    // The server saw exactly the 1000 (the Blocked one was never written) and refused none:
    // more than its SETTINGS_MAX_CONCURRENT_STREAMS at once would have been refused.
    const stats = server.stats();
    expect([stats.requests, stats.accepted, stats.refused]).toEqual([1000, 1000, 0]);
    expect(conn.inFlight).toBe(0);
    expect((await conn.post(push())).status).toBe(200);
    await conn.close();
  });

  test('our own cap applies when the server allows more', async () => {
    const server = await startMock({ auth: 'none', maxConcurrentStreams: 50 });
    const conn = await connectTo(server, { maxConcurrentStreams: 3 });
    expect(conn.capacity).toBe(3);
    server.inject({ kind: 'delay', ms: 50 });
    const pending = [conn.post(push()), conn.post(push()), conn.post(push())];
    await expect(conn.post(push())).rejects.toMatchObject({ name: 'Blocked', retryable: true });
    expect((await Promise.all(pending)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(server.stats().requests).toBe(3);
    await conn.close();
  });

  test('SETTINGS_MAX_CONCURRENT_STREAMS lowered mid-connection is respected, and raised again with a "free" event', async () => {
    const server = await startMock({ auth: 'none', maxConcurrentStreams: 100 });
    const conn = await connectTo(server);
    expect(conn.capacity).toBe(100);
    server.inject({ kind: 'delay', ms: 50 });
    let freed = 0;
    conn.on('free', () => freed++);
    server.setMaxConcurrentStreams(2);
    // A lowered capacity emits nothing ("free" means "you may send more"): the getter says it.
    await until(() => conn.capacity === 2, 'the lowered SETTINGS');
    expect(freed).toBe(0);
    const first = [conn.post(push()), conn.post(push())];
    await expect(conn.post(push())).rejects.toMatchObject({ name: 'Blocked', retryable: true });
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
    const raised = next(conn, 'free');
    server.setMaxConcurrentStreams(5);
    await raised;
    expect(conn.capacity).toBe(5);
    const more = Array.from({ length: 5 }, () => conn.post(push()));
    await expect(conn.post(push())).rejects.toBeInstanceOf(Blocked);
    expect((await Promise.all(more)).every((r) => r.status === 200)).toBe(true);
    expect([server.stats().requests, server.stats().refused]).toEqual([7, 0]);
    await conn.close();
  });

  test('a token-auth connection starts at 1 stream and widens after a request with a valid token', async () => {
    const server = await startMock({ auth: 'token', maxConcurrentStreams: 1000 });
    const conn = await connectTo(server, { auth: new TokenAuth(server.signingKey) });
    expect(conn.capacity).toBe(1);
    const widened = next(conn, 'free');
    const first = conn.post(push());
    await expect(conn.post(push())).rejects.toBeInstanceOf(Blocked);
    expect((await first).status).toBe(200);
    await widened;
    expect(conn.capacity).toBe(1000);
    server.inject({ kind: 'delay', ms: 20 });
    const many = Array.from({ length: 50 }, () => conn.post(push()));
    expect(conn.inFlight).toBe(50);
    expect((await Promise.all(many)).every((r) => r.status === 200)).toBe(true);
    const stats = server.stats();
    expect([stats.requests, stats.accepted, stats.refused, stats.rejected]).toEqual([51, 51, 0, 0]);
    expect(stats.perConnection[0]?.maxConcurrentStreams).toBe(1000);
    await conn.close();
  });
});
