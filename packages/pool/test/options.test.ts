// Options are checked when the pool is built (p-queue's message formula), and
// post() reports bad arguments as a rejection, never a throw.
import { describe, expect, test } from '@jest/globals';
import { InvalidArgumentError, Pool, Request } from '../src/index.js';

const origin = 'https://127.0.0.1:1';
const req = Request.create(`/3/device/${'ab'.repeat(32)}`, { 'apns-topic': 'com.example.app' }, { aps: {} });

describe('new Pool(origin, options)', () => {
  test.each([
    [{ size: 0 }, 'Invalid size: Expected `size` to be an integer from 1 to 1000, got `0` (number)'],
    [{ size: 2.5 }, 'Expected `size` to be an integer from 1 to 1000, got `2.5` (number)'],
    [{ deadline: '5s' }, 'Expected `deadline` to be an integer from 1 and up, got `5s` (string)'],
    [{ highWaterMark: 0 }, 'Expected `highWaterMark` to be an integer from 1 and up, or Infinity, got `0` (number)'],
    [{ retry: { minDelay: -1 } }, 'Expected `retry.minDelay` to be an integer from 0 and up, got `-1` (number)'],
    [{ retry: { minDelay: 100, maxDelay: 10 } }, 'Expected `retry.maxDelay` to be an integer from 100 and up, got `10` (number)'],
    [{ retry: { factor: 0.5 } }, 'Expected `retry.factor` to be a finite number from 1 and up, got `0.5` (number)'],
    [{ retry: { jitter: 'yes' } }, 'Expected `retry.jitter` to be a boolean, got `yes` (string)'],
    [{ reconnect: 5 }, 'Expected `reconnect` to be an object, got `5` (number)'],
    [{ atLeastOnce: 1 }, 'Expected `atLeastOnce` to be a boolean, got `1` (number)'],
    [{ auth: {} }, 'Expected `auth` to be an object with a `headers(context)` method'],
    [{ connections: 4 }, 'Invalid connections: is not a pool option; use `size`'],
    [{ timeout: 4 }, 'use `deadline`'],
    [{ sizee: 4 }, 'Invalid sizee: is not a pool option'],
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
    await expect(pool.post(req, { deadline: 0 })).rejects.toThrow('Expected `deadline` to be an integer from 1 and up, got `0` (number)');
    await expect(pool.post(req, { signal: {} as AbortSignal })).rejects.toThrow('Expected `signal` to be an AbortSignal');
    await expect(pool.onQueueBelow(0)).rejects.toThrow(InvalidArgumentError);
    await expect(pool.close({ force: 'yes' as never })).rejects.toThrow(InvalidArgumentError);
    expect(pool.stats()).toMatchObject({ connections: 0, connecting: 0, live: 0 });
    await pool.close();
  });

  test('an already-aborted signal rejects at once with Aborted (outcome: not-sent)', async () => {
    const pool = new Pool(origin);
    const reason = new Error('stop');
    await expect(pool.post(req, { signal: AbortSignal.abort(reason) })).rejects.toMatchObject({ name: 'Aborted', outcome: 'not-sent', cause: reason });
    expect(pool.stats().connecting).toBe(0);
    await pool.close();
  });
});
