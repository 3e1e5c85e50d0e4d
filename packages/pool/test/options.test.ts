// Options are checked when the pool is built (p-queue's message formula), and
// post() reports bad arguments as a rejection, never a throw.
import { describe, expect, test } from '@jest/globals';
import { InvalidArgumentError, Pool, Request } from '../src/index.js';

const origin = 'https://127.0.0.1:1';
const req = Request.create(`/3/device/${'ab'.repeat(32)}`, { 'apns-topic': 'com.example.app' }, { aps: {} });

describe('new Pool(origin, options)', () => {
  test.each([
    [{ connections: 0 }, 'Invalid connections: Expected `connections` to be an integer from 1 to 1000, got `0` (number)'],
    [{ connections: 2.5 }, 'Expected `connections` to be an integer from 1 to 1000, got `2.5` (number)'],
    [{ timeout: '5s' }, 'Expected `timeout` to be an integer from 1 and up, got `5s` (string)'],
    [{ highWaterMark: 0 }, 'Expected `highWaterMark` to be an integer from 1 and up, or Infinity, got `0` (number)'],
    [{ backoff: { minDelay: -1 } }, 'Expected `backoff.minDelay` to be an integer from 0 and up, got `-1` (number)'],
    [{ backoff: { minDelay: 100, maxDelay: 10 } }, 'Expected `backoff.maxDelay` to be an integer from 100 and up, got `10` (number)'],
    [{ backoff: { factor: 0.5 } }, 'Expected `backoff.factor` to be a finite number from 1 and up, got `0.5` (number)'],
    [{ backoff: { jitter: 'yes' } }, 'Expected `backoff.jitter` to be a boolean, got `yes` (string)'],
    [{ backoff: { minDelai: 5 } }, 'Invalid backoff.minDelai: is not an option of the `backoff` option; did you mean `minDelay`?'],
    [{ reconnect: 5 }, 'Expected `reconnect` to be an object, got `5` (number)'],
    [{ delivery: true }, "Expected `delivery` to be 'at-most-once' or 'at-least-once', got `true` (boolean)"],
    [{ auth: {} }, 'Expected `auth` to be an object with a `headers(context)` method'],
    // Renamed in 0.x (no aliases): the old name says the new one.
    [{ size: 4 }, 'Invalid size: is not an option of new Pool(): renamed to `connections`'],
    [{ deadline: 4 }, 'Invalid deadline: is not an option of new Pool(): renamed to `timeout`'],
    [{ retry: {} }, 'Invalid retry: is not an option of new Pool(): renamed to `backoff`'],
    [{ atLeastOnce: true }, "Invalid atLeastOnce: is not an option of new Pool(): renamed to `delivery: 'at-least-once'`"],
    [{ conections: 4 }, 'Invalid conections: is not an option of new Pool(); did you mean `connections`?'],
    [{ proxy: 'http://x' }, 'Invalid proxy: is not an option of new Pool(): it is a connection option: `connection: { proxy }`'],
    [{ attemptTimeout: 5 }, 'Invalid attemptTimeout: is not an option of new Pool(): it is a request option'],
    // Connection options are checked now, not at the first post's connect.
    [{ connection: { pingInterval: 5 } }, 'Invalid connection.pingInterval: is not an option of Connection.connect(): renamed to `ping: { interval }`'],
    [{ connection: { ping: { intervall: 5 } } }, 'Invalid connection.ping.intervall: is not an option of the `ping` option; did you mean `interval`?'],
    [{ connection: { maxConcurrentStreams: 0 } }, 'Invalid connection.maxConcurrentStreams: expected an integer from 1'],
  ])('%j is refused', (options, message) => {
    expect(() => new Pool(origin, options as never)).toThrow(InvalidArgumentError);
    expect(() => new Pool(origin, options as never)).toThrow(message);
  });

  test('the origin must be an https URL', () => {
    expect(() => new Pool('http://127.0.0.1:1')).toThrow('Expected `origin` to be an https URL');
    expect(() => new Pool('nonsense')).toThrow(InvalidArgumentError);
  });

  test('defaults are valid and nothing connects before the first post', async () => {
    const pool = new Pool(origin);
    expect(pool.stats()).toMatchObject({ connections: 0, connecting: 0, queued: 0, live: 0, closed: false });
    expect(Object.isFrozen(pool.stats())).toBe(true);
    await pool.close();
  });
});

describe('post() arguments', () => {
  test('bad arguments reject with InvalidArgumentError before anything is queued', async () => {
    const pool = new Pool(origin);
    await expect(pool.post({} as Request)).rejects.toThrow('Expected `request` to be a Request');
    await expect(pool.post(req, { timeout: 0 })).rejects.toThrow('Expected `timeout` to be an integer from 1 and up, got `0` (number)');
    await expect(pool.post(req, { deadline: 5 } as never)).rejects.toThrow('Invalid deadline: is not an option of pool.post(): renamed to `timeout`');
    await expect(pool.post(req, { atLeastOnce: true } as never)).rejects.toThrow("renamed to `delivery: 'at-least-once'`");
    await expect(pool.post(req, { delivery: 'twice' as never })).rejects.toThrow(InvalidArgumentError);
    await expect(pool.post(req, { signal: {} as AbortSignal })).rejects.toThrow('Expected `signal` to be an AbortSignal');
    await expect(pool.onQueueBelow(0)).rejects.toThrow(InvalidArgumentError);
    await expect(pool.close({ force: 'yes' as never })).rejects.toThrow(InvalidArgumentError);
    expect(pool.stats()).toMatchObject({ connections: 0, connecting: 0, live: 0 });
    await pool.close();
  });

  test('an already-aborted signal rejects at once with AbortError (outcome: not-sent)', async () => {
    const pool = new Pool(origin);
    const reason = new Error('stop');
    await expect(pool.post(req, { signal: AbortSignal.abort(reason) })).rejects.toMatchObject({ name: 'AbortError', outcome: 'not-sent', cause: reason });
    expect(pool.stats().connecting).toBe(0);
    await pool.close();
  });
});
