// GOAWAY, REFUSED_STREAM and socket errors: which failures are provably
// unprocessed (safe to resend) and which are unknown.
import { afterEach, describe, expect, test } from '@jest/globals';
import http2, { type ServerHttp2Stream } from 'node:http2';
import { Closed, Connection, Request, type Response } from '../src/index.js';
import { StallingProxy } from './fixtures/proxy.js';
import { FixtureServer, ok } from './fixtures/server.js';

const { NGHTTP2_NO_ERROR, NGHTTP2_INTERNAL_ERROR, NGHTTP2_REFUSED_STREAM } = http2.constants;
const req = Request.create(`/3/device/${'ef'.repeat(32)}`, { 'apns-topic': 'com.example.app' }, { aps: {} });
let server: FixtureServer | undefined;
afterEach(() => server?.close());

type Outcome = Response | Closed;
const settle = (p: Promise<Response>): Promise<Outcome> => p.catch((e: unknown) => e as Closed);

async function holdingServer(): Promise<{ fx: FixtureServer; held: ServerHttp2Stream[] }> {
  const held: ServerHttp2Stream[] = [];
  const fx = await FixtureServer.start({ handler: (s) => void held.push(s) });
  server = fx;
  return { fx, held };
}

describe('GOAWAY', () => {
  test('mid-flight GOAWAY splits results exactly at last-stream-id; the JSON reason is kept', async () => {
    const { fx, held } = await holdingServer();
    const conn = await Connection.connect(fx.origin, { tls: { ca: fx.ca } });
    const draining = new Promise((resolve) => conn.once('draining', resolve));
    const closed = new Promise((resolve) => conn.once('close', resolve));
    const outcomes = Array.from({ length: 10 }, () => settle(conn.post(req))); // stream ids 1, 3, ..., 19
    await fx.waitForStreams(10);
    fx.session.goaway(NGHTTP2_NO_ERROR, 9, Buffer.from(JSON.stringify({ reason: 'Shutdown' })));
    expect(await draining).toBe('goaway');
    for (const stream of held) if ((stream.id ?? 0) <= 9) ok(stream, {}, Buffer.alloc(0), fx);
    const results = await Promise.all(outcomes);
    results.forEach((result, i) => {
      const id = 2 * i + 1;
      if (id <= 9) {
        expect(result).toMatchObject({ status: 200 });
      } else {
        expect(result).toBeInstanceOf(Closed);
        expect(result).toMatchObject({ processed: false, retryable: true, goawayReason: 'Shutdown' });
      }
    });
    expect(conn.goawayReason).toBe('Shutdown');
    await expect(conn.post(req)).rejects.toMatchObject({ name: 'Closed', processed: false, goawayReason: 'Shutdown' });
    await closed;
    expect(conn.isClosed).toBe(true);
  });

  test('a GOAWAY with an error code: above last-stream-id not processed, at or below it unknown', async () => {
    const { fx } = await holdingServer();
    const conn = await Connection.connect(fx.origin, { tls: { ca: fx.ca } });
    const outcomes = Array.from({ length: 4 }, () => settle(conn.post(req))); // ids 1, 3, 5, 7
    await fx.waitForStreams(4);
    fx.session.goaway(NGHTTP2_INTERNAL_ERROR, 3, Buffer.from('{"reason":"InternalServerError"}'));
    const results = (await Promise.all(outcomes)) as Closed[];
    expect(results.map((r) => r.processed)).toEqual(['unknown', 'unknown', false, false]);
    expect(results.every((r) => r instanceof Closed && r.goawayReason === 'InternalServerError')).toBe(true);
    expect(results[0]?.http2Code).toBe(NGHTTP2_INTERNAL_ERROR);
  });
});

describe('stream and socket failures', () => {
  test('REFUSED_STREAM is marked processed: false and the connection stays usable', async () => {
    server = await FixtureServer.start({
      handler: (stream, headers, body, fx) => {
        if (headers['x-refuse'] === '1') stream.close(NGHTTP2_REFUSED_STREAM);
        else ok(stream, headers, body, fx);
      },
    });
    const conn = await Connection.connect(server.origin, { tls: { ca: server.ca } });
    const refused = await settle(conn.post(Request.create(req.path, { ...req.headers, 'x-refuse': '1' }, req.body)));
    expect(refused).toBeInstanceOf(Closed);
    expect(refused).toMatchObject({ processed: false, retryable: true, http2Code: NGHTTP2_REFUSED_STREAM });
    expect(conn.isReady).toBe(true);
    expect((await conn.post(req)).status).toBe(200);
    await conn.close();
  });

  test('a socket destroyed mid-flight rejects every in-flight request with processed: unknown', async () => {
    const { fx } = await holdingServer();
    const proxy = await StallingProxy.start(fx.port);
    const conn = await Connection.connect(proxy.origin, { tls: { ca: fx.ca } });
    const closed = new Promise<Error | undefined>((resolve) => conn.once('close', resolve));
    const outcomes = Array.from({ length: 3 }, () => settle(conn.post(req)));
    await fx.waitForStreams(3);
    proxy.cut();
    const results = await Promise.all(outcomes);
    for (const r of results) {
      expect(r).toBeInstanceOf(Closed);
      expect(r).toMatchObject({ processed: 'unknown', retryable: false });
    }
    await closed;
    expect(conn.isClosed).toBe(true);
    expect(conn.inFlight).toBe(0);
    await expect(conn.post(req)).rejects.toMatchObject({ name: 'Closed', processed: false });
    await proxy.close();
  });

  test('destroy() rejects in-flight requests with processed: unknown and emits close with the cause', async () => {
    const { fx } = await holdingServer();
    const conn = await Connection.connect(fx.origin, { tls: { ca: fx.ca } });
    const closed = new Promise<Error | undefined>((resolve) => conn.once('close', resolve));
    const pending = settle(conn.post(req));
    await fx.waitForStreams(1);
    const cause = new Error('shutting down');
    conn.destroy(cause);
    expect(await pending).toMatchObject({ name: 'Closed', processed: 'unknown' });
    expect(await closed).toBe(cause);
  });
});
