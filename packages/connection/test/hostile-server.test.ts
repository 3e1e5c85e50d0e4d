// A hostile or broken server must not make the client buffer without bound:
// a response body past `maxResponseBody` is dropped unread, its stream reset
// with RST_STREAM(CANCEL), and the request settles with the status alone
// (`bodyDropped`): the status came first and is the server's answer.
// The server is a small real node:http2 TLS server; node:http2 is not mocked.
import http2, { type Http2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { createCa, issueServerCertificate } from '@pushwire/mock-server';
import { Connection, Request, type ConnectionOptions, type Response } from '../src/index.js';
import { settle } from './fixtures/mock.js';

const { NGHTTP2_CANCEL } = http2.constants;
const MAX = 8192; // the default maxResponseBody
const KB = 1024;
const MB = 1024 * KB;

/** A JSON error body of exactly `size` bytes: `{"reason":"BadDeviceToken","pad":"xxx..."}`. */
function jsonBody(size: number): Buffer {
  const head = '{"reason":"BadDeviceToken","pad":"';
  return Buffer.from(`${head}${'x'.repeat(size - head.length - 2)}"}`);
}

/** Writes `chunk` until the client resets the stream, respecting flow control (the server's own memory stays flat). */
function writeForever(stream: ServerHttp2Stream): void {
  const chunk = Buffer.alloc(16 * KB, 0x61);
  const pump = (): void => {
    while (!stream.closed && !stream.destroyed) {
      if (!stream.write(chunk)) {
        stream.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

interface HostileServer {
  readonly origin: string;
  readonly ca: string;
  /** RST_STREAM codes the server saw on `/endless` and `/endless/200` streams, once they closed. */
  readonly endlessResets: number[];
  close(): Promise<void>;
}

/**
 * Routes: `/endless` answers 400 and an endless body (`/endless/200`: 200
 * and an endless body); `/body/<n>` answers 400
 * with a JSON body of exactly n bytes; anything else 200 (HEADERS + END_STREAM).
 */
async function startHostileServer(): Promise<HostileServer> {
  const ca = await createCa('pushwire hostile server CA');
  const server = http2.createSecureServer(await issueServerCertificate(ca));
  const sessions = new Set<Http2Session>();
  const endlessResets: number[] = [];
  server.on('session', (session) => {
    sessions.add(session);
    session.on('error', () => undefined);
    session.once('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined); // writes racing our RST_STREAM
    const path = String(headers[':path']);
    if (path === '/endless' || path === '/endless/200') {
      stream.once('close', () => endlessResets.push(stream.rstCode));
      stream.respond({ ':status': path === '/endless' ? 400 : 200, 'content-type': 'application/json' });
      writeForever(stream);
    } else if (path.startsWith('/body/')) {
      stream.respond({ ':status': 400, 'content-type': 'application/json' });
      stream.end(jsonBody(Number(path.slice('/body/'.length))));
    } else {
      stream.respond({ ':status': 200, 'apns-id': '123e4567-e89b-12d3-a456-426614174000' }, { endStream: true });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `https://localhost:${(server.address() as AddressInfo).port}`,
    ca: ca.cert,
    endlessResets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

function post(path: string, timeout = 5_000): Request {
  return Request.create(path, { 'apns-push-type': 'alert', 'apns-topic': 'com.example.app' }, { aps: { alert: 'hi' } }, { attemptTimeout: timeout });
}

/** What the client holds in Buffers and other off-heap memory (the brief's measure; buffers count twice). */
function offHeap(): number {
  const { arrayBuffers, external } = process.memoryUsage();
  return arrayBuffers + external;
}

let server: HostileServer;
let conns: Connection[] = [];
beforeAll(async () => {
  server = await startHostileServer();
});
afterEach(() => {
  for (const conn of conns) conn.destroy();
  conns = [];
});
afterAll(() => server.close());

async function connect(options: ConnectionOptions = {}): Promise<Connection> {
  const conn = await Connection.connect(server.origin, { ...options, tls: { ca: server.ca } });
  conns.push(conn);
  return conn;
}

/** The status is the server's answer: it stands, without the body. */
function expectBodyTooLarge(result: Response | Error, status = 400): void {
  expect(result).not.toBeInstanceOf(Error);
  expect(result).toMatchObject({ status, bodyDropped: true, body: undefined, reason: undefined });
}

describe('response bodies past maxResponseBody', () => {
  test('an endless 400 body settles within a second, memory stays bounded, and the connection still works', async () => {
    const conn = await connect();
    const before = offHeap();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, offHeap())), 5);
    const started = performance.now();
    // The deadline (3 s) is far behind the one-second bound: only the body cap can settle this in time.
    const result = await settle(conn.post(post('/endless', 3_000)));
    const elapsed = performance.now() - started;
    // The server sees the reset and stops; keep sampling meanwhile.
    const end = Date.now() + 5_000;
    while (server.endlessResets.length === 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
    clearInterval(sampler);
    peak = Math.max(peak, offHeap());

    expect(elapsed).toBeLessThan(1_000);
    expectBodyTooLarge(result);
    expect(server.endlessResets).toEqual([NGHTTP2_CANCEL]);
    expect(peak - before).toBeLessThan(32 * MB);
    expect(conn.inFlight).toBe(0);
    expect([conn.isReady, conn.isClosed]).toEqual([true, false]);
    expect((await conn.post(post('/ok'))).status).toBe(200);
  });

  test('a 200 with an endless body is still a 200: sent, the stream reset, the connection usable', async () => {
    const conn = await connect();
    const resets = server.endlessResets.length;
    expectBodyTooLarge(await settle(conn.post(post('/endless/200'))), 200);
    const end = Date.now() + 5_000;
    while (server.endlessResets.length === resets && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.endlessResets.slice(resets)).toEqual([NGHTTP2_CANCEL]);
    expect(conn.inFlight).toBe(0);
    expect((await conn.post(post('/ok'))).status).toBe(200);
  });

  test('a 100 KB body is dropped; the connection stays usable', async () => {
    const conn = await connect();
    expectBodyTooLarge(await settle(conn.post(post(`/body/${100 * KB}`))));
    expect((await conn.post(post('/ok'))).status).toBe(200);
  });

  test('a body of exactly maxResponseBody is parsed; one byte more is dropped', async () => {
    const conn = await connect();
    const exact = await conn.post(post(`/body/${MAX}`));
    expect(exact).toMatchObject({ status: 400, reason: 'BadDeviceToken' });
    expect(exact.body).toHaveLength(MAX);
    expectBodyTooLarge(await settle(conn.post(post(`/body/${MAX + 1}`))));
  });

  test('maxResponseBody is the connection option: a 100 KB body passes a 128 KB cap, a 4 KB cap drops 4097 bytes', async () => {
    const large = await connect({ maxResponseBody: 128 * KB });
    expect(await large.post(post(`/body/${100 * KB}`))).toMatchObject({ status: 400, reason: 'BadDeviceToken' });
    const small = await connect({ maxResponseBody: 4 * KB });
    expect(await small.post(post(`/body/${4 * KB}`))).toMatchObject({ status: 400, reason: 'BadDeviceToken' });
    expectBodyTooLarge(await settle(small.post(post(`/body/${4 * KB + 1}`))));
  });
});
