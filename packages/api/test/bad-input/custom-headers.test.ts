/**
 * Custom headers on raw requests (the Pool's `Request.create`, for what the
 * high-level API does not model): CR/LF and control characters are refused
 * with an InvalidArgumentError naming the header, and the server sees nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import { Pool, Request, TokenAuth } from '@pushwire/pool';
import { TOPIC, newToken } from '../helpers.js';
import { caught, expectInvalid, expectUntouched } from './secrets.js';

describe('custom headers on raw requests', () => {
  let mock: MockApnsServer;
  let pool: Pool;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
    pool = new Pool(mock.origin, { connections: 1, tls: { ca: mock.ca }, auth: new TokenAuth(mock.signingKey) });
  });
  afterAll(async () => {
    expectUntouched(mock);
    await pool.close();
    await mock.stop();
  });

  const path = (): string => `/3/device/${newToken()}`;

  test.each([
    ['x-trace-id', 'abc\r\nx-injected: 1', /control character/],
    ['x-trace-id', 'abc\n', /control character/],
    ['x-trace-id', 'nul\u0000', /control character/],
    ['apns-topic', `${TOPIC}\r\n`, /control character/],
  ])('%s with a control character in its value', async (name, value, message) => {
    const error = await caught(() => pool.post(Request.create(path(), { 'apns-topic': TOPIC, [name]: value }, { aps: { alert: 'Hi' } })));
    expectInvalid(error, name, message);
  });

  test.each([['x trace'], ['x-trace\r\n'], [':path'], ['']])('an invalid header name %j', async (name) => {
    const error = await caught(() => pool.post(Request.create(path(), { [name]: 'v' }, {})));
    expectInvalid(error, 'headers', /lowercase HTTP token/);
  });

  test('connection-specific headers and duplicates are refused', async () => {
    expectInvalid(await caught(() => Request.create(path(), { 'transfer-encoding': 'chunked' }, {})), 'transfer-encoding');
    expectInvalid(await caught(() => Request.create(path(), { 'APNS-Topic': 'a', 'apns-topic': 'b' }, {})), 'apns-topic', /given twice/);
  });

  test('a path with CR/LF or spaces is refused', async () => {
    expectInvalid(await caught(() => Request.create(`/3/device/${newToken()}\r\nx: 1`, {}, {})), 'path', /control or non-ASCII/);
    expectInvalid(await caught(() => Request.create('/3/device/a b', {}, {})), 'path');
    expect(pool.stats().sent + pool.stats().failed).toBe(0);
  });
});
