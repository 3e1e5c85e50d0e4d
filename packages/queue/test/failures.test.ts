// What a job does when sends do not simply succeed: retryable answers until
// the last attempt, an answer that heals between attempts, an unreachable
// APNs, and a job whose lock is lost (it stalled) with its worker still alive.
import { afterEach, describe, expect, test } from '@jest/globals';
import { freePort } from '@pushwire/test-servers';
import { JobLockLost, RetryLater, type CampaignCounts } from '../src/index.js';
import { Keys } from '../src/keys.js';
import { Closer, TOPIC, makeTokens, nextEvent, producerFor, queueFixture, tally, until, workerFor } from './helpers.js';

/** Client options that make the pool give up on a 503 soon (with room for a cold connect on a busy CI machine). */
const QUICK = { timeout: 1_200, backoff: { minDelay: 10, maxDelay: 40 } };

describe('jobs when sends fail', () => {
  const fx = queueFixture();
  /** What one test opened: closed after each test. */
  const closer = new Closer();
  const keys = new Keys();

  afterEach(async () => {
    await closer.closeAll();
    fx.mock.clearFaults();
  });

  test('503 until the last attempt: only those tokens are resent, and they end rejected 503', async () => {
    const tokens = makeTokens(300, 'retry-503');
    const failing = tokens.slice(10, 15);
    for (const token of failing) fx.mock.inject({ kind: 'status', status: 503, reason: 'ServiceUnavailable', token });
    const worker = closer.add(workerFor(fx.redis.url, fx.mock, { entry: QUICK }));
    const retries: unknown[] = [];
    worker.on('failed', (_id: string, error: unknown) => retries.push(error));
    const producer = closer.add(producerFor(fx.redis.url));
    const campaign = await producer.enqueue({ credentials: 'main', notification: { alert: 'x' }, options: { topic: TOPIC }, tokens, attempts: 3, jobBackoff: 10 });
    const counts = await campaign.done();

    expect(counts).toMatchObject({ done: 300, sent: 295, rejected: 5, rejectedByReason: { ServiceUnavailable: 5 }, complete: true });
    expect(retries).toHaveLength(2);
    expect(retries.every((e) => e instanceof RetryLater && e.tokens === 5)).toBe(true);
    const { accepted } = tally(fx.mock);
    // The others went out once, in the first attempt only.
    expect(tokens.filter((t) => !failing.includes(t) && accepted.get(t) !== 1)).toEqual([]);
    expect(await campaign.outcome(failing[0]!)).toEqual({ token: failing[0], outcome: 'rejected', possibleDuplicate: false, status: 503, reason: 'ServiceUnavailable' });
    const failures = await producer.readFailures();
    expect(failures.entries.filter((e) => e.campaignId === campaign.id).map((e) => e.token).sort()).toEqual([...failing].sort());
  });

  test('a 503 that heals before the next attempt: the token ends sent, once', async () => {
    const tokens = makeTokens(200, 'retry-heals');
    const fault = fx.mock.inject({ kind: 'status', status: 503, reason: 'ServiceUnavailable', token: tokens[42]! });
    const worker = closer.add(workerFor(fx.redis.url, fx.mock, { entry: QUICK }));
    const producer = closer.add(producerFor(fx.redis.url));
    const failed = nextEvent(worker, 'failed');
    const campaign = await producer.enqueue({ credentials: 'main', notification: { alert: 'x' }, options: { topic: TOPIC }, tokens, attempts: 3, jobBackoff: 50 });
    const [, error] = await failed;
    expect(error).toBeInstanceOf(RetryLater);
    fault.remove();
    const counts = await campaign.done();

    expect(counts).toMatchObject({ done: 200, sent: 200, rejected: 0, possibleDuplicates: 0 });
    expect(tally(fx.mock).accepted.get(tokens[42]!)).toBe(1);
    await until(() => worker.stats().completed === 1, 'the job to complete in the worker');
    expect(worker.stats()).toMatchObject({ completed: 1, failed: 1 });
  });

  test('APNs unreachable on every attempt: each token ends not-sent (ConnectError) and the campaign completes', async () => {
    const tokens = makeTokens(100, 'unreachable');
    const port = await freePort(); // nothing listens there
    const worker = closer.add(workerFor(fx.redis.url, fx.mock, { entry: { origin: `https://127.0.0.1:${port}`, timeout: 3000 } as never }));
    const producer = closer.add(producerFor(fx.redis.url));
    const campaign = await producer.enqueue({ credentials: 'main', notification: { alert: 'x' }, options: { topic: TOPIC }, tokens, attempts: 2, jobBackoff: 10 });
    const counts = await campaign.done();

    expect(counts).toMatchObject({ done: 100, sent: 0, notSent: 100, notSentByError: { ConnectError: 100 }, unknown: 0, complete: true });
    expect(worker.stats().failed).toBe(1); // the first attempt asked for a retry; the last one recorded
    expect(await campaign.outcome(tokens[0]!)).toEqual({ token: tokens[0], outcome: 'not-sent', possibleDuplicate: false, error: 'ConnectError' });
  }, 30_000);

  /** A campaign whose job hangs on a few slow tokens after its first outcomes are written; resolves once they are. */
  async function hangingJob(seed: string, workerOptions: Parameters<typeof workerFor>[2]): Promise<{ tokens: string[]; campaign: Awaited<ReturnType<ReturnType<typeof producerFor>['enqueue']>>; jobLock: string; worker: ReturnType<typeof workerFor> }> {
    const tokens = makeTokens(1000, seed);
    for (const token of tokens.slice(100, 105)) fx.mock.inject({ kind: 'delay', ms: 4000, token });
    const worker = closer.add(workerFor(fx.redis.url, fx.mock, { concurrency: 50, claimStep: 50, batchSize: 10, ...workerOptions }));
    const producer = closer.add(producerFor(fx.redis.url));
    const recorded = nextEvent<[{ written: number }]>(worker, 'recorded', (r) => r.written >= 90);
    const campaign = await producer.enqueue({ credentials: 'main', notification: { alert: 'x' }, options: { topic: TOPIC }, tokens, attempts: 1 });
    await recorded;
    return { tokens, campaign, jobLock: keys.jobLock('main', `${campaign.id}.0`), worker };
  }

  test('a job that stalls more than maxStalledCount fails for good; done() gives its tokens unknown / not-sent and completes', async () => {
    const { tokens, campaign, jobLock, worker } = await hangingJob('stall-fails', { maxStalledCount: 0, stalledInterval: 200 });
    const lost = nextEvent<[string, unknown]>(worker, 'failed');
    // The lock expires as if the worker had stopped renewing it (a blocked event loop, a lost connection).
    await fx.db.del(jobLock);
    const counts: CampaignCounts = await campaign.done();
    const [, error] = await lost;
    expect(error).toBeInstanceOf(JobLockLost);

    expect(counts.complete).toBe(true);
    expect(counts.done).toBe(1000);
    expect(counts.unknown).toBeGreaterThan(0); // claimed, maybe written
    expect(counts.notSent).toBeGreaterThan(0); // never claimed
    expect(counts.sent + counts.unknown + counts.notSent).toBe(1000);
    // Not sent means it: the mock never saw those tokens.
    const seen = new Set(fx.mock.requests.map((r) => r.token));
    const notSent: string[] = [];
    for await (const record of campaign.outcomes()) if (record.outcome === 'not-sent') notSent.push(record.token);
    expect(notSent).toHaveLength(counts.notSent);
    expect(notSent.filter((t) => seen.has(t))).toEqual([]);
    expect(tokens.length).toBe(1000);
  }, 30_000);

  test('a job whose lock is lost while its worker lives: the worker stops claiming, the next attempt resends what was in flight, flagged', async () => {
    const { tokens, campaign, jobLock, worker } = await hangingJob('stall-takeover', { maxStalledCount: 5, stalledInterval: 200 });
    const lost = nextEvent<[string, unknown]>(worker, 'failed');
    await fx.db.del(jobLock);
    const counts = await campaign.done();
    const [, error] = await lost;
    expect(error).toBeInstanceOf(JobLockLost);

    expect(counts).toMatchObject({ done: 1000, sent: 1000, notSent: 0, unknown: 0, complete: true });
    expect(counts.possibleDuplicates).toBeGreaterThan(0);
    const { accepted, ids } = tally(fx.mock);
    const flagged = new Set<string>();
    for await (const record of campaign.outcomes()) if (record.possibleDuplicate) flagged.add(record.token);
    expect(tokens.filter((t) => (flagged.has(t) ? (accepted.get(t) ?? 0) < 1 : accepted.get(t) !== 1) || ids.get(t)?.size !== 1)).toEqual([]);
  }, 30_000);
});
