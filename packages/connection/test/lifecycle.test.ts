// Deadlines, stream-id exhaustion and health pings: no send ever hangs.
import { afterEach, describe, expect, test } from '@jest/globals';
import http2, { type ServerHttp2Stream } from 'node:http2';
import { Closed, Connection, Request, Timeout } from '../src/index.js';
import { StallingProxy } from './fixtures/proxy.js';
import { FixtureServer, ok } from './fixtures/server.js';

const { NGHTTP2_CANCEL } = http2.constants;
const path = `/3/device/${'12'.repeat(32)}`;
const req = (timeout?: number): Request => Request.create(path, { 'apns-topic': 'com.example.app' }, { aps: {} }, { timeout });
let server: FixtureServer | undefined;
let proxy: StallingProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await server?.close();
  proxy = undefined;
});

describe('deadlines', () => {
  test('a request past its deadline rejects with Timeout and its stream is reset with CANCEL', async () => {
    const held: ServerHttp2Stream[] = [];
    server = await FixtureServer.start({ handler: (s, h, b, fx) => (h['x-hold'] ? void held.push(s) : ok(s, h, b, fx)) });
    const conn = await Connection.connect(server.origin, { tls: { ca: server.ca } });
    const slow = Request.create(path, { 'x-hold': '1' }, '{}', { timeout: 150 });
    const slower = Request.create(path, { 'x-hold': '1' }, '{}', { timeout: 300 });
    const started = Date.now();
    const first = conn.post(slower).catch((e: unknown) => e);
    const second = conn.post(slow).catch((e: unknown) => e);
    const fine = conn.post(req(150));
    expect((await fine).status).toBe(200);
    const a = await second;
    expect(a).toBeInstanceOf(Timeout);
    expect(a).toMatchObject({ timeout: 150, retryable: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    let firstDone = false;
    void first.then(() => (firstDone = true));
    await Promise.resolve();
    expect(firstDone).toBe(false); // the 300 ms deadline has not fired with the 150 ms one
    expect(await first).toMatchObject({ name: 'Timeout', timeout: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await server.waitForStreams(3);
    const serverSide = held[0] as ServerHttp2Stream;
    if (!serverSide.closed) await new Promise((resolve) => serverSide.once('close', resolve));
    expect(held.map((s) => s.rstCode)).toEqual([NGHTTP2_CANCEL, NGHTTP2_CANCEL]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(conn.inFlight).toBe(0);
    expect((await conn.post(req())).status).toBe(200);
    await conn.close();
  });
});

describe('stream ids', () => {
  test('near the end of the stream-id space the connection stops taking work and drains', async () => {
    const held: ServerHttp2Stream[] = [];
    server = await FixtureServer.start({ handler: (s) => void held.push(s) });
    // Ids 1, 3, 5, 7 fit under 8: four requests, then drain.
    const conn = await Connection.connect(server.origin, { tls: { ca: server.ca }, maxStreamIds: 8 });
    const reasons: string[] = [];
    conn.on('draining', (why: string) => reasons.push(why));
    const closed = new Promise((resolve) => conn.once('close', resolve));
    const accepted = [conn.post(req()), conn.post(req()), conn.post(req())];
    expect(conn.isDraining).toBe(false);
    accepted.push(conn.post(req()));
    expect(conn.isDraining).toBe(true);
    expect(conn.isReady).toBe(false);
    expect(reasons).toEqual(['stream-ids']);
    await expect(conn.post(req())).rejects.toMatchObject({ name: 'Closed', processed: false });
    await server.waitForStreams(4);
    expect(held.map((s) => s.id)).toEqual([1, 3, 5, 7]);
    for (const s of held) ok(s, {}, Buffer.alloc(0), server);
    expect((await Promise.all(accepted)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await closed;
    expect(conn.isClosed).toBe(true);
  });
});

describe('health', () => {
  test('a stalled server is detected by an unanswered PING; in-flight requests reject Closed (unknown)', async () => {
    server = await FixtureServer.start({ handler: () => undefined });
    proxy = await StallingProxy.start(server.port);
    const conn = await Connection.connect(proxy.origin, { tls: { ca: server.ca }, pingInterval: 100, pingTimeout: 100 });
    const closed = new Promise<Error | undefined>((resolve) => conn.once('close', resolve));
    const started = Date.now();
    proxy.stalled = true;
    const pending = conn.post(req(60_000)).catch((e: unknown) => e);
    const error = await pending;
    expect(error).toBeInstanceOf(Closed);
    expect(error).toMatchObject({ processed: 'unknown' });
    const cause = await closed;
    expect(cause?.message).toMatch(/PING not answered within 100 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(conn.isClosed).toBe(true);
  });

  test('an idle connection whose PINGs are answered stays open', async () => {
    server = await FixtureServer.start();
    const conn = await Connection.connect(server.origin, { tls: { ca: server.ca }, pingInterval: 30, pingTimeout: 200 });
    let pings = 0;
    server.session.on('ping', () => pings++);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(conn.isReady).toBe(true);
    expect((await conn.post(req())).status).toBe(200);
    await conn.close();
  });
});
