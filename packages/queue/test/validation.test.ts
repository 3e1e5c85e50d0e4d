// Bad input fails at once, with models' InvalidArgumentError naming the
// field, before anything reaches Redis.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startRedis, type RedisServer } from '@pushwire/test-servers';
import { PayloadTooLargeError } from '@pushwire/models';
import type { Redis } from 'ioredis';
import { CampaignProducer, CampaignWorker, InvalidArgumentError, type EnqueueInput } from '../src/index.js';
import { Closer, START_TIMEOUT, TOPIC, makeTokens } from './helpers.js';

const P8 = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgevZzL1gdAFr88hb2
OF/2NxApJCzGCEDdfSp6VQO30hyhRANCAAQRWz+jn65BtOMvdyHKcvjBeBSDZH2r
1RTwjmYSi9R/zpBnuQ4EiMnCqfMPWiZqB4QdbAd0E7oH50VpuZ1P087G
-----END PRIVATE KEY-----`;

describe('bad input', () => {
  let redis: RedisServer;
  let db: Redis;
  let producer: CampaignProducer;
  const closer = new Closer();

  beforeAll(async () => {
    redis = await startRedis();
    db = closer.redis(redis.url);
    producer = closer.add(new CampaignProducer({ connection: redis.url }));
  }, START_TIMEOUT);
  afterAll(async () => {
    await closer.closeAll();
    await redis.stop();
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
    expect(await db.dbsize()).toBe(0);
  });

  test('a payload over 4 KB is PayloadTooLargeError, before anything is enqueued', async () => {
    await expect(producer.enqueue(input({ notification: { alert: 'x'.repeat(5000) } }))).rejects.toThrow(PayloadTooLargeError);
    expect(await db.dbsize()).toBe(0);
  });

  test('producer and worker options are checked before anything connects', () => {
    expect(() => new CampaignProducer({ connection: 'http://localhost:6379' })).toThrow(/connection/);
    expect(() => new CampaignProducer({ connection: redis.url, prefix: 'a b' })).toThrow(/prefix/);
    const auth = { token: { keyId: 'ABCDEFGHIJ', teamId: 'KLMNOPQRST', key: P8 } };
    expect(() => new CampaignWorker({ connection: redis.url, credentials: {} })).toThrow(/credentials/);
    expect(() => new CampaignWorker({ connection: redis.url, credentials: { 'bad name': { environment: 'production', auth } } })).toThrow(/credentials/);
    expect(() => new CampaignWorker({ connection: redis.url, credentials: { main: { environment: 'production', auth, limiter: { max: 1 } as never } } })).toThrow(/limiter/);
    expect(() => new CampaignWorker({ connection: redis.url, credentials: { main: { environment: 'production', auth: { token: { ...auth.token, key: 'not a key' } } } } })).toThrow(
      /auth\.token\.key/,
    );
    expect(() => new CampaignWorker({ connection: redis.url, credentials: { main: { environment: 'production', auth } }, window: 0 })).toThrow(/window/);
    expect(() => new CampaignWorker({ connection: redis.url, credentials: { main: { environment: 'production', auth } }, lockDuration: 10 })).toThrow(/lockDuration/);
  });

  test('stream reads check their cursor', async () => {
    await expect(producer.readFailures({ after: 'latest' })).rejects.toThrow(/after/);
    expect(() => producer.campaign('nope', 'main')).toThrow(/id/);
  });
});
