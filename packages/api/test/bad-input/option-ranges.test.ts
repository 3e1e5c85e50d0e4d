/**
 * Durations past what Node's timers honour (2^31 - 1 ms) are refused by the
 * api itself, naming the option the app passed and its real range, not a
 * pool option (`deadline`, `retry.*`) with a range the value satisfies.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MockApnsServer } from '@pushwire/mock-server';
import type { ClientOptions } from '../../src/index.js';
import { serverFor } from '../helpers.js';
import { caught, expectInvalid, expectUntouched } from './secrets.js';

const MAX = 2 ** 31 - 1;

describe('durations must be whole milliseconds up to 2^31 - 1', () => {
  let mock: MockApnsServer;
  beforeAll(async () => {
    mock = await MockApnsServer.start({ auth: 'token' });
  });
  afterAll(async () => {
    expectUntouched(mock);
    await mock.stop();
  });

  test.each<[string, ClientOptions, string, number]>([
    ['timeout', { timeout: 2 ** 31 }, 'timeout', 1],
    ['timeout, with an attemptTimeout as large', { timeout: 2 ** 31, attemptTimeout: 2 ** 31 }, 'timeout', 1],
    ['backoff.minDelay', { backoff: { minDelay: 2 ** 31 } }, 'backoff.minDelay', 0],
    ['backoff.maxDelay', { backoff: { maxDelay: 2 ** 31 } }, 'backoff.maxDelay', 0],
  ])('%s over 2^31 - 1 is refused by createClient naming the api option', async (_name, options, field, min) => {
    const error = await caught(() => serverFor(mock).createClient(options));
    expectInvalid(error, field, new RegExp(`expected an integer from ${min} to ${MAX}, got \`${String(2 ** 31)}\``));
    expect((error as Error).message).not.toMatch(/deadline|retry\./);
  });

  test('a server-wide default is checked when the server is made; 2^31 - 1 itself is accepted', async () => {
    const error = await caught(() => serverFor(mock, undefined, { timeout: 2 ** 31 }));
    expectInvalid(error, 'timeout', new RegExp(`from 1 to ${MAX}`));
    const client = await serverFor(mock, undefined, { timeout: MAX }).createClient({ attemptTimeout: MAX, backoff: { minDelay: MAX, maxDelay: MAX } });
    await client.close();
  });
});
