// A campaign end to end: producer, two workers, a real Redis, the mock APNs.
import { describe, expect, test } from '@jest/globals';
import { CampaignNotFound, CampaignWaitAborted, DEFAULT_PREFIX, type CampaignCounts, type TokenRecord } from '../src/index.js';
import { TOPIC, acceptedByToken, makeTokens, producerFor, queueFixture, until, workerFor } from './helpers.js';

describe('a campaign through the queue', () => {
  const fx = queueFixture();

  test('5,000 tokens over two workers: one final outcome per token, counts equal to what the mock saw, 410s and failures in the streams', async () => {
    const good = makeTokens(4_980, 'campaign-good');
    const gone = makeTokens(15, 'campaign-gone');
    gone.forEach((t, i) => fx.mock.unregisterDevice(t, { timestamp: 1_700_000_000_000 + i, reason: 'Unregistered' }));
    const malformed = Array.from({ length: 5 }, (_, i) => `not-a-token-${i}`);
    const all = [...good];
    gone.forEach((t, i) => all.splice(300 * (i + 1), 0, t));
    malformed.forEach((t, i) => all.splice(700 * (i + 1), 0, t));

    const workers = [fx.closer.add(workerFor(fx.redis.url, fx.mock)), fx.closer.add(workerFor(fx.redis.url, fx.mock))];
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    const producer = fx.closer.add(producerFor(fx.redis.url));
    // An async iterable: the producer reads it once, 400 tokens per job.
    async function* source(): AsyncGenerator<string> {
      yield* all;
    }
    const campaign = await producer.enqueue({ credentials: 'main', notification: { alert: 'Spring sale' }, options: { topic: TOPIC }, tokens: source(), tokensPerJob: 400 });
    const progress: CampaignCounts[] = [];
    campaign.on('progress', (c: CampaignCounts) => progress.push(c));
    const counts = await campaign.done();

    expect(counts).toMatchObject({
      total: 5_000,
      jobs: 13,
      done: 5_000,
      sent: 4_980,
      rejected: 20,
      rejectedByReason: { Unregistered: 15, BadDeviceToken: 5 },
      notSent: 0,
      unknown: 0,
      possibleDuplicates: 0,
      complete: true,
    });
    expect(progress.at(-1)?.complete).toBe(true);
    // Both workers took part.
    await until(() => workers.every((worker) => worker.stats().completed > 0), 'both workers to complete a job');
    // Each worker counts a job's tokens when the job completes, a moment after the counts in Redis.
    await until(() => workers[0]!.stats().attempted + workers[1]!.stats().attempted >= 5_000, 'the workers to count every token');
    expect(workers[0]!.stats().attempted + workers[1]!.stats().attempted).toBe(5_000);

    // The mock: every good token accepted exactly once, every 410 token asked once.
    const accepted = acceptedByToken(fx.mock);
    expect(accepted.size).toBe(4_980);
    for (const token of good) expect(accepted.get(token)).toBe(1);
    // One apns-id per token, derived from the campaign id; the collapse id is the campaign id.
    const requests = fx.mock.requests.filter((r) => r.token !== undefined && all.includes(r.token));
    expect(new Set(requests.map((r) => r.headers['apns-id'])).size).toBe(4_995);
    expect(new Set(requests.map((r) => r.headers['apns-collapse-id']))).toEqual(new Set([campaign.id]));

    // Redis: exactly one final outcome per token.
    const records: TokenRecord[] = [];
    for await (const record of campaign.outcomes()) records.push(record);
    expect(records).toHaveLength(5_000);
    expect(new Set(records.map((r) => r.token))).toEqual(new Set(all));
    expect(await campaign.outcome(gone[3]!)).toEqual({ token: gone[3], outcome: 'rejected', possibleDuplicate: false, status: 410, reason: 'Unregistered', timestamp: 1_700_000_000_003 });
    expect(await campaign.outcome(good[0]!)).toEqual({ token: good[0], outcome: 'sent', possibleDuplicate: false });

    // The streams: every 410 with Apple's timestamp; the malformed tokens as failures.
    const unregistered = await producer.readUnregistered();
    expect(unregistered.entries.filter((e) => e.campaignId === campaign.id).map((e) => [e.token, e.timestamp, e.topic])).toEqual(
      expect.arrayContaining(gone.map((t, i) => [t, 1_700_000_000_000 + i, TOPIC])),
    );
    expect(unregistered.entries).toHaveLength(15);
    const failures = await producer.readFailures({ count: 3 });
    expect(failures.entries).toHaveLength(3);
    const rest = await producer.readFailures({ after: failures.next });
    expect([...failures.entries, ...rest.entries].map((e) => [e.token, e.outcome, e.status, e.reason])).toEqual(
      expect.arrayContaining(malformed.map((t) => [t, 'rejected', 400, 'BadDeviceToken'])),
    );
    expect((await producer.readFailures({ after: rest.next })).entries).toHaveLength(0);

    // Finished jobs are removed from BullMQ; the campaign's keys expire after the retention.
    expect(await fx.db.exists(`${DEFAULT_PREFIX}:send-main:${campaign.id}.0`)).toBe(0);
    const ttl = await fx.db.ttl(`${DEFAULT_PREFIX}:campaign:${campaign.id}:outcomes`);
    expect(ttl).toBeGreaterThan(7 * 86_400 - 60);
  }, 60_000);

  test('Redis holds no key material: the signing key stays in the worker, only the signed JWT is shared', async () => {
    // What every campaign above left in Redis, value by value.
    const values: string[] = [];
    for (const key of await fx.db.keys('*')) {
      const type = await fx.db.type(key);
      if (type === 'string') values.push((await fx.db.get(key)) ?? '');
      else if (type === 'hash') values.push(...Object.values(await fx.db.hgetall(key)));
      else if (type === 'list') values.push(...(await fx.db.lrange(key, 0, -1)));
      else if (type === 'set') values.push(...(await fx.db.smembers(key)));
      else if (type === 'zset') values.push(...(await fx.db.zrange(key, 0, -1)));
      else if (type === 'stream') for (const [, fields] of await fx.db.xrange(key, '-', '+')) values.push(...fields);
    }
    expect(values.length).toBeGreaterThan(100);
    const body = fx.mock.signingKey.key.replace(/-----[^-]+-----/g, '').replace(/\s/g, '');
    for (let i = 0; i + 24 <= body.length; i += 24) {
      const piece = body.slice(i, i + 24);
      expect(values.filter((v) => v.includes(piece))).toEqual([]);
    }
    // The one credential-like value: the shared provider token, a JWT with a TTL.
    const jwtKeys = await fx.db.keys(`${DEFAULT_PREFIX}:jwt:*`);
    expect(jwtKeys).toEqual([`${DEFAULT_PREFIX}:jwt:${fx.mock.signingKey.teamId}:${fx.mock.signingKey.keyId}`]);
    expect(await fx.db.pttl(jwtKeys[0]!)).toBeGreaterThan(0);
  });

  test('a token listed twice is sent once when both copies share a job, counted once, and the campaign completes', async () => {
    const tokens = makeTokens(300, 'campaign-repeats');
    // Copies within one job (positions 0 and 5), and across jobs (positions 1 and 250).
    const list = [...tokens];
    list.splice(5, 0, tokens[0]!);
    list.splice(250, 0, tokens[1]!);
    const worker = fx.closer.add(workerFor(fx.redis.url, fx.mock));
    const producer = fx.closer.add(producerFor(fx.redis.url));
    const campaign = await producer.enqueue({ credentials: 'main', notification: { alert: 'x' }, options: { topic: TOPIC }, tokens: list, tokensPerJob: 200 });
    const counts = await campaign.done();
    await worker.close();

    expect(counts).toMatchObject({ total: 302, jobs: 2, done: 300, sent: 300, complete: true });
    const accepted = acceptedByToken(fx.mock);
    expect(accepted.get(tokens[0]!)).toBe(1);
    // Across jobs both copies may go out; if the mock took it twice, the record says so.
    const repeated = await campaign.outcome(tokens[1]!);
    expect(repeated?.outcome).toBe('sent');
    if (accepted.get(tokens[1]!)! > 1) expect(repeated?.possibleDuplicate).toBe(true);
  });

  test('enqueueing again with the same campaign id sends nothing twice', async () => {
    const tokens = makeTokens(500, 'campaign-again');
    const worker = fx.closer.add(workerFor(fx.redis.url, fx.mock));
    const producer = fx.closer.add(producerFor(fx.redis.url));
    const input = { credentials: 'main', notification: { alert: 'x' }, options: { topic: TOPIC }, tokens, tokensPerJob: 100 };
    const first = await producer.enqueue(input);
    const counts = await first.done();
    const before = fx.mock.requests.length;
    const again = await producer.enqueue({ ...input, campaignId: first.id.toUpperCase() });
    expect(again.id).toBe(first.id);
    expect(await again.done()).toMatchObject({ total: 500, done: 500, sent: 500, complete: true, completedAt: counts.completedAt });
    await worker.close(); // graceful: the re-added jobs finished (and sent nothing)
    expect(fx.mock.requests.length).toBe(before);
  });

  test('a global rate limit (BullMQ limiter) spaces the jobs of a credentials name', async () => {
    const tokens = makeTokens(60, 'campaign-limited');
    const worker = fx.closer.add(workerFor(fx.redis.url, fx.mock, { name: 'limited', jobConcurrency: 3, entry: { limiter: { max: 1, duration: 300 } } }));
    const producer = fx.closer.add(producerFor(fx.redis.url));
    const started: number[] = [];
    worker.on('active', () => started.push(Date.now()));
    const campaign = await producer.enqueue({ credentials: 'limited', notification: { alert: 'x' }, options: { topic: TOPIC }, tokens, tokensPerJob: 20 });
    expect(await campaign.done()).toMatchObject({ done: 60, sent: 60 });
    expect(started).toHaveLength(3);
    // At most one job per 300 ms, although the worker could run three at once.
    expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(250);
    expect(started[2]! - started[1]!).toBeGreaterThanOrEqual(250);
  });

  test('`concurrency` bounds the tokens of a job in flight (sendMany\'s), `jobConcurrency` the jobs at once', async () => {
    const tokens = makeTokens(12, 'campaign-narrow');
    const DELAY = 200;
    for (const token of tokens) fx.mock.inject({ kind: 'delay', ms: DELAY, token });
    const worker = fx.closer.add(workerFor(fx.redis.url, fx.mock, { name: 'narrow', concurrency: 3, jobConcurrency: 1 }));
    const producer = fx.closer.add(producerFor(fx.redis.url));
    let mostOpen = 0;
    const watch = setInterval(() => {
      mostOpen = Math.max(mostOpen, fx.mock.stats().perConnection.reduce((sum, c) => sum + c.open, 0));
    }, 5);
    const started = performance.now();
    try {
      const campaign = await producer.enqueue({ credentials: 'narrow', notification: { alert: 'x' }, options: { topic: TOPIC }, tokens, tokensPerJob: 12 });
      expect(await campaign.done()).toMatchObject({ done: 12, sent: 12 });
    } finally {
      clearInterval(watch);
    }
    // 12 tokens, 3 at a time, each answered after 200 ms: at least 4 rounds
    // (all 12 at once, as a tokens-in-flight of 1000 would send them, take one).
    expect(performance.now() - started).toBeGreaterThanOrEqual(4 * DELAY - 20);
    expect(mostOpen).toBeGreaterThan(0);
    expect(mostOpen).toBeLessThanOrEqual(3);
    await worker.close();
  });

  test('waiting gives up by timeout or signal (the campaign goes on); an unknown id is CampaignNotFound', async () => {
    const producer = fx.closer.add(producerFor(fx.redis.url));
    // No worker serves 'idle': the campaign waits.
    const campaign = await producer.enqueue({ credentials: 'idle', notification: { alert: 'x' }, options: { topic: TOPIC }, tokens: makeTokens(3, 'idle') });
    await expect(campaign.done({ timeout: 50 })).rejects.toThrow(CampaignWaitAborted);
    const abort = new AbortController();
    const waiting = campaign.done({ signal: abort.signal });
    abort.abort();
    await expect(waiting).rejects.toThrow(/the signal was aborted/);
    expect(await campaign.counts()).toMatchObject({ total: 3, jobs: 1, done: 0, complete: false });
    const unknown = producer.campaign('00000000-0000-4000-8000-00000000dead', 'idle');
    await expect(unknown.counts()).rejects.toThrow(CampaignNotFound);
    await expect(unknown.done()).rejects.toThrow(CampaignNotFound);
  });
});
