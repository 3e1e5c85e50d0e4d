// Concurrency: never more streams than the live capacity; Blocked at once when full.
import { afterEach, describe, expect, test } from '@jest/globals';
import type { ServerHttp2Stream } from 'node:http2';
import { Blocked, Connection, Request, TokenAuth } from '../src/index.js';
import { makeSigningKey, TokenChecker } from './fixtures/jwt.js';
import { FixtureServer, ok, reject } from './fixtures/server.js';

const req = Request.create(`/3/device/${'cd'.repeat(32)}`, { 'apns-topic': 'com.example.app' }, { aps: {} });
let server: FixtureServer | undefined;
afterEach(() => server?.close());

/** A handler that holds every stream until released. */
function holding(): { held: ServerHttp2Stream[]; handler: (s: ServerHttp2Stream) => void; releaseAll: () => void } {
  const held: ServerHttp2Stream[] = [];
  return {
    held,
    handler: (s) => void held.push(s),
    releaseAll: () => held.splice(0).forEach((s) => ok(s, {}, Buffer.alloc(0), server as FixtureServer)),
  };
}

const nextCapacity = (conn: Connection): Promise<number> => new Promise((resolve) => conn.once('capacity', resolve));

describe('capacity', () => {
  test('1000 streams in flight are accepted and the 1001st is Blocked at once, nothing written', async () => {
    const hold = holding();
    server = await FixtureServer.start({ handler: hold.handler, settings: { maxConcurrentStreams: 2000 } });
    const conn = await Connection.connect(server.origin, { tls: { ca: server.ca } });
    expect(conn.capacity).toBe(1000); // our default cap, below the server's 2000
    const pending = Array.from({ length: 1000 }, () => conn.post(req));
    expect(conn.inFlight).toBe(1000);
    expect(conn.isBusy).toBe(true);
    await expect(conn.post(req)).rejects.toBeInstanceOf(Blocked);
    await server.waitForStreams(1000);
    expect(server.streams).toHaveLength(1000);
    hold.releaseAll();
    const results = await Promise.all(pending);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(conn.inFlight).toBe(0);
    server.handler = ok;
    expect((await conn.post(req)).status).toBe(200);
    await conn.close();
  });

  test('SETTINGS_MAX_CONCURRENT_STREAMS lowered mid-connection is respected, and raised again', async () => {
    const hold = holding();
    server = await FixtureServer.start({ handler: hold.handler, settings: { maxConcurrentStreams: 100 } });
    const conn = await Connection.connect(server.origin, { tls: { ca: server.ca } });
    expect(conn.capacity).toBe(100);
    const lowered = nextCapacity(conn);
    server.session.settings({ maxConcurrentStreams: 2 });
    expect(await lowered).toBe(2);
    const first = [conn.post(req), conn.post(req)];
    await expect(conn.post(req)).rejects.toMatchObject({ name: 'Blocked', retryable: true });
    await server.waitForStreams(2);
    hold.releaseAll();
    await Promise.all(first);
    const raised = nextCapacity(conn);
    server.session.settings({ maxConcurrentStreams: 5 });
    expect(await raised).toBe(5);
    const next = Array.from({ length: 5 }, () => conn.post(req));
    await expect(conn.post(req)).rejects.toBeInstanceOf(Blocked);
    await server.waitForStreams(7);
    hold.releaseAll();
    await Promise.all(next);
    await conn.close();
  });

  test('a token-auth connection starts at 1 stream and widens after a request with a valid token succeeds', async () => {
    const signing = makeSigningKey();
    const checker = new TokenChecker(signing.publicKey, signing.keyId, signing.teamId, Date.now);
    let widened = false;
    let concurrent = 0;
    let maxConcurrent = 0;
    server = await FixtureServer.start({
      settings: { maxConcurrentStreams: 1 },
      handler: (stream, headers) => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        stream.on('close', () => concurrent--);
        const verdict = checker.check(headers['authorization'], stream.session as object);
        if (verdict.status !== 200) return reject(stream, verdict.status, verdict.reason as string);
        // APNs: one stream until a request carries a valid token, then more.
        if (!widened) {
          widened = true;
          stream.session?.settings({ maxConcurrentStreams: 1000 });
        }
        setTimeout(() => ok(stream, headers, Buffer.alloc(0), server as FixtureServer), 5);
      },
    });
    const conn = await Connection.connect(server.origin, { tls: { ca: server.ca }, auth: new TokenAuth(signing) });
    expect(conn.capacity).toBe(1);
    const first = conn.post(req);
    await expect(conn.post(req)).rejects.toBeInstanceOf(Blocked);
    const widenedTo = nextCapacity(conn);
    expect((await first).status).toBe(200);
    expect(await widenedTo).toBe(1000);
    const many = await Promise.all(Array.from({ length: 50 }, () => conn.post(req)));
    expect(many.every((r) => r.status === 200)).toBe(true);
    expect(maxConcurrent).toBeGreaterThan(1);
    expect(checker.failures).toEqual([]);
    await conn.close();
  });
});
