// The delivery guarantee under a crash: 100,000 tokens, 3 worker processes,
// one of them SIGKILLed mid-job. Every token ends with exactly one final
// outcome; the mock accepted each token once, except tokens flagged as
// possible duplicates (at least once there); the campaign's counts are the mock's.
import { describe, expect, test } from '@jest/globals';
import { DEFAULT_PREFIX, type CampaignCounts } from '../src/index.js';
import { TOPIC, makeTokens, producerFor, queueFixture, tally } from './helpers.js';
import { ensureBuilt, startWorkerProcess, type WorkerMessage, type WorkerProcess } from './processes.js';


const TOKENS = 100_000;
const GONE = 100;

describe('3 worker processes, one SIGKILLed mid-run', () => {
  const workers: WorkerProcess[] = [];
  const fx = queueFixture({
    setup: ensureBuilt,
    teardown: () => {
      for (const w of workers) w.child.kill('SIGKILL');
    },
  });

  test('100,000 tokens: exactly one final outcome each, accepted once unless flagged, counts equal to the mock', async () => {
    const tokens = makeTokens(TOKENS, 'crash-100k');
    // Some devices are gone: those tokens end rejected (410), and reach the unregistered stream.
    const gone = tokens.filter((_, i) => i % (TOKENS / GONE) === 7);
    for (const t of gone) fx.mock.unregisterDevice(t, { timestamp: 1_700_000_000_000, reason: 'Unregistered' });

    // The victim is killed on its first batch of outcomes once a fifth of the campaign is done:
    // it is then in the middle of a 5,000-token job, with a window of sends in flight.
    let fifthDone = false;
    let killedJob: string | undefined;
    const victimMessages = (message: WorkerMessage): void => {
      if (message.type !== 'recorded' || !fifthDone || killedJob !== undefined) return;
      killedJob = message.jobId;
      workers[0]!.child.kill('SIGKILL');
    };
    const options = { lockDuration: 4000, stalledInterval: 1000, jobConcurrency: 2 };
    workers.push(await startWorkerProcess(fx.redis.url, fx.mock, options, victimMessages));
    workers.push(await startWorkerProcess(fx.redis.url, fx.mock, options));
    workers.push(await startWorkerProcess(fx.redis.url, fx.mock, options));

    const producer = fx.closer.add(producerFor(fx.redis.url));
    const started = Date.now();
    const campaign = await producer.enqueue({ credentials: 'main', notification: { alert: 'Flash sale' }, options: { topic: TOPIC }, tokens, tokensPerJob: 5000 });
    campaign.on('progress', (c: CampaignCounts) => {
      if (c.done >= TOKENS / 5) fifthDone = true;
    });
    const counts = await campaign.done({ timeout: 240_000, pollInterval: 500 });
    const elapsed = Date.now() - started;

    // The victim really died by SIGKILL, mid-job.
    expect(killedJob).toBeDefined();
    expect(await workers[0]!.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // A survivor took the job over and resent what was in flight.
    const survivors = await Promise.all(workers.slice(1).map((w) => w.stats()));
    const resent = survivors.reduce((n, s) => n + s.resent, 0);
    expect(resent).toBeGreaterThan(0);

    // Redis: exactly one final outcome for every token, nothing left half-done.
    const outcomes = await fx.db.hgetall(`${DEFAULT_PREFIX}:campaign:${campaign.id}:outcomes`);
    expect(Object.keys(outcomes)).toHaveLength(TOKENS);
    const flagged = new Set<string>();
    const notFinal = tokens.filter((token) => !/^(sent|rejected)\|[01]\|/.test(outcomes[token] ?? ''));
    expect(notFinal).toEqual([]);
    for (const token of tokens) if (outcomes[token]!.split('|')[1] === '1') flagged.add(token);

    // The mock: accepted once per token, except flagged tokens (at least once there);
    // every copy of a token carried the same apns-id and collapse id.
    const { accepted, ids } = tally(fx.mock);
    const goneSet = new Set(gone);
    const wrong = tokens.filter((token) => {
      const n = accepted.get(token) ?? 0;
      const expected = goneSet.has(token) ? n === 0 : flagged.has(token) ? n >= 1 : n === 1;
      return !expected || ids.get(token)?.size !== 1;
    });
    expect(wrong).toEqual([]);
    const twice = tokens.filter((token) => (accepted.get(token) ?? 0) > 1).length;

    // The campaign's counts are the mock's.
    expect(counts).toMatchObject({ total: TOKENS, done: TOKENS, rejected: GONE, rejectedByReason: { Unregistered: GONE }, notSent: 0, unknown: 0, complete: true });
    expect(counts.sent).toBe([...accepted.keys()].length);
    expect(counts.possibleDuplicates).toBe(flagged.size);
    expect(flagged.size).toBeGreaterThan(0);
    const unregistered = await producer.readUnregistered({ count: 1000 });
    expect(new Set(unregistered.entries.map((e) => e.token))).toEqual(goneSet);

    // For the report: how long it took and what the crash cost.
    console.log(`100,000 tokens, 3 worker processes, one SIGKILLed: ${elapsed} ms; ${flagged.size} flagged possible duplicates, ${twice} accepted twice`);
  }, 300_000);
});
