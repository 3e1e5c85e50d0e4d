// Where a job resumes after its worker died, set up exactly: a part whose
// mark and outcomes are what a dead attempt left behind, then a worker.
import { createHash } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { Keys } from '../src/keys.js';
import { encodeEntry } from '../src/records.js';
import { claimTokens, recordOutcomes, resumePart } from '../src/scripts.js';
import { TOPIC, makeTokens, producerFor, queueFixture, tally, until, workerFor } from './helpers.js';

/** The apns-id of `token` in a campaign: the version 5 UUID of the token in the campaign id's namespace. */
function apnsIdOf(token: string, campaignId: string): string {
  const hash = createHash('sha1').update(Buffer.from(campaignId.replaceAll('-', ''), 'hex')).update(token).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const sentEntry = (token: string) => {
  const entry = { token, kind: 'sent' as const, retry: false, duplicate: false, status: undefined, reason: undefined, timestamp: undefined, error: undefined };
  return { token, value: encodeEntry(entry), kind: 'sent', retry: false, duplicate: false, status: '', reason: '', timestamp: '', error: '' };
};

describe('resuming a job after its worker died', () => {
  const fx = queueFixture();
  const keys = new Keys();

  test('recorded tokens are skipped, tokens below the mark resent flagged with the same apns-id, the rest sent once', async () => {
    const tokens = makeTokens(1000, 'resume');
    const producer = fx.closer.add(producerFor(fx.redis.url));
    // No worker yet: the job waits while we play the attempt that died.
    const campaign = await producer.enqueue({ credentials: 'main', notification: { alert: 'Back in stock' }, options: { topic: TOPIC }, tokens, tokensPerJob: 1000 });
    const ck = keys.campaign(campaign.id);
    // The dead attempt: it claimed 600 tokens, recorded 0..99 and 120..199 as
    // sent, and left retry entries (a 503) for 100..119, 110..119 of them flagged.
    await fx.db.hset(ck.marks, '0', '600');
    await recordOutcomes(fx.db, ck, keys, { campaignId: campaign.id, topic: TOPIC, maxStreamLength: 1000 }, [...tokens.slice(0, 100), ...tokens.slice(120, 200)].map(sentEntry));
    for (let i = 100; i < 120; i++) await fx.db.hset(ck.outcomes, tokens[i]!, `retry:rejected|${i < 110 ? 0 : 1}|503|ServiceUnavailable||`);

    const worker = fx.closer.add(workerFor(fx.redis.url, fx.mock));
    const counts = await campaign.done();

    const { accepted, ids } = tally(fx.mock);
    const requested = (from: number, to: number): number[] => tokens.slice(from, to).map((t) => accepted.get(t) ?? 0);
    expect(requested(0, 100)).toEqual(Array(100).fill(0)); // recorded: never sent again
    expect(requested(120, 200)).toEqual(Array(80).fill(0));
    expect(requested(100, 120)).toEqual(Array(20).fill(1)); // retry entries: sent again
    expect(requested(200, 1000)).toEqual(Array(800).fill(1));
    // Every token carried its derived apns-id, and the campaign id as collapse id.
    for (const token of [...tokens.slice(100, 120), ...tokens.slice(200)]) expect(ids.get(token)).toEqual(new Set([`${apnsIdOf(token, campaign.id)} ${campaign.id}`]));

    const flag = async (i: number): Promise<boolean | undefined> => (await campaign.outcome(tokens[i]!))?.possibleDuplicate;
    expect(await flag(105)).toBe(false); // a retry entry of a send that provably did not get through
    expect(await flag(115)).toBe(true); // a retry entry that was itself flagged
    expect(await flag(300)).toBe(true); // below the mark without an outcome: may have been written
    expect(await flag(700)).toBe(false); // above the mark: never written before
    expect(counts).toMatchObject({ total: 1000, done: 1000, sent: 1000, possibleDuplicates: 410, complete: true });
    await until(() => worker.stats().completed === 1, 'the job to complete in the worker');
    expect(worker.stats()).toEqual({ completed: 1, failed: 0, attempted: 820, resent: 410 });
  });

  test('claim and resume are fenced by the job lock: a stalled attempt cannot claim or resume', async () => {
    const ck = keys.campaign('00000000-0000-4000-8000-000000000001');
    const lock = keys.jobLock('main', 'x.0');
    await fx.db.set(lock, 'owner-b');
    expect(await claimTokens(fx.db, ck.marks, lock, 'owner-a', 0, 250)).toBe(-1);
    expect(await fx.db.hget(ck.marks, '0')).toBeNull();
    expect(await claimTokens(fx.db, ck.marks, lock, 'owner-b', 0, 250)).toBe(250);
    expect(await claimTokens(fx.db, ck.marks, lock, 'owner-b', 0, 100)).toBe(250); // a mark never goes down
    expect(await resumePart(fx.db, ck, lock, 'owner-a', 0, ['a'])).toBeUndefined();
    expect(await resumePart(fx.db, ck, lock, 'owner-b', 0, ['a'])).toEqual({ mark: 250, states: [''] });
  });
});
