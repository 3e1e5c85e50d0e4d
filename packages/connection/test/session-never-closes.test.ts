// node:http2 sometimes never emits 'close' on a client session whose peer
// vanished (seen after a server restart on the same port): sends then sat
// until their deadlines and close() never resolved. The connection must
// close itself a grace period after its socket is gone or it destroyed the
// session (PING unanswered), without waiting for that event.
import { afterEach, describe, expect, test } from '@jest/globals';
import http2 from 'node:http2';
import { Closed } from '../src/index.js';
import { connectTo, newToken, next, push, settle, startMock, stopMocks } from './fixtures/mock.js';

afterEach(stopMocks);

type Session = ReturnType<typeof http2.connect>;

/**
 * Makes every client session swallow its own 'close' event until restored;
 * `sessions` collects the sessions that emitted anything meanwhile.
 */
function swallowSessionClose(sessions: Session[] = []): () => void {
  const probe = http2.connect('https://localhost:1');
  probe.on('error', () => {});
  const proto = Object.getPrototypeOf(probe) as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
  probe.destroy();
  const original = proto.emit;
  proto.emit = function emit(this: Session, event: string | symbol, ...args: unknown[]): boolean {
    if (!sessions.includes(this)) sessions.push(this);
    if (event === 'close') return false;
    return original.call(this, event, ...args);
  };
  return () => {
    delete (proto as { emit?: unknown }).emit;
  };
}

describe('a session that never emits close', () => {
  test('the server drops the socket: pending posts reject with Closed and close() resolves after the grace period', async () => {
    const server = await startMock({ auth: 'none' });
    server.inject({ kind: 'stall' });
    const conn = await connectTo(server, { engine: 'node', ping: { interval: 0 } });
    const restore = swallowSessionClose();
    try {
      const closed = next<Error | undefined>(conn, 'close');
      // Deadlines far away: only the connection noticing its socket is gone can end these.
      const pending = [settle(conn.post(push(newToken(), 600_000))), settle(conn.post(push(newToken(), 600_000)))];
      while (server.stats().stalled < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      server.destroyConnections();
      for (const result of await Promise.all(pending)) expect(result).toMatchObject({ name: 'Closed', outcome: 'unknown' });
      await closed;
      expect([conn.isClosed, conn.inFlight]).toEqual([true, 0]);
      await conn.close();
      await expect(conn.post(push())).rejects.toMatchObject({ name: 'Closed', outcome: 'not-sent' });
    } finally {
      restore();
    }
  });

  test('a PING goes unanswered: the connection destroys itself and closes without the event', async () => {
    const server = await startMock({ auth: 'none' });
    server.inject({ kind: 'stall', ignorePings: true });
    const conn = await connectTo(server, { engine: 'node', ping: { interval: 50, timeout: 100 } });
    const restore = swallowSessionClose();
    try {
      const closed = next<Error | undefined>(conn, 'close');
      const pending = settle(conn.post(push(newToken(), 600_000)));
      const error = await pending;
      expect(error).toBeInstanceOf(Closed);
      expect(error).toMatchObject({ outcome: 'unknown' });
      expect((await closed)?.message).toMatch(/PING not answered/);
      await conn.close();
    } finally {
      restore();
    }
  });
  test('node:http2 destroys the session on its own: the next post is refused, the connection drains and closes', async () => {
    const server = await startMock({ auth: 'none' });
    server.inject({ kind: 'stall' });
    const sessions: Session[] = [];
    const restore = swallowSessionClose(sessions);
    try {
      const conn = await connectTo(server, { engine: 'node', ping: { interval: 0 } });
      const pending = settle(conn.post(push(newToken(), 600_000)));
      while (server.stats().stalled < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      const draining = next<string>(conn, 'draining');
      const closed = next<Error | undefined>(conn, 'close');
      // As node:http2 does after a socket error with writes stuck: destroyed, no 'close'.
      for (const session of sessions) session.destroy();
      // Refused by the connection itself, at once (Node.js 24's request() no
      // longer throws on a destroyed session; it would fail the stream later).
      await expect(conn.post(push())).rejects.toMatchObject({ name: 'Closed', outcome: 'not-sent', message: expect.stringMatching(/refused a new stream/) });
      expect(conn.isReady).toBe(false);
      expect(await draining).toBe('close');
      await closed;
      expect(await pending).toMatchObject({ name: 'Closed', outcome: 'unknown' });
      await conn.close();
    } finally {
      restore();
    }
  });

  test('node:http2 destroys an idle session on its own: the PING monitor notices and the connection closes', async () => {
    const server = await startMock({ auth: 'none' });
    const sessions: Session[] = [];
    const restore = swallowSessionClose(sessions);
    try {
      const conn = await connectTo(server, { engine: 'node', ping: { interval: 20, timeout: 10_000 } });
      const closed = next<Error | undefined>(conn, 'close');
      for (const session of sessions) session.destroy();
      expect((await closed)?.message).toMatch(/session was destroyed/);
      await conn.close();
    } finally {
      restore();
    }
  });
});
