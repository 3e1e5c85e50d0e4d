/**
 * A job that failed for good (its last attempt threw, or it stalled more
 * often than `maxStalledCount`) still owes its tokens an outcome: each one
 * without a final outcome gets one here, so the campaign completes.
 * - a `retry` entry becomes final as it was (e.g. `rejected` 429);
 * - below the mark without an outcome: `unknown` (it may have been written);
 * - at or above the mark: `not-sent` (it never was).
 * Idempotent: the `record` script keeps the first final outcome.
 */
import type { Redis } from 'ioredis';
import type { Outcome } from '@pushwire/models';
import type { Keys } from './keys.js';
import type { JobData } from './message.js';
import { clean, encodeEntry, type Entry } from './records.js';
import { finishCampaignPart, recordOutcomes, type RecordArgs } from './scripts.js';

const BATCH = 1000;

/** The entry a stored `retry:` value becomes when it turns final. */
function finalOfRetry(token: string, value: string): Entry {
  const [kind, duplicate, status, reason, timestamp, error] = value.slice('retry:'.length).split('|');
  return {
    token,
    kind: (kind ?? 'not-sent') as Outcome,
    retry: false,
    duplicate: duplicate === '1',
    status: status ? Number(status) : undefined,
    reason: reason || undefined,
    timestamp: timestamp ? Number(timestamp) : undefined,
    error: error || undefined,
  };
}

function args(entry: Entry): RecordArgs {
  return {
    token: entry.token,
    value: encodeEntry(entry),
    kind: entry.kind,
    retry: false,
    duplicate: entry.duplicate,
    status: entry.status === undefined ? '' : String(entry.status),
    reason: entry.reason ?? '',
    timestamp: entry.timestamp === undefined ? '' : String(entry.timestamp),
    error: entry.error ?? '',
  };
}

/**
 * Gives every token of `data` that has no final outcome one (see the module
 * comment); `why` becomes their error name (e.g. `JobFailed`);
 * `maxStreamLength` bounds the failures stream as the workers do.
 * Resolves with how many tokens it recorded.
 */
export async function finalizePart(redis: Redis, keys: Keys, data: JobData, why: string, maxStreamLength: number): Promise<number> {
  const campaign = keys.campaign(data.campaignId);
  const mark = Number((await redis.hget(campaign.marks, String(data.part))) ?? 0);
  // Each token's first position in the part: the one its mark covers.
  const position = new Map<string, number>();
  data.tokens.forEach((token, i) => {
    if (!position.has(token)) position.set(token, i);
  });
  const tokens = [...position.keys()];
  const error = clean(why);
  let recorded = 0;
  for (let start = 0; start < tokens.length; start += BATCH) {
    const slice = tokens.slice(start, start + BATCH);
    const values = await redis.hmget(campaign.outcomes, ...slice);
    const entries: RecordArgs[] = [];
    slice.forEach((token, i) => {
      const value = values[i];
      if (value !== null && value !== undefined && !value.startsWith('retry:')) return;
      if (value !== null && value !== undefined) {
        entries.push(args(finalOfRetry(token, value)));
        return;
      }
      const written = position.get(token)! < mark;
      const kind: Outcome = written ? 'unknown' : 'not-sent';
      entries.push(args({ token, kind, retry: false, duplicate: false, status: undefined, reason: undefined, timestamp: undefined, error }));
    });
    if (entries.length === 0) continue;
    recorded += await recordOutcomes(redis, campaign, keys, { campaignId: data.campaignId, topic: data.options.topic, maxStreamLength }, entries);
  }
  await finishCampaignPart(redis, campaign, data.part);
  return recorded;
}
