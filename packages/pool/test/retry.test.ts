// Which answers are retried (429, 500, 503, Shutdown, REFUSED_STREAM) and
// which are final (400, 403, 404, 410, 413): a final answer is sent once.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { cleanup, makePool, request, seen, startMock, token, type Mock } from './helpers.js';

let mock: Mock;
beforeEach(async () => {
  mock = await startMock();
});
afterEach(cleanup);

describe('retried, then succeeding', () => {
  test.each([
    ['429 TooManyRequests', { kind: 'status', status: 429, reason: 'TooManyRequests', times: 1 }],
    ['500 InternalServerError', { kind: 'status', status: 500, reason: 'InternalServerError', times: 1 }],
    ['503 ServiceUnavailable', { kind: 'status', status: 503, reason: 'ServiceUnavailable', times: 1 }],
    ['503 Shutdown', { kind: 'status', status: 503, reason: 'Shutdown', times: 1 }],
    ['RST_STREAM REFUSED_STREAM', { kind: 'rst', code: 'REFUSED_STREAM', times: 1 }],
  ] as const)('%s', async (_name, fault) => {
    const pool = makePool(mock);
    mock.inject(fault);
    const response = await pool.post(request(1));
    expect(response).toMatchObject({ status: 200, attempts: 2, possibleDuplicate: false });
    expect(mock.acceptedCount(token(1))).toBe(1);
    expect(pool.stats()).toMatchObject({ retried: 1, sent: 1, failed: 0 });
  });

  test('three 503s in a row back off, then succeed', async () => {
    const pool = makePool(mock, { backoff: { minDelay: 20, maxDelay: 1_000, factor: 2, jitter: false } });
    mock.inject({ kind: 'status', status: 503, reason: 'ServiceUnavailable', times: 3 });
    const started = performance.now();
    const response = await pool.post(request(1));
    // 20 + 40 + 80 ms of back-off without jitter.
    expect(performance.now() - started).toBeGreaterThanOrEqual(135);
    expect(response).toMatchObject({ status: 200, attempts: 4 });
  });

  test('503 Shutdown moves the retry to a new connection', async () => {
    const pool = makePool(mock, { connections: 1 });
    await pool.post(request(1));
    mock.inject({ kind: 'status', status: 503, reason: 'Shutdown', times: 1 });
    expect(await pool.post(request(2))).toMatchObject({ status: 200, attempts: 2 });
    const [shut, fresh] = mock.requests.filter((r) => r.token === token(2));
    expect(fresh?.connectionId).not.toBe(shut?.connectionId);
    expect(pool.stats().reconnects).toBe(1);
  });

  test('Retry-After is honoured', async () => {
    const pool = makePool(mock);
    mock.inject({ kind: 'retryAfter', seconds: 1, times: 1 });
    const started = performance.now();
    expect(await pool.post(request(1))).toMatchObject({ status: 200, attempts: 2 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
  });

  test('a Retry-After past the deadline ends at once with the 429 itself: a retryable rejection, never "unknown"', async () => {
    const pool = makePool(mock, { timeout: 2_000 });
    mock.inject({ kind: 'retryAfter', seconds: 30, times: 1 });
    const started = performance.now();
    const response = await pool.post(request(1));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(response).toMatchObject({ status: 429, reason: 'TooManyRequests', retryAfter: 30, attempts: 1, possibleDuplicate: false });
  });
});

describe('final answers are values, sent once', () => {
  test.each([
    [400, 'BadDeviceToken'],
    [403, 'Forbidden'],
    [403, 'ExpiredProviderToken'],
    [404, 'BadPath'],
    [405, 'MethodNotAllowed'],
    [410, 'Unregistered'],
    [413, 'PayloadTooLarge'],
  ] as const)('%i %s', async (status, reason) => {
    const pool = makePool(mock);
    mock.inject({ kind: 'status', status, reason, times: 1 });
    const response = await pool.post(request(1));
    expect(response).toMatchObject({ status, reason, attempts: 1, possibleDuplicate: false });
    expect(seen(mock, 1)).toBe(1);
    expect(pool.stats()).toMatchObject({ retried: 0, sent: 1 });
  });
});
