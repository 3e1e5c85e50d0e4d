// post(), auth hooks, close(), diagnostics and connect() options, against the mock server.
import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, test } from '@jest/globals';
import { Closed, Connection, InvalidArgumentError, Request, TokenAuth, type AuthHook, type RequestEndMessage } from '../src/index.js';
import { connectTo, newToken, next, push, startMock, stopMocks, TOPIC } from './fixtures/mock.js';

afterEach(stopMocks);

describe('post', () => {
  test('a 200 resolves with apns-id (and apns-unique-id in development); a rejection resolves with its reason', async () => {
    const server = await startMock({ auth: 'none', environment: 'development' });
    await using conn = await connectTo(server);
    expect([conn.isReady, conn.capacity]).toEqual([true, 1000]);
    const token = newToken();
    const res = await conn.post(push(token));
    expect(res.status).toBe(200);
    expect(res.apnsId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.apnsUniqueId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toBeUndefined();
    expect(server.accepted(token).map((r) => r.apnsId)).toEqual([res.apnsId]);
    const bad = await conn.post(Request.create('/3/device/not-hex', { 'apns-topic': TOPIC }, '{}'));
    expect(bad).toMatchObject({ status: 400, reason: 'BadDeviceToken', body: '{"reason":"BadDeviceToken"}' });
    server.unregisterDevice(token, { timestamp: 1_700_000_000_000 });
    expect(await conn.post(push(token))).toMatchObject({ status: 410, reason: 'Unregistered', timestamp: 1_700_000_000_000 });
    server.inject({ kind: 'retryAfter', seconds: 7, times: 1 });
    expect(await conn.post(push())).toMatchObject({ status: 429, reason: 'TooManyRequests', retryAfter: 7 });
    expect(conn.inFlight).toBe(0);
  });

  test('the request bytes reach the server as given, apns-id echoed', async () => {
    const server = await startMock({ auth: 'none' });
    await using conn = await connectTo(server);
    const id = '123e4567-e89b-12d3-a456-426614174000';
    const token = newToken();
    const res = await conn.post(Request.create(`/3/device/${token}`, { 'apns-topic': TOPIC, 'apns-id': id, 'apns-priority': '5' }, '{"aps":{"content-available":1}}'));
    expect(res.apnsId).toBe(id);
    expect(server.requests[0]).toMatchObject({ method: 'POST', token, body: '{"aps":{"content-available":1}}', headers: { 'apns-id': id, 'apns-priority': '5' } });
  });

  test('auth hook headers are merged, sync and async; onRejection hears auth reasons with the headers sent', async () => {
    const server = await startMock({ auth: 'token' });
    const token = new TokenAuth(server.signingKey);
    const seen: string[] = [];
    let calls = 0;
    const auth: AuthHook = {
      headers: (ctx) => {
        calls++;
        expect(ctx.origin).toBe(server.origin);
        const headers = token.headers(ctx) as Readonly<Record<string, string>>;
        return calls % 2 === 0 ? Promise.resolve(headers) : headers;
      },
      onRejection: (reason, ctx) => {
        seen.push(`${reason} ${ctx.sentHeaders?.['authorization'] === (token.headers(ctx) as Record<string, string>)['authorization']}`);
        return 'reconnect';
      },
    };
    const conn = await connectTo(server, { auth });
    expect((await conn.post(push())).status).toBe(200); // sync headers
    expect((await conn.post(push())).status).toBe(200); // async headers
    expect(server.requests.map((r) => r.headers['authorization'])).toEqual(['bearer <redacted>', 'bearer <redacted>']);
    const expired = newToken();
    server.inject({ kind: 'status', status: 403, reason: 'ExpiredProviderToken', token: expired });
    const draining = next<string>(conn, 'draining');
    const rejected = await conn.post(push(expired));
    expect(rejected).toMatchObject({ status: 403, reason: 'ExpiredProviderToken', authAction: 'reconnect' });
    expect(seen).toEqual(['ExpiredProviderToken true']);
    expect(await draining).toBe('auth');
    await conn.close();
    expect(conn.isClosed).toBe(true);
  });

  test('without an auth hook, the mock answers MissingProviderToken and nothing asks a hook', async () => {
    const server = await startMock({ auth: 'token' });
    await using conn = await connectTo(server);
    const res = await conn.post(push());
    expect(res).toMatchObject({ status: 403, reason: 'MissingProviderToken' });
    expect(res.authAction).toBeUndefined();
  });

  test('an auth hook returning a bad header fails the request with InvalidArgumentError, not the session', async () => {
    const server = await startMock({ auth: 'none' });
    const conn = await connectTo(server, { auth: { headers: () => ({ authorization: 'a\r\nb' }) } });
    await expect(conn.post(push())).rejects.toMatchObject({ name: 'InvalidArgumentError', field: 'authorization' });
    expect([conn.isReady, conn.inFlight]).toEqual([true, 0]);
    expect(server.requests).toEqual([]);
    await conn.close();
  });

  test('after close() posts reject with Closed (outcome: not-sent); close resolves once in-flight finished', async () => {
    const server = await startMock({ auth: 'none' });
    server.inject({ kind: 'delay', ms: 50 });
    const conn = await connectTo(server);
    const pending = conn.post(push());
    const closing = conn.close();
    expect(conn.isDraining).toBe(true);
    const late = conn.post(push());
    await expect(late).rejects.toBeInstanceOf(Closed);
    await expect(late).rejects.toMatchObject({ outcome: 'not-sent', retryable: true });
    expect((await pending).status).toBe(200);
    await closing;
    expect(conn.isClosed).toBe(true);
    expect(server.stats().requests).toBe(1);
  });

  test('diagnostics: request:end and connection open/close are published to subscribers', async () => {
    const server = await startMock({ auth: 'none' });
    const ends: RequestEndMessage[] = [];
    const events: string[] = [];
    const onEnd = (m: unknown): void => void ends.push(m as RequestEndMessage);
    const onOpen = (): void => void events.push('open');
    const onClose = (): void => void events.push('close');
    diagnostics.subscribe('pushwire:request:end', onEnd);
    diagnostics.subscribe('pushwire:connection:open', onOpen);
    diagnostics.subscribe('pushwire:connection:close', onClose);
    const token = newToken();
    try {
      const conn = await connectTo(server);
      await conn.post(push(token));
      await conn.post(Request.create('/3/device/zz', { 'apns-topic': TOPIC }, '{}'));
      await conn.close();
    } finally {
      diagnostics.unsubscribe('pushwire:request:end', onEnd);
      diagnostics.unsubscribe('pushwire:connection:open', onOpen);
      diagnostics.unsubscribe('pushwire:connection:close', onClose);
    }
    expect(events).toEqual(['open', 'close']);
    expect(ends.map((m) => [m.status, m.reason, m.path])).toEqual([[200, undefined, `/3/device/${token}`], [400, 'BadDeviceToken', '/3/device/zz']]);
    expect(ends[0]?.latency).toBeGreaterThanOrEqual(0);
  });

  test('connect validates options before any I/O and fails with a retryable ConnectError for an unreachable server', async () => {
    const server = await startMock({ auth: 'none' });
    await expect(Connection.connect('http://127.0.0.1:1')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Connection.connect(server.origin, { maxConcurrentStreams: 0 })).rejects.toMatchObject({ field: 'maxConcurrentStreams' });
    await expect(Connection.connect(server.origin, { tls: { passphrase: 1 as unknown as string } })).rejects.toMatchObject({ field: 'tls.passphrase' });
    expect(server.stats().connections).toBe(0);
    const port = server.port;
    await server.stop();
    await expect(Connection.connect(`https://127.0.0.1:${port}`, { connectTimeout: 5000 })).rejects.toMatchObject({ name: 'ConnectError', retryable: true });
  });
});
