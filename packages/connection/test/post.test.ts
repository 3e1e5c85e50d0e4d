import diagnostics from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Closed, Connection, ConnectError, InvalidArgumentError, Request, type AuthHook, type RequestEndMessage } from '../src/index.js';
import { FixtureServer, ok, reject } from './fixtures/server.js';

const path = `/3/device/${'ab'.repeat(32)}`;
const headers = { 'apns-push-type': 'alert', 'apns-topic': 'com.example.app' };
const req = (timeout?: number): Request => Request.create(path, headers, { aps: { alert: 'hi' } }, { timeout });

let server: FixtureServer;
beforeAll(async () => {
  server = await FixtureServer.start({
    handler: (stream, h, body, fx) => {
      if (h['x-test'] === 'bad') reject(stream, 400, 'BadDeviceToken');
      else if (h['x-test'] === 'expired') reject(stream, 403, 'ExpiredProviderToken');
      else if (h['x-test'] === 'echo') {
        stream.respond({ ':status': 200, 'apns-id': 'x', 'x-auth': String(h['authorization']), 'x-len': String(body.length) }, { endStream: true });
      } else ok(stream, h, body, fx);
    },
  });
});
afterAll(() => server.close());

describe('post', () => {
  test('a 200 resolves with apns-id; a rejection resolves with its reason', async () => {
    await using conn = await Connection.connect(server.origin, { tls: { ca: server.ca } });
    expect(conn.isReady).toBe(true);
    expect(conn.capacity).toBe(1000);
    const res = await conn.post(req());
    expect(res.status).toBe(200);
    expect(res.apnsId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toBeUndefined();
    const bad = await conn.post(Request.create(path, { ...headers, 'x-test': 'bad' }, '{}'));
    expect(bad).toMatchObject({ status: 400, reason: 'BadDeviceToken', body: '{"reason":"BadDeviceToken"}' });
    expect(conn.inFlight).toBe(0);
  });

  test('auth hook headers are merged, sync and async; onRejection hears auth reasons', async () => {
    const seen: string[] = [];
    let calls = 0;
    const auth: AuthHook = {
      headers: (ctx) => {
        calls++;
        expect(ctx.origin).toBe(server.origin);
        return calls % 2 === 0 ? Promise.resolve({ authorization: 'bearer async' }) : { authorization: 'bearer sync' };
      },
      onRejection: (reason, ctx) => {
        seen.push(`${reason} ${ctx.sentHeaders?.['authorization']}`);
        return 'reconnect';
      },
    };
    const conn = await Connection.connect(server.origin, { tls: { ca: server.ca }, auth });
    const echo = Request.create(path, { ...headers, 'x-test': 'echo' }, 'body');
    const [a, b] = await Promise.all([conn.post(echo), conn.post(echo)]);
    expect(a.headers['x-auth']).toBe('bearer sync');
    expect(b.headers['x-auth']).toBe('bearer async');
    expect(a.headers['x-len']).toBe('4');
    const draining = new Promise((resolve) => conn.once('draining', resolve));
    const rejected = await conn.post(Request.create(path, { ...headers, 'x-test': 'expired' }, '{}'));
    expect(rejected).toMatchObject({ status: 403, reason: 'ExpiredProviderToken', authAction: 'reconnect' });
    expect(seen).toEqual(['ExpiredProviderToken bearer sync']);
    expect(await draining).toBe('auth');
    await conn.close();
    expect(conn.isClosed).toBe(true);
  });

  test('an auth hook returning a bad header fails the request with InvalidArgumentError, not the session', async () => {
    const conn = await Connection.connect(server.origin, { tls: { ca: server.ca }, auth: { headers: () => ({ authorization: 'a\r\nb' }) } });
    await expect(conn.post(req())).rejects.toMatchObject({ name: 'InvalidArgumentError', field: 'authorization' });
    expect(conn.isReady).toBe(true);
    expect(conn.inFlight).toBe(0);
    await conn.close();
  });

  test('after close() posts reject with Closed (processed: false); close resolves once in-flight finished', async () => {
    const conn = await Connection.connect(server.origin, { tls: { ca: server.ca } });
    const pending = conn.post(req());
    const closing = conn.close();
    expect(conn.isDraining).toBe(true);
    const late = conn.post(req());
    await expect(late).rejects.toBeInstanceOf(Closed);
    await expect(late).rejects.toMatchObject({ processed: false, retryable: true });
    expect((await pending).status).toBe(200);
    await closing;
    expect(conn.isClosed).toBe(true);
  });

  test('diagnostics: request:end and connection open/close are published to subscribers', async () => {
    const ends: RequestEndMessage[] = [];
    const events: string[] = [];
    const onEnd = (m: unknown): void => void ends.push(m as RequestEndMessage);
    const onOpen = (): void => void events.push('open');
    const onClose = (): void => void events.push('close');
    diagnostics.subscribe('pushwire:request:end', onEnd);
    diagnostics.subscribe('pushwire:connection:open', onOpen);
    diagnostics.subscribe('pushwire:connection:close', onClose);
    try {
      const conn = await Connection.connect(server.origin, { tls: { ca: server.ca } });
      await conn.post(req());
      await conn.post(Request.create(path, { ...headers, 'x-test': 'bad' }, '{}'));
      await conn.close();
    } finally {
      diagnostics.unsubscribe('pushwire:request:end', onEnd);
      diagnostics.unsubscribe('pushwire:connection:open', onOpen);
      diagnostics.unsubscribe('pushwire:connection:close', onClose);
    }
    expect(events).toEqual(['open', 'close']);
    expect(ends.map((m) => [m.status, m.reason, m.path])).toEqual([[200, undefined, path], [400, 'BadDeviceToken', path]]);
    expect(ends[0]?.latency).toBeGreaterThanOrEqual(0);
  });

  test('connect validates options and fails with ConnectError for an unreachable or untrusted server', async () => {
    await expect(Connection.connect('http://127.0.0.1:1')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Connection.connect(server.origin, { maxConcurrentStreams: 0 })).rejects.toMatchObject({ field: 'maxConcurrentStreams' });
    await expect(Connection.connect('https://127.0.0.1:1', { connectTimeout: 2000 })).rejects.toBeInstanceOf(ConnectError);
    // No CA given: the test server's certificate is not trusted. Verification is always on.
    await expect(Connection.connect(server.origin)).rejects.toMatchObject({ name: 'ConnectError', retryable: false });
  });
});
