import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClientHttp2Session } from 'node:http2';
import { connect } from 'node:http2';
import { MockApnsServer } from '../src/index.js';
import { close, newToken, open, request, TOPIC, type Reply } from './helpers.js';

// Auth 'none': these tests are about faults, and need many streams at once.
describe('fault injection', () => {
  let server: MockApnsServer;
  let session: ClientHttp2Session;
  beforeAll(async () => {
    server = await MockApnsServer.start({ auth: 'none' });
  });
  afterEach(async () => {
    server.clearFaults();
    if (session) await close(session);
  });
  afterAll(() => server.stop());

  const send = (s: ClientHttp2Session, token = newToken()): Promise<Reply> => request(s, { ':path': `/3/device/${token}`, 'apns-topic': TOPIC });
  const settle = <T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error & { rstCode?: number; code?: string } }> =>
    p.then((value) => ({ ok: true as const, value }), (error: Error) => ({ ok: false as const, error }));

  it('status: 503 Shutdown for `times` requests, then normal answers', async () => {
    const handle = server.inject({ kind: 'status', status: 503, reason: 'Shutdown', times: 2 });
    session = await open(server);
    const replies = [await send(session), await send(session), await send(session)];
    expect(replies.map((r) => [r.status, r.json?.reason])).toEqual([[503, 'Shutdown'], [503, 'Shutdown'], [200, undefined]]);
    expect([handle.fired, handle.spent]).toEqual([2, true]);
  });

  it('status with nth (the CLI example) and failNth: only that request fails', async () => {
    server.inject({ kind: 'status', status: 503, reason: 'ServiceUnavailable', nth: 2 });
    server.inject({ kind: 'failNth', n: 3 });
    session = await open(server);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(`${(await send(session)).status}`);
    expect(statuses).toEqual(['200', '503', '500', '200']);
    expect(server.requests.at(-2)!.reason).toBe('InternalServerError');
  });

  it('retryAfter: 429 TooManyRequests with a Retry-After header', async () => {
    server.inject({ kind: 'retryAfter', seconds: 7, times: 1 });
    session = await open(server);
    const reply = await send(session);
    expect([reply.status, reply.json?.reason, reply.headers['retry-after']]).toEqual([429, 'TooManyRequests', '7']);
    expect((await send(session)).status).toBe(200);
  });

  it('rst: resets the stream with REFUSED_STREAM by default, or the given code', async () => {
    server.inject({ kind: 'rst', times: 1 });
    server.inject({ kind: 'rst', code: 'CANCEL', nth: 2 });
    session = await open(server);
    const first = await settle(send(session));
    const second = await settle(send(session));
    expect(!first.ok && first.error.rstCode).toBe(7);
    expect(!second.ok && second.error.rstCode).toBe(8);
    expect((await send(session)).status).toBe(200);
    expect(server.stats().reset).toBeGreaterThanOrEqual(2);
  });

  it('delay: scoped to one token, others answer at once', async () => {
    const slow = newToken();
    // Wide apart, so a loaded machine's pauses cannot blur the two.
    server.inject({ kind: 'delay', ms: 800, token: slow });
    session = await open(server);
    const start = Date.now();
    const slowReply = send(session, slow);
    await send(session);
    expect(Date.now() - start).toBeLessThan(600);
    expect((await slowReply).status).toBe(200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(795);
  });

  it('stall: never answers the request; the connection still serves others', async () => {
    const stuck = newToken();
    server.inject({ kind: 'stall', token: stuck });
    session = await open(server);
    const stalled = settle(send(session, stuck));
    expect((await send(session)).status).toBe(200);
    const raced = await Promise.race([stalled, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 100))]);
    expect(raced).toBe('pending');
    expect(server.requests.find((r) => r.token === stuck)!.outcome).toBe('stalled');
    session.destroy();
    await stalled;
  });

  it('stall with ignorePings: PINGs go unanswered', async () => {
    server.inject({ kind: 'stall', ignorePings: true, times: 1 });
    session = await open(server);
    const stalled = settle(send(session));
    await new Promise((r) => setTimeout(r, 30));
    const pong = new Promise<string>((resolve) => session.ping((err) => resolve(err ? 'error' : 'pong')));
    const raced = await Promise.race([pong, new Promise<'silence'>((r) => setTimeout(() => r('silence'), 200))]);
    expect(raced).toBe('silence');
    session.destroy();
    await stalled;
  });

  it("goaway 'middle': streams up to the middle open one are answered, later ones refused; JSON reason sent", async () => {
    server.inject({ kind: 'delay', ms: 80 });
    server.inject({ kind: 'goaway', nth: 4, lastStreamId: 'middle', reason: 'Shutdown' });
    session = await open(server);
    const goaway = new Promise<[number, Buffer | undefined]>((resolve) => session.once('goaway', (_c, last, data) => resolve([last, data])));
    const results = await Promise.all([1, 2, 3, 4].map(() => settle(send(session))));
    const [last, data] = await goaway;
    expect(last).toBe(3);
    expect(JSON.parse(data!.toString())).toEqual({ reason: 'Shutdown' });
    expect(results.map((r) => (r.ok ? r.value.status : 'failed'))).toEqual([200, 200, 'failed', 'failed']);
    expect(server.accepted().filter((r) => r.connectionId === server.stats().connections)).toHaveLength(2);
  });

  it('records what happened to unanswered streams: refused by a GOAWAY, or reset by the client', async () => {
    server.inject({ kind: 'delay', ms: 80 });
    server.inject({ kind: 'goaway', nth: 3, lastStreamId: 1, reason: 'Shutdown' });
    session = await open(server);
    const connection = server.stats().connections;
    const results = await Promise.all([1, 2, 3].map(() => settle(send(session))));
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    const mine = (): typeof server.requests => server.requests.filter((r) => r.connectionId === connection);
    // Stream 3 was open when the GOAWAY came (refused then); stream 5 triggered it.
    expect(mine().map((r) => [r.streamId, r.outcome])).toEqual([[1, 'answered'], [3, 'refused'], [5, 'refused']]);
    server.clearFaults();
    const stuck = newToken();
    server.inject({ kind: 'stall', token: stuck });
    session = await open(server);
    const stream = session.request({ ':method': 'POST', ':path': `/3/device/${stuck}`, 'apns-topic': TOPIC });
    stream.on('error', () => undefined);
    stream.end('{}');
    while (server.requests.at(-1)?.token !== stuck) await new Promise((r) => setTimeout(r, 5));
    stream.close(8); // CANCEL, as a client does after its own timeout
    await new Promise((r) => stream.once('close', r));
    while (server.requests.at(-1)!.clientReset === undefined) await new Promise((r) => setTimeout(r, 5));
    expect(server.requests.at(-1)).toMatchObject({ outcome: 'stalled', clientReset: 8 });
  });

  it('counts PINGs per connection', async () => {
    session = await open(server);
    for (let i = 0; i < 2; i++) await new Promise((resolve) => session.ping(resolve));
    expect(server.stats().perConnection.at(-1)!.pings).toBe(2);
  });

  it('goaway afterRequests, perConnection: every connection is told to go after its first request', async () => {
    server.inject({ kind: 'goaway', afterRequests: 1, perConnection: true, reason: 'Shutdown' });
    for (let i = 0; i < 2; i++) {
      const s = await open(server);
      const goaway = new Promise<number>((resolve) => s.once('goaway', (_c, last) => resolve(last)));
      expect((await send(s)).status).toBe(200);
      // 'current': the triggering request (stream 3) is still answered.
      expect((await send(s)).status).toBe(200);
      expect(await goaway).toBe(3);
      await close(s);
    }
  });

  it('destroy: drops the connection without GOAWAY', async () => {
    server.inject({ kind: 'destroy', afterRequests: 1 });
    session = await open(server);
    let sawGoaway = false;
    session.on('goaway', () => (sawGoaway = true));
    expect((await send(session)).status).toBe(200);
    const dropped = await settle(send(session));
    expect(dropped.ok).toBe(false);
    await new Promise((resolve) => (session.closed ? resolve(undefined) : session.once('close', resolve)));
    expect(sawGoaway).toBe(false);
    expect(server.requests.at(-1)!.outcome).toBe('destroyed');
  });

  it('settings: changes SETTINGS_MAX_CONCURRENT_STREAMS mid-connection', async () => {
    server.inject({ kind: 'settings', maxConcurrentStreams: 5, connection: server.stats().connections + 1 });
    session = await open(server);
    expect(session.remoteSettings.maxConcurrentStreams).toBe(1000);
    const changed = new Promise<number | undefined>((resolve) => session.once('remoteSettings', (s) => resolve(s.maxConcurrentStreams)));
    expect((await send(session)).status).toBe(200);
    expect(await changed).toBe(5);
    expect(server.stats().perConnection.at(-1)!.maxConcurrentStreams).toBe(5);
  });

  it('idleTimeout: an idle connection gets GOAWAY {"reason":"IdleTimeout"}', async () => {
    server.inject({ kind: 'idleTimeout', ms: 100 });
    session = await open(server);
    expect((await send(session)).status).toBe(200);
    const start = Date.now();
    const data = await new Promise<Buffer | undefined>((resolve) => session.once('goaway', (_c, _l, d) => resolve(d)));
    expect(JSON.parse(data!.toString())).toEqual({ reason: 'IdleTimeout' });
    expect(Date.now() - start).toBeGreaterThanOrEqual(80);
  });

  it('tlsFail: the next connection fails its handshake, the one after works', async () => {
    server.inject({ kind: 'tlsFail', connections: 1 });
    const failed = connect(server.origin, { ca: server.ca });
    const error = await new Promise<Error>((resolve) => failed.once('error', resolve));
    expect(error.message).toMatch(/socket|ECONNRESET|TLS/i);
    failed.destroy();
    expect(server.stats().tlsFailures).toBe(1);
    session = await open(server);
    expect((await send(session)).status).toBe(200);
  });

  it('remove() and clearFaults() stop faults', async () => {
    const handle = server.inject({ kind: 'status', status: 500, reason: 'InternalServerError' });
    session = await open(server);
    expect((await send(session)).status).toBe(500);
    handle.remove();
    expect((await send(session)).status).toBe(200);
    server.inject({ kind: 'status', status: 503, reason: 'ServiceUnavailable', topic: TOPIC });
    expect((await send(session)).status).toBe(503);
    server.clearFaults();
    expect((await send(session)).status).toBe(200);
  });

  it('inject() validates like JSON input', () => {
    expect(() => server.inject({ kind: 'status', status: 503 } as never)).toThrow(/reason/);
  });
});
