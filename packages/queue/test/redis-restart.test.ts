// Redis restarted mid-campaign (append-only file, graceful stop): workers
// and the waiting producer reconnect by themselves, the campaign completes
// after Redis returns, and nothing is lost: every token has exactly one
// final outcome and the counts equal what the mock saw.
import { describe, expect, test } from '@jest/globals';
import { DEFAULT_PREFIX, type CampaignCounts } from '../src/index.js';
import { TOPIC, makeTokens, nextEvent, producerFor, queueFixture, tally, workerFor } from './helpers.js';

const TOKENS = 20_000;

describe('Redis restarted mid-campaign', () => {
  const fx = queueFixture({ redis: { appendOnly: true } });

  test('the campaign completes after Redis returns, with nothing lost', async () => {
    const tokens = makeTokens(TOKENS, 'redis-restart');
    const workers = [fx.closer.add(workerFor(fx.redis.url, fx.mock, { lockDuration: 5000 })), fx.closer.add(workerFor(fx.redis.url, fx.mock, { lockDuration: 5000 }))];
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    const producer = fx.closer.add(producerFor(fx.redis.url));
    const campaign = await producer.enqueue({ credentials: 'main', notification: { alert: 'Restock' }, options: { topic: TOPIC }, tokens, tokensPerJob: 1000 });

    let doneBefore = -1;
    let restarted: Promise<void> | undefined;
    campaign.on('progress', (c: CampaignCounts) => {
      if (restarted !== undefined || c.done < TOKENS / 4) return;
      doneBefore = c.done;
      // Down until a worker has noticed (its connection error), then back on the same port and data.
      restarted = fx.redis.restart(async () => {
        await nextEvent(workers[0]!, 'error');
      });
    });
    const counts = await campaign.done({ timeout: 120_000, pollInterval: 250 });
    await restarted;

    expect(doneBefore).toBeGreaterThan(0);
    expect(doneBefore).toBeLessThan(TOKENS);
    expect(fx.redis.log()).toMatch(/DB loaded from append only file/);
    expect(counts).toMatchObject({ total: TOKENS, done: TOKENS, sent: TOKENS, rejected: 0, notSent: 0, unknown: 0, complete: true });

    const outcomes = await fx.db.hgetall(`${DEFAULT_PREFIX}:campaign:${campaign.id}:outcomes`);
    expect(Object.keys(outcomes)).toHaveLength(TOKENS);
    const flagged = new Set(tokens.filter((t) => outcomes[t]?.split('|')[1] === '1'));
    expect(tokens.filter((t) => !outcomes[t]?.startsWith('sent|'))).toEqual([]);
    const { accepted, ids } = tally(fx.mock);
    expect(tokens.filter((t) => (flagged.has(t) ? (accepted.get(t) ?? 0) < 1 : accepted.get(t) !== 1) || ids.get(t)?.size !== 1)).toEqual([]);
    expect(counts.possibleDuplicates).toBe(flagged.size);
  }, 180_000);
});
