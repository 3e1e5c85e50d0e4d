// postWith(): one outcome per request through a sink, against the mock server;
// and Request.withPath(): a validated template stamped out per device token.
import { afterEach, describe, expect, test } from '@jest/globals';
import { Blocked, Closed, InvalidArgumentError, Request, Timeout, TokenAuth, type Response, type ResponseSink } from '../src/index.js';
import { connectTo, newToken, push, startMock, stopMocks, TOPIC, until } from './fixtures/mock.js';

afterEach(stopMocks);

/** A sink recording every call as [tag, status or error name]. */
function recorder(): { sink: ResponseSink<string>; calls: Array<[string, number | string]>; errors: Error[] } {
  const calls: Array<[string, number | string]> = [];
  const errors: Error[] = [];
  return {
    calls,
    errors,
    sink: {
      onResponse: (tag, response: Response) => void calls.push([tag, response.status]),
      onError: (tag, error) => {
        calls.push([tag, error.name]);
        errors.push(error);
      },
    },
  };
}

/** A sink's exception is re-thrown on a microtask: collect it there instead. */
function catchRethrown(): { thrown: unknown[]; restore: () => void } {
  const thrown: unknown[] = [];
  const original = globalThis.queueMicrotask;
  globalThis.queueMicrotask = (fn) =>
    original(() => {
      try {
        fn();
      } catch (error) {
        thrown.push(error);
      }
    });
  return { thrown, restore: () => void (globalThis.queueMicrotask = original) };
}

describe('postWith', () => {
  test('one sink serves many requests: exactly one call each, with its tag, for any status', async () => {
    const server = await startMock({ auth: 'none' });
    await using conn = await connectTo(server);
    const { sink, calls } = recorder();
    const gone = newToken();
    server.unregisterDevice(gone, { timestamp: 1_700_000_000_000 });
    conn.postWith(push(), sink, 'a');
    conn.postWith(push(gone), sink, 'b');
    conn.postWith(Request.create('/3/device/not-hex', { 'apns-topic': TOPIC }, '{}'), sink, 'c');
    expect(conn.inFlight).toBe(3);
    await until(() => calls.length === 3, 'three outcomes');
    expect(calls.sort()).toEqual([['a', 200], ['b', 410], ['c', 400]]);
    expect(conn.inFlight).toBe(0);
  });

  test('refusals reach onError before postWith returns: not a Request, no free stream, draining', async () => {
    const server = await startMock({ auth: 'none' });
    const conn = await connectTo(server, { maxConcurrentStreams: 1 });
    const { sink, calls, errors } = recorder();
    conn.postWith({} as Request, sink, 'bad');
    expect(errors[0]).toBeInstanceOf(InvalidArgumentError);
    conn.postWith(push(), sink, 'first');
    conn.postWith(push(), sink, 'blocked');
    expect(calls).toEqual([['bad', 'InvalidArgumentError'], ['blocked', 'Blocked']]);
    expect(errors[1]).toBeInstanceOf(Blocked);
    const closing = conn.close();
    conn.postWith(push(), sink, 'late');
    expect(errors[2]).toMatchObject({ name: 'Closed', outcome: 'not-sent' });
    expect(errors[2]).toBeInstanceOf(Closed);
    await closing;
    expect(calls.find(([tag]) => tag === 'first')).toEqual(['first', 200]);
    expect(calls).toHaveLength(4);
  });

  test('a timeout reaches onError at the deadline; the slot comes back when the reset stream closes, with a free event', async () => {
    const server = await startMock({ auth: 'none' });
    const stuck = newToken();
    server.inject({ kind: 'stall', token: stuck });
    const conn = await connectTo(server, { maxConcurrentStreams: 1 });
    const { sink, calls, errors } = recorder();
    let freed = 0;
    conn.on('free', () => freed++);
    conn.postWith(push(stuck, 100), sink, 'stuck');
    await until(() => calls.length === 1, 'the timeout');
    expect(errors[0]).toBeInstanceOf(Timeout);
    await until(() => !conn.isBusy, 'the reset stream to free its slot');
    expect(freed).toBe(1);
    conn.postWith(push(), sink, 'next');
    await until(() => calls.length === 2, 'the next outcome');
    expect(calls[1]).toEqual(['next', 200]);
    conn.destroy();
  });

  test('a throwing sink does not break the connection: the exception surfaces, the slot is freed', async () => {
    const server = await startMock({ auth: 'none' });
    await using conn = await connectTo(server);
    const { thrown, restore } = catchRethrown();
    try {
      conn.postWith(push(), { onResponse: () => { throw new Error('sink bug'); }, onError: () => undefined }, 0);
      await until(() => thrown.length === 1, 'the re-thrown exception');
    } finally {
      restore();
    }
    expect((thrown[0] as Error).message).toBe('sink bug');
    expect(conn.inFlight).toBe(0);
    expect((await conn.post(push())).status).toBe(200);
  });

  test('a sink that throws on an immediate refusal (Blocked, closed, not a Request) does not throw out of postWith', async () => {
    const server = await startMock({ auth: 'none' });
    const conn = await connectTo(server, { maxConcurrentStreams: 1 });
    const { thrown, restore } = catchRethrown();
    const refusing: ResponseSink<string> = {
      onResponse: () => undefined,
      onError: (tag) => {
        throw new Error(`sink bug ${tag}`);
      },
    };
    try {
      const first = conn.post(push());
      expect(() => conn.postWith(push(), refusing, 'blocked')).not.toThrow();
      expect(() => conn.postWith({} as Request, refusing, 'not-a-request')).not.toThrow();
      expect((await first).status).toBe(200);
      await conn.close();
      expect(() => conn.postWith(push(), refusing, 'closed')).not.toThrow();
      await until(() => thrown.length === 3, 'the three re-thrown exceptions');
    } finally {
      restore();
    }
    expect(thrown.map((e) => (e as Error).message)).toEqual(['sink bug blocked', 'sink bug not-a-request', 'sink bug closed']);
  });

  test('token auth: the header block with the token is built once and reused by a second attempt', async () => {
    const server = await startMock({ auth: 'token' });
    await using conn = await connectTo(server, { auth: new TokenAuth(server.signingKey) });
    const request = push();
    expect((await conn.post(request)).status).toBe(200);
    expect((await conn.post(request)).status).toBe(200);
    expect(server.requests.map((r) => r.headers['authorization'])).toEqual(['bearer <redacted>', 'bearer <redacted>']);
  });
});

describe('Request.withPath', () => {
  const template = Request.create('/3/device/', { 'apns-push-type': 'alert', 'Apns-Topic': TOPIC }, { aps: { alert: 'hi' } }, { attemptTimeout: 5_000 });

  test('shares the validated headers and body bytes, changes only the path', () => {
    const token = newToken();
    const one = template.withPath(`/3/device/${token}`);
    expect(one.path).toBe(`/3/device/${token}`);
    expect(one.headers).toBe(template.headers);
    expect(one.body).toBe(template.body);
    expect([one.attemptTimeout, one.method]).toEqual([5_000, 'POST']);
    expect(Object.isFrozen(one)).toBe(true);
  });

  test('extra headers are checked and merged (a same-named one replaced); the template is untouched', () => {
    const id = '123e4567-e89b-12d3-a456-426614174000';
    const one = template.withPath(`/3/device/${newToken()}`, { 'APNS-ID': id, 'apns-topic': 'other.app' });
    expect(one.headers).toEqual({ 'apns-push-type': 'alert', 'apns-topic': 'other.app', 'apns-id': id });
    expect(Object.isFrozen(one.headers)).toBe(true);
    expect(template.headers).toEqual({ 'apns-push-type': 'alert', 'apns-topic': TOPIC });
  });

  test('a bad path or header is refused like Request.create', () => {
    expect(() => template.withPath('3/device/x')).toThrow(InvalidArgumentError);
    expect(() => template.withPath('/3/device/a b')).toThrow(/index 11/);
    expect(() => template.withPath('/3/device/\u00e9')).toThrow(InvalidArgumentError);
    expect(() => template.withPath('/x', { 'apns-id': 'a\r\nb' })).toThrow(/control character/);
    expect(() => template.withPath('/x', { host: 'evil' })).toThrow(/connection-specific/);
    expect(() => template.withPath('/x', { 'apns-id': 'a', 'APNS-ID': 'b' })).toThrow(/given twice/);
    expect(() => template.withPath('/x', null as unknown as Record<string, string>)).toThrow(InvalidArgumentError);
  });

  test('requests from a template reach the server with their own path and headers', async () => {
    const server = await startMock({ auth: 'none' });
    await using conn = await connectTo(server);
    const [a, b] = [newToken(), newToken()];
    const id = '123e4567-e89b-12d3-a456-426614174000';
    expect((await conn.post(template.withPath(`/3/device/${a}`))).status).toBe(200);
    expect((await conn.post(template.withPath(`/3/device/${b}`, { 'apns-id': id }))).apnsId).toBe(id);
    expect(server.requests.map((r) => [r.token, r.headers['apns-id'] === id])).toEqual([[a, false], [b, true]]);
  });
});
