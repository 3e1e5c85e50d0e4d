// Bad input fails at once, with models' InvalidArgumentError naming the
// field, before anything reaches Redis.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { PayloadTooLargeError } from '@pushwire/models';
import { CampaignProducer, CampaignWorker, InvalidArgumentError, RedisTokenStore, type EnqueueInput } from '../src/index.js';
import { TOPIC, makeTokens, queueFixture } from './helpers.js';
import { ensureBuilt } from './processes.js';

/** The same Redis, database 1: what a worker writes there leaves the tests' database 0 empty. */
const otherDb = (url: string): string => Object.assign(new URL(url), { pathname: '/1' }).href;

/** The built package (`ensureBuilt` makes it when missing). */
const QUEUE = fileURLToPath(new URL('../dist/index.js', import.meta.url));

const P8 = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgevZzL1gdAFr88hb2
OF/2NxApJCzGCEDdfSp6VQO30hyhRANCAAQRWz+jn65BtOMvdyHKcvjBeBSDZH2r
1RTwjmYSi9R/zpBnuQ4EiMnCqfMPWiZqB4QdbAd0E7oH50VpuZ1P087G
-----END PRIVATE KEY-----`;

describe('bad input', () => {
  const fx = queueFixture({ mock: false });
  let producer: CampaignProducer;

  beforeAll(() => {
    producer = fx.closer.add(new CampaignProducer({ redis: fx.redis.url }));
  });

  const input = (over: Partial<EnqueueInput>): EnqueueInput => ({
    credentials: 'main',
    notification: { alert: 'x' },
    options: { topic: TOPIC },
    tokens: makeTokens(3, 'bad-input'),
    ...over,
  });

  test.each<[string, Partial<EnqueueInput>, RegExp]>([
    ['a credentials name with a colon', { credentials: 'a:b' }, /credentials/],
    ['an apnsId (ids derive from the campaign id)', { options: { topic: TOPIC, apnsId: '00000000-0000-4000-8000-000000000000' } as never }, /options\.apnsId/],
    ['a campaign id that is not a UUID', { campaignId: 'campaign-1' }, /campaignId/],
    ['tokensPerJob 0', { tokensPerJob: 0 }, /tokensPerJob/],
    ['tokens that are not iterable', { tokens: 42 as never }, /tokens/],
    ['a missing topic', { options: {} as never }, /topic/],
    ['a collapse id over 64 bytes', { options: { topic: TOPIC, collapseId: 'x'.repeat(65) } }, /collapse/i],
    ['attempts 0', { attempts: 0 }, /attempts/],
  ])('enqueue refuses %s and writes nothing', async (_name, over, field) => {
    await expect(producer.enqueue(input(over))).rejects.toThrow(InvalidArgumentError);
    await expect(producer.enqueue(input(over))).rejects.toThrow(field);
    expect(await fx.db.dbsize()).toBe(0);
  });

  test('a payload over 4 KB is PayloadTooLargeError, before anything is enqueued', async () => {
    await expect(producer.enqueue(input({ notification: { alert: 'x'.repeat(5000) } }))).rejects.toThrow(PayloadTooLargeError);
    expect(await fx.db.dbsize()).toBe(0);
  });

  test('producer and worker options are checked before anything connects', () => {
    expect(() => new CampaignProducer({ redis: 'http://localhost:6379' })).toThrow(/Invalid redis: expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => new CampaignProducer({ redis: fx.redis.url, prefix: 'a b' })).toThrow(/prefix/);
    const auth = { token: { keyId: 'ABCDEFGHIJ', teamId: 'KLMNOPQRST', key: P8 } };
    expect(() => new CampaignWorker({ redis: fx.redis.url, credentials: {} })).toThrow(/credentials/);
    expect(() => new CampaignWorker({ redis: fx.redis.url, credentials: { 'bad name': { environment: 'production', auth } } })).toThrow(/credentials/);
    expect(() => new CampaignWorker({ redis: fx.redis.url, credentials: { main: { environment: 'production', auth, limiter: { max: 1 } as never } } })).toThrow(/limiter/);
    expect(() => new CampaignWorker({ redis: fx.redis.url, credentials: { main: { environment: 'production', auth: { token: { ...auth.token, key: 'not a key' } } } } })).toThrow(
      /auth\.token\.key/,
    );
    expect(() => new CampaignWorker({ redis: fx.redis.url, credentials: { main: { environment: 'production', auth } }, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => new CampaignWorker({ redis: fx.redis.url, credentials: { main: { environment: 'production', auth } }, jobConcurrency: 0 })).toThrow(/jobConcurrency/);
    expect(() => new CampaignWorker({ redis: fx.redis.url, credentials: { main: { environment: 'production', auth } }, lockDuration: 10 })).toThrow(/lockDuration/);
  });

  test('durations are milliseconds: seconds below the range are named as such, a small one in range warns', async () => {
    const auth = { token: { keyId: 'ABCDEFGHIJ', teamId: 'KLMNOPQRST', key: P8 } };
    const worker = (over: object): unknown => new CampaignWorker({ redis: fx.redis.url, credentials: { main: { environment: 'production', auth } }, ...over });
    expect(() => worker({ lockDuration: 30 })).toThrow(/Invalid lockDuration: expected milliseconds, an integer from 1000 to 3600000, got `30` \(number\) \(durations are milliseconds: did you mean 30000 ms, 30 s\?\)/);
    expect(() => worker({ lockDuration: 0.5 })).toThrow(/expected milliseconds, an integer from 1000 to 3600000, got `0\.5` \(number\)$/);
    const error = await producer.enqueue(input({ retention: 3600 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/retention: expected milliseconds, an integer from 60000 to .*, got `3600` \(number\) \(durations are milliseconds: did you mean 3600000 ms, 3600 s\?\)/);
    expect(await fx.db.dbsize()).toBe(0);

    // The warning, as an app hears it: in a child process on the built package (Jest gives
    // each test file a copy of `process` whose 'warning' listeners never hear emitWarning).
    const script = `
      import { CampaignWorker } from ${JSON.stringify(QUEUE)};
      const heard = [];
      process.on('warning', (w) => heard.push({ name: w.name, code: w.code, message: w.message }));
      const auth = { token: { keyId: 'ABCDEFGHIJ', teamId: 'KLMNOPQRST', key: process.env.P8 } };
      const worker = new CampaignWorker({ redis: process.env.REDIS_URL, credentials: { main: { environment: 'production', auth } }, progressInterval: 5, flushInterval: 5 });
      // Ready first: BullMQ's stalled-job timer, started while a close races the start, outlives the close by up to 30 s.
      await worker.waitUntilReady();
      await worker.close();
      await new Promise((resolve) => setImmediate(resolve));
      console.log(JSON.stringify(heard));
    `;
    ensureBuilt();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, P8, REDIS_URL: otherDb(fx.redis.url) }, encoding: 'utf8', timeout: 30_000 });
    expect(child.stderr).not.toMatch(/Error/);
    // flushInterval's useful values are that small: no warning for it.
    expect(JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '[]')).toEqual([
      { name: 'PushwireWarning', code: 'PUSHWIRE_DURATION_UNITS', message: '`progressInterval: 5` is 5 ms (durations are milliseconds): did you mean 5000 ms (5 s)?' },
    ]);
  });

  describe('unknown option names are refused, naming the option and what to use (#16)', () => {
    const auth = { token: { keyId: 'ABCDEFGHIJ', teamId: 'KLMNOPQRST', key: P8 } };
    const entry = { environment: 'production' as const, auth };
    /** What `fn` threw: an InvalidArgumentError naming `field`, its message matching `message`. */
    function refused(fn: () => unknown, field: string, message: RegExp): void {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).field).toBe(field);
      expect((error as InvalidArgumentError).message).toMatch(message);
    }

    test('new CampaignWorker: the old `window`, typos, entry options at the top, a registry entry\'s old `concurrency`, its limiter', () => {
      const base = { redis: fx.redis.url, credentials: { main: entry } };
      refused(() => new CampaignWorker({ ...base, window: 50 } as never), 'window', /renamed to `concurrency` \(tokens of one job in flight.*jobs at once are `jobConcurrency`/);
      refused(() => new CampaignWorker({ ...base, jobConcurency: 2 } as never), 'jobConcurency', /is not an option of new CampaignWorker\(\); did you mean `jobConcurrency`\?/);
      refused(() => new CampaignWorker({ ...base, lockDurration: 5000 } as never), 'lockDurration', /did you mean `lockDuration`\?/);
      refused(() => new CampaignWorker({ ...base, limiter: { max: 1, duration: 1 } } as never), 'limiter', /a credentials entry option/);
      refused(() => new CampaignWorker({ ...base, logger: console } as never), 'logger', /logger/);
      refused(() => new CampaignWorker({ ...base, credentials: { main: { ...entry, concurrency: 2 } } } as never), 'credentials.main.concurrency', /`jobConcurrency`; tokens in flight are the worker's `concurrency`/);
      refused(() => new CampaignWorker({ ...base, credentials: { main: { ...entry, limiter: { max: 1, duraton: 100 } } } } as never), 'credentials.main.limiter.duraton', /did you mean `duration`\?/);
      // A registry entry's ServerSpec names are the api's to check.
      refused(() => new CampaignWorker({ ...base, credentials: { main: { ...entry, conections: 2 } } } as never), 'conections', /did you mean `connections`\?/);
    });

    test('BullMQ\'s `connection` is refused: the Redis server is `redis` here (`connection` is an HTTP/2 connection elsewhere)', () => {
      const renamed = /^Invalid connection: is not an option of new Campaign(Producer|Worker)\(\): `connection` is called `redis` here \(the Redis server: a redis:\/\/ URL or ioredis options\)$/;
      refused(() => new CampaignProducer({ connection: fx.redis.url } as never), 'connection', renamed);
      refused(() => new CampaignWorker({ connection: fx.redis.url, credentials: { main: entry } } as never), 'connection', renamed);
      // Given beside `redis` too: refused, not ignored.
      refused(() => new CampaignProducer({ redis: fx.redis.url, connection: fx.redis.url } as never), 'connection', renamed);
      // Errors about the value name `redis`.
      refused(() => new CampaignProducer({ redis: { host: '127.0.0.1', keyPrefix: 'x:' } }), 'redis.keyPrefix', /use the `prefix` option/);
      refused(() => new CampaignWorker({ redis: 42 as never, credentials: { main: entry } }), 'redis', /expected a redis:\/\/ URL or ioredis options/);
    });

    test('new CampaignProducer and new RedisTokenStore', () => {
      refused(() => new CampaignProducer({ redis: fx.redis.url, prefx: 'x' } as never), 'prefx', /is not an option of new CampaignProducer\(\); did you mean `prefix`\?/);
      refused(() => new CampaignProducer({ redis: fx.redis.url, concurrency: 2 } as never), 'concurrency', /a worker option/);
      refused(() => new RedisTokenStore(fx.db, { keyId: 'ABCDEFGHIJ', teamId: 'KLMNOPQRST', timeot: 100 } as never), 'timeot', /is not an option of new RedisTokenStore\(\); did you mean `timeout`\?/);
    });

    test.each<[string, object, string, RegExp]>([
      ['the old `priority` (BullMQ\'s job priority)', { priority: 1 }, 'priority', /renamed to `jobPriority`.*the APNs priority goes in `options`/],
      ['the old `backoff` (ms before a job\'s retry)', { backoff: 10 }, 'backoff', /renamed to `jobBackoff`/],
      ['a header at the top level', { topic: TOPIC }, 'topic', /it goes in `options`/],
      ['a typo', { tokensPerjob: 10 }, 'tokensPerjob', /did you mean `tokensPerJob`\?/],
      ['a typo in `options`', { options: { topic: TOPIC, expiry: 0 } }, 'options.expiry', /use `expiration`/],
      ['a misspelt header in `options`', { options: { topic: TOPIC, colapseId: 'x' } }, 'options.colapseId', /did you mean `collapseId`\?/],
    ])('enqueue refuses %s and writes nothing', async (_name, over, field, message) => {
      const error = await producer.enqueue(input(over as Partial<EnqueueInput>)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ field });
      expect((error as Error).message).toMatch(message);
      expect(await fx.db.dbsize()).toBe(0);
    });

    test('campaign.done(), campaign.outcomes() and stream reads', async () => {
      const campaign = producer.campaign('00000000-0000-4000-8000-000000000001', 'main');
      await expect(campaign.done({ timout: 10 } as never)).rejects.toMatchObject({ field: 'timout', message: expect.stringMatching(/did you mean `timeout`\?/) });
      await expect(campaign.outcomes({ cont: 1 } as never).next()).rejects.toMatchObject({ field: 'cont', message: expect.stringMatching(/did you mean `count`\?/) });
      await expect(producer.readFailures({ aftr: '0' } as never)).rejects.toMatchObject({ field: 'aftr', message: expect.stringMatching(/did you mean `after`\?/) });
      await expect(producer.readUnregistered({ limit: 5 } as never)).rejects.toMatchObject({ field: 'limit', message: expect.stringMatching(/it takes `after`, `count`/) });
      expect(await fx.db.dbsize()).toBe(0);
    });
  });

  test('stream reads check their cursor', async () => {
    await expect(producer.readFailures({ after: 'latest' })).rejects.toThrow(/after/);
    expect(() => producer.campaign('nope', 'main')).toThrow(/id/);
  });
});
