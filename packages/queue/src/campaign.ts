/**
 * `Campaign`: a handle on one enqueued campaign: its counts, its per-token
 * outcomes, progress events and a promise of completion (BullMQ's
 * `QueueEvents` tell when to look again; Redis holds the truth).
 */
import { EventEmitter } from 'node:events';
import { Job, type Queue, type QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseCounts, type CampaignCounts } from './counts.js';
import { CampaignNotFound, CampaignWaitAborted } from './errors.js';
import { finalizePart } from './finalize.js';
import { jobId, parseJobId, type Keys } from './keys.js';
import type { JobData } from './message.js';
import { decodeRecord, type TokenRecord } from './records.js';
import { checkInteger } from './validate.js';
import { InvalidArgumentError, checkOptionNames, describeValue } from '@pushwire/models';

/** What a campaign handle needs from its producer. @internal */
export interface CampaignHost {
  readonly redis: Redis;
  readonly keys: Keys;
  queue(credentials: string): Queue;
  events(credentials: string): Promise<QueueEvents>;
  readonly maxStreamLength: number;
}

/** Options of {@link Campaign.done}. */
export interface WaitOptions {
  /** Stop waiting (the campaign goes on) when this aborts: rejects with {@link CampaignWaitAborted}. */
  signal?: AbortSignal;
  /** Stop waiting after this many ms: rejects with {@link CampaignWaitAborted}. */
  timeout?: number;
  /**
   * Milliseconds between looks at the counts besides the ones job events
   * trigger (a safety net for events missed while Redis was unreachable).
   * @default 2000
   */
  pollInterval?: number;
}

const WAIT_KNOWN = Object.keys({ signal: true, timeout: true, pollInterval: true } satisfies Record<keyof WaitOptions, true>);

function checkObject(options: unknown): asserts options is object {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
}

/**
 * One campaign. Made by `CampaignProducer.enqueue()` or, for a campaign
 * enqueued elsewhere, `producer.campaign(id, credentials)`.
 *
 * Emits `'progress'` with {@link CampaignCounts} whenever the counts moved,
 * while someone waits in {@link Campaign.done}.
 *
 * @example
 * ```ts
 * const campaign = await producer.enqueue({ credentials: 'main', notification, options: { topic }, tokens });
 * campaign.on('progress', (c) => console.log(`${c.done}/${c.total ?? '?'}`));
 * const counts = await campaign.done();
 * for await (const record of campaign.outcomes()) if (record.outcome === 'unknown') review(record.token);
 * ```
 */
export class Campaign extends EventEmitter {
  /** The campaign id: a UUID, also the idempotency key every token's `apns-id` derives from. */
  readonly id: string;
  /** The credentials name its jobs are sent with. */
  readonly credentials: string;
  readonly #host: CampaignHost;

  /** @internal Use `CampaignProducer.enqueue()` or `producer.campaign()`. */
  constructor(host: CampaignHost, id: string, credentials: string) {
    super();
    this.#host = host;
    this.id = id;
    this.credentials = credentials;
  }

  /** The counts moved, while someone waits in {@link Campaign.done}. */
  override on(event: 'progress', listener: (counts: CampaignCounts) => void): this;
  /** Any other event of `EventEmitter` (`'newListener'`, ...). */
  override on(event: string | symbol, listener: (...args: never[]) => void): this;
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  /** The counts now. @throws {CampaignNotFound} nothing in Redis for this id. */
  async counts(): Promise<CampaignCounts> {
    const keys = this.#host.keys.campaign(this.id);
    const [counts, meta] = await Promise.all([this.#host.redis.hgetall(keys.counts), this.#host.redis.hgetall(keys.meta)]);
    if (Object.keys(meta).length === 0) throw new CampaignNotFound(this.id);
    return parseCounts(counts, meta);
  }

  /** One token's final outcome, or `undefined` while it has none. */
  async outcome(token: string): Promise<TokenRecord | undefined> {
    const value = await this.#host.redis.hget(this.#host.keys.campaign(this.id).outcomes, token);
    return value === null ? undefined : decodeRecord(token, value);
  }

  /**
   * Every token with a final outcome so far, read from Redis in pages
   * (`HSCAN`, `count` per call): flat memory for any campaign size. A token
   * may show twice if the hash grew during the scan (Redis' HSCAN rule).
   */
  async *outcomes(options: { count?: number } = {}): AsyncGenerator<TokenRecord> {
    checkObject(options);
    checkOptionNames(options, { where: 'campaign.outcomes()', known: ['count'] });
    const count = checkInteger('count', options.count, 1, 100_000) ?? 1000;
    const key = this.#host.keys.campaign(this.id).outcomes;
    let cursor = '0';
    do {
      const [next, flat] = await this.#host.redis.hscan(key, cursor, 'COUNT', count);
      cursor = next;
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const record = decodeRecord(flat[i]!, flat[i + 1]!);
        if (record !== undefined) yield record;
      }
    } while (cursor !== '0');
  }

  /**
   * Gives the tokens of jobs that failed for good (their last attempt threw,
   * or they stalled more than `maxStalledCount` times) their final outcome:
   * `unknown` if they may have been written, `not-sent` otherwise. `done()`
   * does this as such jobs fail; call it for a campaign nobody waited on.
   * Resolves with the number of tokens it recorded.
   */
  async reconcile(): Promise<number> {
    const { jobs } = await this.counts();
    let recorded = 0;
    for (let part = 0; part < (jobs ?? 0); part++) recorded += await this.#finalizeIfFailed(jobId(this.id, part));
    return recorded;
  }

  /**
   * Resolves with the final counts once every token has its final outcome.
   * Emits `'progress'` meanwhile.
   * @throws {CampaignNotFound} nothing in Redis for this id.
   * @throws {CampaignWaitAborted} `timeout` passed or `signal` aborted first (the campaign goes on).
   */
  async done(options: WaitOptions = {}): Promise<CampaignCounts> {
    checkObject(options);
    checkOptionNames(options, { where: 'campaign.done()', known: WAIT_KNOWN });
    const timeout = checkInteger('timeout', options.timeout, 1, 2 ** 31 - 1);
    const pollInterval = checkInteger('pollInterval', options.pollInterval, 10, 3_600_000) ?? 2000;
    const first = await this.counts();
    if (first.complete) return first;
    if (options.signal?.aborted === true) throw new CampaignWaitAborted(this.id, 'the signal was aborted');
    const events = await this.#host.events(this.credentials);

    return new Promise<CampaignCounts>((resolve, reject) => {
      let last = '';
      let checking = false;
      let again = false;
      let finished = false;
      const finish = (error: unknown, counts?: CampaignCounts): void => {
        if (finished) return;
        finished = true;
        clearInterval(poll);
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        events.off('completed', onEvent);
        events.off('progress', onEvent);
        events.off('failed', onFailed);
        if (error === undefined) resolve(counts!);
        else reject(error);
      };
      const check = async (): Promise<void> => {
        if (checking) {
          again = true;
          return;
        }
        checking = true;
        try {
          do {
            again = false;
            const counts = await this.counts();
            const key = `${counts.done}|${counts.total}|${counts.possibleDuplicates}|${counts.complete}`;
            if (key !== last) {
              last = key;
              this.emit('progress', counts);
            }
            if (counts.complete) return finish(undefined, counts);
          } while (again && !finished);
        } catch (error) {
          // Redis unreachable: the next event or poll looks again.
          if (error instanceof CampaignNotFound) finish(error);
        } finally {
          checking = false;
        }
      };
      const ours = (id: string | undefined): boolean => parseJobId(id)?.campaignId === this.id;
      const onEvent = ({ jobId: id }: { jobId: string }): void => {
        if (ours(id)) void check();
      };
      const onFailed = ({ jobId: id }: { jobId: string }): void => {
        if (!ours(id)) return;
        void this.#finalizeIfFailed(id)
          .catch(() => undefined)
          .then(check);
      };
      const onAbort = (): void => finish(new CampaignWaitAborted(this.id, 'the signal was aborted'));
      events.on('completed', onEvent);
      events.on('progress', onEvent);
      events.on('failed', onFailed);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const poll = setInterval(() => void check(), pollInterval);
      const timer = timeout === undefined ? undefined : setTimeout(() => finish(new CampaignWaitAborted(this.id, `no completion in ${timeout} ms`)), timeout);
      // Events may have gone by before the listeners were on: look once now.
      void check();
    });
  }

  /** Finalizes the part of `id` if its job is in BullMQ's failed set; resolves with tokens recorded. */
  async #finalizeIfFailed(id: string): Promise<number> {
    const job = await Job.fromId<JobData>(this.#host.queue(this.credentials), id);
    if (job === undefined || (await job.getState()) !== 'failed') return 0;
    return finalizePart(this.#host.redis, this.#host.keys, job.data, 'JobFailed', this.#host.maxStreamLength);
  }
}
