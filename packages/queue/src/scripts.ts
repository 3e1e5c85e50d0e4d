/**
 * The Lua scripts that keep a campaign consistent. Each runs atomically in
 * Redis, so concurrent workers (or a worker and the attempt that replaced
 * it) never count a token twice:
 *
 * - `record`: stores outcomes (first final outcome wins), counts them, and
 *   adds 410s and failures to the streams.
 * - `finishPart`: notes that every token of a part has its final outcome,
 *   and marks the campaign complete once every part is finished.
 * - `claim`: raises a part's mark (how many of its tokens may have been
 *   written) before they are sent, only while the caller holds the job lock.
 * - `resume`: what an attempt finds: the mark and each token's state.
 * - `setTotal`: the producer's last word (the token and job counts).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CampaignKeys } from './keys.js';

/** Completion check shared by `finishPart` and `setTotal`: KEYS[1..5] = meta, outcomes, counts, marks, finished; `now` = ms. */
const COMPLETE = `
local function complete(now)
  local meta = KEYS[1]
  local jobs = redis.call('HGET', meta, 'jobs')
  if not jobs or redis.call('HEXISTS', meta, 'completedAt') == 1 then return 0 end
  if redis.call('SCARD', KEYS[5]) < tonumber(jobs) then return 0 end
  redis.call('HSET', meta, 'completedAt', now)
  local retention = tonumber(redis.call('HGET', meta, 'retention') or '0')
  if retention > 0 then
    for i = 1, 5 do redis.call('EXPIRE', KEYS[i], retention) end
  end
  return 1
end
`;

/**
 * KEYS: outcomes, counts, unregistered stream, failures stream.
 * ARGV: stream max length, campaign id, topic, then per token 9 fields:
 * token, value, kind, retry (0/1), duplicate (0/1), status, reason, timestamp, error.
 * Returns the number of tokens given their final outcome now.
 *
 * A final outcome that arrives for a token that already has one (a copy of
 * the token in another job, or the attempt that replaced a stalled one)
 * changes nothing, except that a `sent` or `unknown` one sets the stored
 * record's possible-duplicate flag: the device may have it twice.
 */
const RECORD = `
local outcomes, counts, unregistered, failures = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local maxlen, campaign, topic = ARGV[1], ARGV[2], ARGV[3]
local add = {}
local function bump(field) add[field] = (add[field] or 0) + 1 end
local recorded = 0
local function final(token, kind, dup, status, reason, ts, err)
  recorded = recorded + 1
  bump('done')
  bump(kind)
  if dup == '1' then bump('possibleDuplicates') end
  if kind == 'rejected' then bump('rejected:' .. reason) elseif kind ~= 'sent' then bump(kind .. ':' .. err) end
  if kind == 'rejected' and status == '410' then
    redis.call('XADD', unregistered, 'MAXLEN', '~', maxlen, '*', 'campaign', campaign, 'token', token, 'reason', reason, 'timestamp', ts, 'topic', topic)
  elseif kind ~= 'sent' then
    redis.call('XADD', failures, 'MAXLEN', '~', maxlen, '*', 'campaign', campaign, 'token', token, 'outcome', kind,
      'status', status, 'reason', reason, 'error', err, 'possibleDuplicate', dup)
  end
end
for i = 4, #ARGV, 9 do
  local token, value, kind, retry, dup = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local status, reason, ts, err = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8]
  if redis.call('HSETNX', outcomes, token, value) == 1 then
    if retry == '0' then final(token, kind, dup, status, reason, ts, err) end
  else
    local current = redis.call('HGET', outcomes, token)
    if string.sub(current, 1, 6) == 'retry:' then
      redis.call('HSET', outcomes, token, value)
      if retry == '0' then final(token, kind, dup, status, reason, ts, err) end
    elseif retry == '0' and (kind == 'sent' or kind == 'unknown') then
      -- Already final without the flag, and this copy may have been delivered too.
      local bar = string.find(current, '|', 1, true)
      if bar and string.sub(current, bar + 1, bar + 1) == '0' then
        redis.call('HSET', outcomes, token, string.sub(current, 1, bar) .. '1' .. string.sub(current, bar + 2))
        bump('possibleDuplicates')
      end
    end
  end
end
for field, n in pairs(add) do redis.call('HINCRBY', counts, field, n) end
return recorded
`;

/**
 * KEYS: meta, outcomes, counts, marks, finished. ARGV: part, now.
 * Returns 1 when this completed the campaign.
 */
const FINISH_PART = `${COMPLETE}
redis.call('SADD', KEYS[5], ARGV[1])
return complete(ARGV[2])
`;

/**
 * KEYS: marks, job lock. ARGV: lock token, part, upTo.
 * Returns the part's mark after the call, or -1 when the caller no longer holds the job lock.
 */
const CLAIM = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
local up = tonumber(ARGV[3])
if up > current then
  redis.call('HSET', KEYS[1], ARGV[2], up)
  return up
end
return current
`;

/**
 * KEYS: marks, outcomes, job lock. ARGV: lock token, part, then the part's tokens.
 * Returns { mark, states } (no states when the mark is 0; else per token: '' none, 'f' final, 'r0' / 'r1'
 * a retry entry without / with the possible-duplicate flag, which is removed:
 * the token is in flight again), or { -1 } when the caller does not hold the
 * job lock.
 */
const RESUME = `
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return { -1 } end
local mark = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
local states = {}
-- Nothing of this part was ever claimed, so none of its tokens has an outcome
-- from it: the first attempt reads nothing (a copy of a token in another part
-- is sent again, and its record flagged a possible duplicate).
if mark == 0 then return { 0, states } end
for i = 3, #ARGV do
  local value = redis.call('HGET', KEYS[2], ARGV[i])
  if not value then
    states[#states + 1] = ''
  elseif string.sub(value, 1, 6) == 'retry:' then
    redis.call('HDEL', KEYS[2], ARGV[i])
    local bar = string.find(value, '|', 1, true)
    states[#states + 1] = 'r' .. string.sub(value, bar + 1, bar + 1)
  else
    states[#states + 1] = 'f'
  end
end
return { mark, states }
`;

/**
 * KEYS: meta, outcomes, counts, marks, finished. ARGV: total, jobs, now.
 * Returns 1 when the campaign is complete (e.g. every job already ran).
 */
const SET_TOTAL = `${COMPLETE}
redis.call('HSET', KEYS[1], 'total', ARGV[1], 'jobs', ARGV[2])
return complete(ARGV[3])
`;

/** A Lua script run by its SHA-1, loaded again after a `NOSCRIPT` (a restarted Redis has no script cache). */
class Script {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}

const record = new Script(RECORD);
const claim = new Script(CLAIM);
const resume = new Script(RESUME);
const setTotal = new Script(SET_TOTAL);
const finishPart = new Script(FINISH_PART);

/** The five campaign keys the completion check reads, in its order. */
function completionKeys(keys: CampaignKeys): string[] {
  return [keys.meta, keys.outcomes, keys.counts, keys.marks, keys.finished];
}

/** Where `record` writes besides the campaign's own keys. */
export interface StreamKeys {
  readonly unregistered: string;
  readonly failures: string;
}

/** One token for `record`: the stored value plus the fields it is counted and streamed by. */
export interface RecordArgs {
  readonly token: string;
  readonly value: string;
  readonly kind: string;
  readonly retry: boolean;
  readonly duplicate: boolean;
  readonly status: string;
  readonly reason: string;
  readonly timestamp: string;
  readonly error: string;
}

/** Runs `record` for `entries` of `campaignId`; resolves with the number of tokens that got their final outcome. */
export async function recordOutcomes(
  redis: Redis,
  keys: CampaignKeys,
  streams: StreamKeys,
  context: { campaignId: string; topic: string; maxStreamLength: number },
  entries: readonly RecordArgs[],
): Promise<number> {
  const args: Array<string | number> = [context.maxStreamLength, context.campaignId, context.topic];
  for (const e of entries) {
    args.push(e.token, e.value, e.kind, e.retry ? '1' : '0', e.duplicate ? '1' : '0', e.status, e.reason, e.timestamp, e.error);
  }
  return Number(await record.run(redis, [keys.outcomes, keys.counts, streams.unregistered, streams.failures], args));
}

/** Notes that every token of `part` has its final outcome; resolves true when that completed the campaign. */
export async function finishCampaignPart(redis: Redis, keys: CampaignKeys, part: number): Promise<boolean> {
  return Number(await finishPart.run(redis, completionKeys(keys), [part, Date.now()])) === 1;
}

/** Raises the mark of `part` to `upTo`; resolves with the mark, or -1 when `lockToken` no longer holds the job lock. */
export async function claimTokens(redis: Redis, marks: string, lock: string, lockToken: string, part: number, upTo: number): Promise<number> {
  return Number(await claim.run(redis, [marks, lock], [lockToken, part, upTo]));
}

/** What an attempt starts from (see the module comment); `undefined` when the lock is not the caller's. */
export async function resumePart(
  redis: Redis,
  keys: CampaignKeys,
  lock: string,
  lockToken: string,
  part: number,
  tokens: readonly string[],
): Promise<{ mark: number; states: string[] } | undefined> {
  const reply = (await resume.run(redis, [keys.marks, keys.outcomes, lock], [lockToken, part, ...tokens])) as [number, string[]?];
  if (reply[0] === -1) return undefined;
  return { mark: Number(reply[0]), states: reply[1] ?? [] };
}

/** Sets the campaign's token and job counts; resolves true when that completed it. */
export async function setCampaignTotal(redis: Redis, keys: CampaignKeys, total: number, jobs: number): Promise<boolean> {
  return Number(await setTotal.run(redis, completionKeys(keys), [total, jobs, Date.now()])) === 1;
}
