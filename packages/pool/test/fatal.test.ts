// Failures that no retry can fix (certificate errors, a repeatedly invalid
// token) close the pool: queued and later posts fail with that fatal error
// (outcome 'not-sent', not retryable). Refreshed auth ('retry' / 'reconnect')
// is retried instead.
import { afterEach, expect, test } from '@jest/globals';
import { Closed, Request, ResponseError, TokenAuth } from '../src/index.js';
import { cleanup, makePool, request, settle, startMock, token } from './helpers.js';

afterEach(cleanup);

test('403 BadCertificate closes the pool: queued and future posts fail with the fatal ResponseError, not retryable', async () => {
  const mock = await startMock({ maxConcurrentStreams: 1 });
  const pool = makePool(mock, { connections: 1 });
  await pool.post(request(99));
  const fatal = new Promise<Error>((resolve) => pool.once('fatal', resolve));
  mock.inject({ kind: 'status', status: 403, reason: 'BadCertificate', times: 1 });
  const outcomes = await Promise.all([1, 2, 3, 4].map((i) => settle(pool.post(request(i)))));

  expect(outcomes[0]).toMatchObject({ status: 403, reason: 'BadCertificate', attempts: 1 });
  for (const error of outcomes.slice(1)) {
    expect(error).toBeInstanceOf(ResponseError);
    expect(error).toMatchObject({ outcome: 'not-sent', retryable: false, status: 403, reason: 'BadCertificate' });
  }
  expect(await fatal).toMatchObject({ reason: 'BadCertificate' });
  expect(pool.closed).toBe(true);
  expect(pool.failure).toBe(outcomes[1]);
  await expect(pool.post(request(5))).rejects.toMatchObject({ name: 'ResponseError', outcome: 'not-sent', retryable: false });
  await pool.close();
  expect(pool.stats().connections).toBe(0);
  expect(mock.requests.map((r) => r.token)).toEqual([token(99), token(1)]);
});

test('GOAWAY with reason BadCertificateEnvironment closes the pool', async () => {
  const mock = await startMock();
  const pool = makePool(mock);
  await pool.post(request(99));
  mock.inject({ kind: 'goaway', reason: 'BadCertificateEnvironment', lastStreamId: 'previous', times: 1 });
  const error = await pool.post(request(1)).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'Closed', outcome: 'not-sent', retryable: false, goawayReason: 'BadCertificateEnvironment' });
  expect(pool.closed).toBe(true);
  await expect(pool.post(request(2))).rejects.toBeInstanceOf(Closed);
});

test('InvalidProviderToken three times in a row closes the pool; a success in between resets the count', async () => {
  const mock = await startMock();
  const pool = makePool(mock, { connections: 1 });
  mock.inject({ kind: 'status', status: 403, reason: 'InvalidProviderToken', times: 2 });
  expect(await pool.post(request(1))).toMatchObject({ status: 403, reason: 'InvalidProviderToken', attempts: 1 });
  expect(await pool.post(request(2))).toMatchObject({ status: 403 });
  expect(await pool.post(request(3))).toMatchObject({ status: 200 });
  mock.inject({ kind: 'status', status: 403, reason: 'InvalidProviderToken' });
  for (const i of [4, 5]) expect(await pool.post(request(i))).toMatchObject({ status: 403, fatal: false });
  // The third answer in a row fails the pool: its post gets that answer (a rejection), marked fatal.
  expect(await pool.post(request(6))).toMatchObject({ status: 403, reason: 'InvalidProviderToken', fatal: true });
  expect(pool.closed).toBe(true);
  await expect(pool.post(request(7))).rejects.toMatchObject({ name: 'ResponseError', reason: 'InvalidProviderToken', outcome: 'not-sent', retryable: false });
});

test('a 201 (channel created) also resets the InvalidProviderToken count', async () => {
  const mock = await startMock();
  const pool = makePool(mock, { connections: 1 });
  const create = Request.create('/1/apps/com.example.app/channels', {}, { 'message-storage-policy': 0, 'push-type': 'LiveActivity' });
  mock.inject({ kind: 'status', status: 403, reason: 'InvalidProviderToken', times: 2 });
  for (const i of [1, 2]) expect(await pool.post(request(i))).toMatchObject({ status: 403 });
  expect(await pool.post(create)).toMatchObject({ status: 201, attempts: 1 });
  mock.inject({ kind: 'status', status: 403, reason: 'InvalidProviderToken', times: 2 });
  for (const i of [3, 4]) expect(await pool.post(request(i))).toMatchObject({ status: 403 });
  expect(pool.closed).toBe(false);
  expect(mock.channels('com.example.app')).toHaveLength(1);
});

test("ExpiredProviderToken is retried on a new connection when the auth hook answers 'reconnect'", async () => {
  const mock = await startMock({ auth: 'token' });
  const pool = makePool(mock, { connections: 1, auth: new TokenAuth(mock.signingKey) });
  await pool.post(request(99));
  mock.inject({ kind: 'status', status: 403, reason: 'ExpiredProviderToken', times: 1 });
  const response = await pool.post(request(1));
  expect(response).toMatchObject({ status: 200, attempts: 2 });
  const [expired, retried] = mock.requests.filter((r) => r.token === token(1));
  expect(retried?.connectionId).not.toBe(expired?.connectionId);
  expect(pool.closed).toBe(false);
});

test("a ResponseError's message shows the server's reason log-safe; reason keeps the original", () => {
  const reason = `Bad\nInjected: yes${'x'.repeat(500)}`;
  const error = new ResponseError({ status: 403, reason, apnsId: undefined, apnsUniqueId: undefined, timestamp: undefined, retryAfter: undefined, headers: {}, body: '' } as never, false);
  expect(error.message).not.toMatch(/\n/);
  expect(error.message.length).toBeLessThan(200);
  expect(error.reason).toBe(reason);
});
