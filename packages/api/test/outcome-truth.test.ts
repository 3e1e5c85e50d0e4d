// Outcome truth under failure (issue 14): each send ends in the class that
// is true of it (sent, rejected, not sent, unknown), so an app that resends
// what `batch.retry()` offers neither loses pushes nor sends them twice.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { FreezableRelay, MockApnsServer, startSilentServer, unusedPort } from '@pushwire/mock-server';
import { APNSRejection, ConnectError, Server, Session, Timeout, type Client } from '../src/index.js';
import { until } from './faults/helpers.js';
import { TOPIC, newToken, serverFor, tokenAuth, tokens } from './helpers.js';

let mock: MockApnsServer;
const clients: Client[] = [];
const mocks: MockApnsServer[] = [];

beforeAll(async () => {
  mock = await MockApnsServer.start({ auth: 'token' });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close({ force: true })));
  await Promise.all(mocks.splice(0).map((each) => each.stop()));
  mock.clearFaults();
});
afterAll(() => mock.stop());

function track(client: Client): Client {
  clients.push(client);
  return client;
}

/** A mock of this test's own (a stream cap of `streams` once a valid token came). */
async function ownMock(streams: number): Promise<MockApnsServer> {
  const own = await MockApnsServer.start({ auth: 'token', maxConcurrentStreams: streams });
  mocks.push(own);
  return own;
}

describe('nothing listens at the origin', () => {
  test('200 tokens with timeout 20 s end not sent with the ConnectError in well under 6 s; retry() offers all 200', async () => {
    const port = await unusedPort();
    const client = track(await Server.custom(`https://localhost:${port}`, tokenAuth(mock), { ca: mock.ca }).createClient({ timeout: 20_000 }));
    const all = tokens(200);
    const started = performance.now();
    const batch = await client.sendMany(all, { alert: 'hi' }, { topic: TOPIC });
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(batch.counts).toEqual({ sent: 0, failed: 0, errors: 200, total: 200 });
    expect(batch.errors).toHaveLength(1);
    expect(batch.errors[0]!.error).toBeInstanceOf(ConnectError);
    expect(batch.errors[0]).toMatchObject({ outcome: 'not-sent', retryable: true });
    expect(batch.needsRetry()).toBe(true);
    expect(new Set(batch.retry().tokens)).toEqual(new Set(all));
    // Unreachable is not fatal: the client stays usable.
    expect(client.closed).toBe(false);
    expect(client.failure).toBeUndefined();
  });

  test('sendNotification rejects with the ConnectError, not sent, carrying the apns-id it sent', async () => {
    const port = await unusedPort();
    const client = track(await Server.custom(`https://localhost:${port}`, tokenAuth(mock), { ca: mock.ca }).createClient({ timeout: 20_000 }));
    const apnsId = '9a2c0b4e-4b5f-4d0c-8d3a-0f6a6f1e2d3c';
    const error = await client.sendNotification(newToken(), { alert: 'hi' }, { topic: TOPIC, apnsId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ outcome: 'not-sent', retryable: true, apnsId });
  });
});

describe('a fatal failure: the server certificate is not trusted', () => {
  test('settles in well under 6 s with nothing to retry; the client is failed; a second call settles at once', async () => {
    const client = track(await Server.custom(mock.origin, tokenAuth(mock)).createClient({ timeout: 20_000 }));
    const started = performance.now();
    const batch = await client.sendMany(tokens(50), { alert: 'hi' }, { topic: TOPIC });
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(batch.counts.errors).toBe(50);
    expect(batch.errors).toHaveLength(1);
    expect(batch.errors[0]).toMatchObject({ outcome: 'not-sent', retryable: false });
    expect(batch.errors[0]!.error).toBeInstanceOf(ConnectError);
    expect(batch.needsRetry()).toBe(false);
    expect(batch.retry().tokens).toEqual([]);
    expect(client.closed).toBe(true);
    expect(client.failure).toBe(batch.errors[0]!.error);

    const again = performance.now();
    const second = await client.sendMany(tokens(50), { alert: 'hi' }, { topic: TOPIC });
    expect(performance.now() - again).toBeLessThan(500);
    expect(second.counts.errors).toBe(50);
    expect(second.needsRetry()).toBe(false);
    await expect(client.sendNotification(newToken(), { alert: 'hi' }, { topic: TOPIC })).rejects.toMatchObject({ name: 'ConnectError', retryable: false });
    expect(mock.stats().requests).toBe(0);
  });

  test('Session.getClient replaces a failed client', async () => {
    const session = new Session();
    try {
      const untrusted = Server.custom(mock.origin, tokenAuth(mock));
      const first = await session.getClient('app', untrusted);
      await first.sendNotification(newToken(), { alert: 'hi' }, { topic: TOPIC }).catch(() => undefined);
      expect(first.failure).toBeInstanceOf(ConnectError);
      const second = await session.getClient('app', untrusted);
      expect(second).not.toBe(first);
      expect(second.closed).toBe(false);
    } finally {
      await session.shutdown();
    }
  });

  test('403 InvalidProviderToken on every request fails the client after the streak, nothing left to retry', async () => {
    const client = track(await serverFor(mock).createClient({ connections: 1 }));
    mock.inject({ kind: 'status', status: 403, reason: 'InvalidProviderToken' });
    const batch = await client.sendMany(tokens(20), { alert: 'hi' }, { topic: TOPIC }, { concurrency: 1 });
    // Three were answered (rejected); the third failed the client, so the rest were never sent.
    expect(batch.counts.failed).toBe(3);
    expect([...batch.failed.values()].every((f) => f.reason === 'InvalidProviderToken' && !f.retryable)).toBe(true);
    expect(batch.counts.errors).toBe(17);
    expect(batch.errors).toHaveLength(1);
    expect(batch.errors[0]).toMatchObject({ outcome: 'not-sent', retryable: false });
    expect(batch.errors[0]!.error).toMatchObject({ status: 403, reason: 'InvalidProviderToken' });
    expect(batch.needsRetry()).toBe(false);
    expect(client.failure).toBe(batch.errors[0]!.error);
    expect(client.failure).toMatchObject({ name: 'ResponseError' });
  });

  test('403 ExpiredProviderToken for a just-signed token, again and again (a wrong clock), fails the client too', async () => {
    const client = track(await serverFor(mock).createClient({ connections: 1, timeout: 5_000 }));
    mock.inject({ kind: 'status', status: 403, reason: 'ExpiredProviderToken' });
    const started = performance.now();
    const batch = await client.sendMany(tokens(5), { alert: 'hi' }, { topic: TOPIC }, { concurrency: 1 });
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(client.failure).toMatchObject({ name: 'ResponseError', reason: 'ExpiredProviderToken', outcome: 'not-sent', retryable: false });
    expect(batch.needsRetry()).toBe(false);
    expect(batch.counts.sent).toBe(0);
    // The token whose third refusal failed the client is rejected, and not worth resending here.
    expect([...batch.failed.values()]).toEqual([expect.objectContaining({ status: 403, reason: 'ExpiredProviderToken', retryable: false })]);
  });
});

describe('throttled past the deadline', () => {
  test('429 on everything with timeout 2 s: no token "unknown", all 50 offered by retry(), which succeeds once the fault is gone', async () => {
    const client = track(await serverFor(mock).createClient({ timeout: 2_000, backoff: { minDelay: 20, maxDelay: 200 } }));
    const all = tokens(50);
    const fault = mock.inject({ kind: 'status', status: 429, reason: 'TooManyRequests' });
    const batch = await client.sendMany(all, { alert: 'hi' }, { topic: TOPIC });
    expect(batch.counts).toEqual({ sent: 0, failed: 50, errors: 0, total: 50 });
    expect([...batch.failed.values()].every((f) => f.status === 429 && f.reason === 'TooManyRequests' && f.retryable)).toBe(true);
    expect(new Set(batch.retry().tokens)).toEqual(new Set(all));
    fault.remove();
    const retried = await client.sendMany(batch.retry());
    expect(retried.counts).toEqual({ sent: 50, failed: 0, errors: 0, total: 50 });
    for (const token of all) expect(mock.acceptedCount(token)).toBe(1);
  });

  test.each([500, 503])('%i on every attempt ends as a retryable rejection with that status', async (status) => {
    const client = track(await serverFor(mock).createClient({ timeout: 1_000, backoff: { minDelay: 20, maxDelay: 100 } }));
    mock.inject({ kind: 'status', status, reason: status === 500 ? 'InternalServerError' : 'ServiceUnavailable' });
    const error = await client.sendNotification(newToken(), { alert: 'hi' }, { topic: TOPIC }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APNSRejection);
    expect(error).toMatchObject({ status, outcome: 'rejected', retryable: true });
  });
});

describe('unknown is only what was written and not answered', () => {
  test('stalled tokens are unknown, tokens refused with REFUSED_STREAM to the end are not sent: two groups, each its own error', async () => {
    const client = track(await serverFor(mock).createClient({ connections: 1, timeout: 1_000, backoff: { minDelay: 20, maxDelay: 100 } }));
    // A valid token raises the connection's stream cap from 1: every request goes out at once.
    await client.sendNotification(newToken(), { alert: 'warm' }, { topic: TOPIC });
    const all = tokens(4);
    const stalled = all.slice(0, 2);
    for (const token of stalled) mock.inject({ kind: 'stall', token });
    for (const token of all.slice(2)) mock.inject({ kind: 'rst', code: 'REFUSED_STREAM', token });
    const batch = await client.sendMany(all, { alert: 'hi' }, { topic: TOPIC });
    const byOutcome = new Map(batch.errors.map((group) => [group.outcome, group]));
    expect(batch.errors).toHaveLength(2);
    expect(new Set(byOutcome.get('unknown')!.tokens)).toEqual(new Set(stalled));
    expect(byOutcome.get('unknown')!.error).toMatchObject({ name: 'Timeout', outcome: 'unknown' });
    expect(new Set(byOutcome.get('not-sent')!.tokens)).toEqual(new Set(all.slice(2)));
    expect(byOutcome.get('not-sent')!.error).toMatchObject({ name: 'Timeout', outcome: 'not-sent', retryable: true });
    expect(byOutcome.get('not-sent')!.error.cause).toMatchObject({ name: 'Closed', outcome: 'not-sent' });
    expect(new Set(batch.retry().tokens)).toEqual(new Set(all.slice(2)));
    expect(new Set(batch.retry({ includeUnknown: true }).tokens)).toEqual(new Set(all));
  });

  test('sendNotification Timeout carries the apns-id that was sent', async () => {
    const client = track(await serverFor(mock).createClient({ timeout: 300 }));
    const token = newToken();
    mock.inject({ kind: 'stall', token });
    const apnsId = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
    const error = await client.sendNotification(token, { alert: 'hi' }, { topic: TOPIC, apnsId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Timeout);
    expect(error).toMatchObject({ outcome: 'unknown', retryable: false, apnsId });
    // A copy per send: the class, message and cause are the pool's.
    expect((error as Timeout).message).toMatch(/timeout of 300 ms/);
  });

  test('at-least-once: an attempt that got no answer in attemptTimeout is retried within the timeout, flagged a possible duplicate', async () => {
    const client = track(await serverFor(mock).createClient({ timeout: 2_000, delivery: 'at-least-once' }));
    const token = newToken();
    mock.inject({ kind: 'stall', token, times: 1 });
    const batch = await client.sendMany([token], { alert: 'hi' }, { topic: TOPIC });
    expect(batch.counts.sent).toBe(1);
    expect(batch.sent.possibleDuplicates).toEqual([token]);
    expect(mock.requests.filter((r) => r.token === token)).toHaveLength(2);
  });
});

describe('a connection that silently stops answering', () => {
  test('is found by a PING within busyInterval + timeout: written sends unknown, the queued ones go out on a new connection', async () => {
    const own = await ownMock(10);
    const proxy = await FreezableRelay.start(own.port);
    try {
      const server = Server.custom(`https://localhost:${proxy.port}`, tokenAuth(own), { ca: own.ca });
      const client = track(await server.createClient({ connections: 1, timeout: 20_000, ping: { interval: 60_000, busyInterval: 200, timeout: 300 } }));
      await client.sendNotification(newToken(), { alert: 'warm' }, { topic: TOPIC });
      await until(() => client.stats().pool.capacity === 10, 2_000, 'the raised stream cap');
      proxy.freeze();
      const all = tokens(50);
      const started = performance.now();
      const batch = await client.sendMany(all, { alert: 'hi' }, { topic: TOPIC });
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(batch.counts.sent).toBe(40);
      expect(batch.counts.errors).toBe(10);
      expect(batch.errors.every((group) => group.outcome === 'unknown')).toBe(true);
      expect(batch.retry().tokens).toEqual([]);
      // What the server accepted is exactly what was reported sent.
      for (const token of batch.sent.tokens) expect(own.acceptedCount(token)).toBe(1);
    } finally {
      await proxy.close();
    }
  });
});

describe('close() is bounded', () => {
  test('force close with a TLS handshake pending takes well under 1 s; the queued send ends not sent', async () => {
    const silent = await startSilentServer();
    try {
      const client = await Server.custom(`https://localhost:${silent.port}`, tokenAuth(mock), { ca: mock.ca }).createClient({ timeout: 20_000 });
      const pending = client.sendNotification(newToken(), { alert: 'hi' }, { topic: TOPIC }).catch((e: unknown) => e);
      await until(() => silent.sockets.size > 0, 2_000, 'the TCP connection');
      const started = performance.now();
      await client.close({ force: true });
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(await pending).toMatchObject({ name: 'Closed', outcome: 'not-sent' });
      await until(() => silent.sockets.size === 0, 2_000, 'the socket to close');
    } finally {
      await silent.stop();
    }
  });

  test('a graceful close with a TLS handshake pending and nothing to send takes well under 1 s', async () => {
    const silent = await startSilentServer();
    try {
      const client = await Server.custom(`https://localhost:${silent.port}`, tokenAuth(mock), { ca: mock.ca }).createClient({ timeout: 300 });
      const sent = await client.sendNotification(newToken(), { alert: 'hi' }, { topic: TOPIC }).catch((e: unknown) => e);
      expect(sent).toMatchObject({ name: 'Timeout', outcome: 'not-sent' });
      const started = performance.now();
      await client.close();
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      await silent.stop();
    }
  });
});
