/**
 * `CampaignProducer`: turns a campaign (notification, headers, credentials
 * name, tokens of any number) into BullMQ jobs of `tokensPerJob` tokens.
 */
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Notification, RawPayload } from '@pushwire/api';
import { InvalidArgumentError, checkOptionNames, describeValue } from '@pushwire/models';
import { Campaign, type CampaignHost } from './campaign.js';
import { REDIS_RENAMED, checkRedis, closeRedis, openRedis, type RedisConnection } from './connection.js';
import { checkCampaignId, checkCredentialsName, jobId, Keys, queueName } from './keys.js';
import { prepareMessage, type CampaignSendOptions, type JobData } from './message.js';
import { setCampaignTotal } from './scripts.js';
import {
  failureEntry,
  readPage,
  unregisteredEntry,
  type FailureEntry,
  type StreamPage,
  type StreamReadOptions,
  type UnregisteredEntry,
} from './streams.js';
import { checkDuration, checkInteger } from './validate.js';

/** Options of {@link CampaignProducer}. */
export interface ProducerOptions {
  /** The Redis server: a `redis://` / `rediss://` URL or ioredis options. */
  redis: RedisConnection;
  /** Key prefix; producers and workers of one deployment use the same. @default 'pushwire' */
  prefix?: string;
  /** Approximate bound of the `unregistered` and `failures` streams when the producer finalizes failed jobs. @default 1000000 */
  maxStreamLength?: number;
}

/** A campaign to enqueue. */
export interface EnqueueInput {
  /** The credentials name: a worker with this name in its registry sends the campaign. */
  credentials: string;
  /** What to send (validated and encoded now: a bad payload throws here). */
  notification: Notification | RawPayload;
  /** Headers: the API's `SendOptions` without `apnsId`; `collapseId` defaults to `'auto'` (the campaign id). */
  options: CampaignSendOptions;
  /** Device tokens: an array, any iterable, or an async iterable of any size (read once, `tokensPerJob` at a time). */
  tokens: Iterable<string> | AsyncIterable<string>;
  /** Tokens per job. @default 1000 */
  tokensPerJob?: number;
  /**
   * The campaign id (a UUID). Enqueueing again with the same id and tokens
   * (e.g. after the producer died half-way) is safe: existing jobs are not
   * added twice, and tokens that already have an outcome are not sent again.
   * @default a random UUID
   */
  campaignId?: string;
  /** Attempts per job (BullMQ `attempts`): a job is retried for tokens that ended retryable (429, 5xx, not sent). @default 5 */
  attempts?: number;
  /**
   * Milliseconds before the first retry of a job, doubling each time
   * (BullMQ's exponential `backoff`). Not the pace of one send's retries:
   * that is the client's `backoff` (a registry entry's, in the worker).
   * @default 5000
   */
  jobBackoff?: number;
  /** Milliseconds the campaign's keys (outcomes, counts) are kept after it completes: 1 minute to 10 years. @default 604800000 (7 days) */
  retention?: number;
  /**
   * BullMQ job priority (1 = highest; unset: before every prioritized job).
   * Not the APNs priority: that is `options.priority`.
   */
  jobPriority?: number;
}

/** The names each options object takes (the types make these lists complete). */
const PRODUCER_KNOWN = Object.keys({ redis: true, prefix: true, maxStreamLength: true } satisfies Record<keyof ProducerOptions, true>);
const ENQUEUE_KNOWN = Object.keys({
  credentials: true, notification: true, options: true, tokens: true, tokensPerJob: true, campaignId: true, attempts: true, jobBackoff: true, retention: true, jobPriority: true,
} satisfies Record<keyof EnqueueInput, true>);
const STREAM_READ_KNOWN = Object.keys({ after: true, count: true } satisfies Record<keyof StreamReadOptions, true>);

const WORKER_OPTION = 'a worker option: `new CampaignWorker({ ... })`';
const HEADER_OPTION = 'a send option: it goes in `options` (`enqueue({ options: { topic, pushType, ... } })`)';
/** Refused with where they belong, on top of models' table of peers' and renamed names. */
const PRODUCER_HINTS: Readonly<Record<string, string>> = {
  connection: REDIS_RENAMED,
  credentials: 'named per campaign: `producer.enqueue({ credentials })`; the keys themselves stay in the workers',
  concurrency: WORKER_OPTION,
  jobConcurrency: WORKER_OPTION,
};
const ENQUEUE_HINTS: Readonly<Record<string, string>> = {
  topic: HEADER_OPTION,
  pushType: HEADER_OPTION,
  priority: 'renamed to `jobPriority` (BullMQ\'s job priority); the APNs priority goes in `options` (`{ options: { priority } }`)',
  backoff: 'renamed to `jobBackoff` (ms before a job\'s first retry); the pace of one send\'s retries is the client\'s `backoff`, in the worker\'s registry entry',
  expiration: HEADER_OPTION,
  collapseId: HEADER_OPTION,
  payload: 'use `notification` (a models `Notification`, or `{ raw }` for Apple\'s JSON)',
  concurrency: WORKER_OPTION,
  window: WORKER_OPTION,
  jobId: 'job ids are `<campaignId>.<part>`: give `campaignId`',
};

/** Jobs handed to BullMQ per `addBulk` call. */
const ADD_BATCH = 50;
/** One day in milliseconds. */
const DAY = 86_400_000;

/**
 * Enqueues campaigns and gives handles on them.
 *
 * @example
 * ```ts
 * const producer = new CampaignProducer({ redis: process.env.REDIS_URL! });
 * const campaign = await producer.enqueue({
 *   credentials: 'main',
 *   notification: { alert: 'Spring sale' },
 *   options: { topic: 'com.example.app' },
 *   tokens: tokensFromFile('tokens.txt.gz'),
 * });
 * console.log(await campaign.done()); // { total, sent, rejected, rejectedByReason, notSent, unknown, ... }
 * await producer.close();
 * ```
 * @throws {InvalidArgumentError} bad options (before anything connects).
 */
export class CampaignProducer {
  readonly #keys: Keys;
  readonly #redisConnection: RedisConnection;
  readonly #redis: Redis;
  readonly #maxStreamLength: number;
  readonly #queues = new Map<string, Queue>();
  readonly #events = new Map<string, { events: Promise<QueueEvents>; connection: Redis }>();
  readonly #host: CampaignHost;
  #closed = false;

  constructor(options: ProducerOptions) {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'expected { redis }');
    checkOptionNames(options, { where: 'new CampaignProducer()', known: PRODUCER_KNOWN, hints: PRODUCER_HINTS });
    this.#redisConnection = checkRedis(options.redis);
    this.#keys = new Keys(options.prefix);
    this.#maxStreamLength = checkInteger('maxStreamLength', options.maxStreamLength, 1) ?? 1_000_000;
    this.#redis = openRedis(this.#redisConnection, 'pushwire-producer');
    this.#host = {
      redis: this.#redis,
      keys: this.#keys,
      maxStreamLength: this.#maxStreamLength,
      queue: (credentials) => this.#queue(credentials),
      events: (credentials) => this.#queueEvents(credentials),
    };
  }

  /**
   * Validates the campaign, splits its tokens into jobs and adds them to the
   * credentials' queue; resolves with the campaign once every job is added
   * (workers may already be sending). Tokens that are not strings are
   * stringified (and fail as `BadDeviceToken` in the worker).
   * @throws {InvalidArgumentError} / `PayloadTooLargeError`: nothing was enqueued.
   * @throws the token source's error: the jobs added so far stay; enqueue again with the same `campaignId` to finish.
   */
  async enqueue(input: EnqueueInput): Promise<Campaign> {
    this.#checkOpen();
    if (typeof input !== 'object' || input === null) throw new InvalidArgumentError('input', 'expected { credentials, notification, options, tokens }');
    checkOptionNames(input, { where: 'producer.enqueue()', known: ENQUEUE_KNOWN, hints: ENQUEUE_HINTS });
    const credentials = checkCredentialsName(input.credentials);
    const message = prepareMessage(input.notification, input.options);
    const tokens = input.tokens;
    if (tokens === null || typeof tokens !== 'object' || !(Symbol.iterator in tokens || Symbol.asyncIterator in tokens)) {
      throw new InvalidArgumentError('tokens', 'expected an array, an iterable or an async iterable of device tokens');
    }
    const tokensPerJob = checkInteger('tokensPerJob', input.tokensPerJob, 1, 100_000) ?? 1000;
    const attempts = checkInteger('attempts', input.attempts, 1, 1000) ?? 5;
    const backoff = checkDuration('jobBackoff', input.jobBackoff, 0, 86_400_000) ?? 5000;
    // Milliseconds, like every duration; Redis (EXPIRE) and BullMQ (`age`) take seconds.
    const retention = Math.ceil((checkDuration('retention', input.retention, 60_000, 10 * 365 * DAY) ?? 7 * DAY) / 1000);
    const priority = checkInteger('jobPriority', input.jobPriority, 1, 2_097_152);
    const campaignId = input.campaignId === undefined ? randomUUID() : checkCampaignId(input.campaignId);

    const keys = this.#keys.campaign(campaignId);
    await this.#redis
      .multi()
      .hsetnx(keys.meta, 'createdAt', Date.now())
      .hset(keys.meta, { credentials, topic: message.options.topic, tokensPerJob, retention })
      .exec();
    const queue = this.#queue(credentials);
    const jobOptions = (part: number): JobsOptions => ({
      jobId: jobId(campaignId, part),
      attempts,
      backoff: { type: 'exponential', delay: backoff },
      // The campaign's own keys keep every outcome: a finished job's data (its tokens) can go.
      removeOnComplete: true,
      removeOnFail: { age: retention },
      ...(priority === undefined ? {} : { priority }),
    });
    let part = 0;
    let total = 0;
    let chunk: string[] = [];
    let batch: Array<{ name: string; data: JobData; opts: JobsOptions }> = [];
    const seal = (): void => {
      batch.push({ name: 'send', data: { v: 1, campaignId, part, credentials, ...message, tokens: chunk }, opts: jobOptions(part) });
      part++;
      chunk = [];
    };
    for await (const token of tokens as AsyncIterable<unknown>) {
      chunk.push(typeof token === 'string' ? token : String(token));
      total++;
      if (chunk.length < tokensPerJob) continue;
      seal();
      if (batch.length >= ADD_BATCH) {
        await queue.addBulk(batch);
        batch = [];
      }
    }
    if (chunk.length > 0) seal();
    if (batch.length > 0) await queue.addBulk(batch);
    await setCampaignTotal(this.#redis, keys, total, part);
    return new Campaign(this.#host, campaignId, credentials);
  }

  /**
   * A handle on a campaign enqueued earlier (by this or another process).
   * Nothing is read until it is used.
   * @throws {InvalidArgumentError} a malformed id or credentials name.
   */
  campaign(id: string, credentials: string): Campaign {
    this.#checkOpen();
    return new Campaign(this.#host, checkCampaignId(id, 'id'), checkCredentialsName(credentials));
  }

  /**
   * The stream keys, for apps that read them with their own consumer groups
   * (`XREADGROUP`): `unregistered` (410s) and `failures` (other final
   * outcomes that are not `sent`).
   */
  get streams(): { readonly unregistered: string; readonly failures: string } {
    return { unregistered: this.#keys.unregistered, failures: this.#keys.failures };
  }

  /**
   * One page of the `unregistered` stream (410s of every campaign), oldest
   * first, after `after`. Pass the page's `next` to read on.
   * @example
   * ```ts
   * let after = await loadCursor();
   * for (;;) {
   *   const page = await producer.readUnregistered({ after });
   *   if (page.entries.length === 0) break;
   *   for (const e of page.entries) await forget(e.token, e.timestamp);
   *   after = page.next;
   * }
   * ```
   */
  async readUnregistered(options: StreamReadOptions = {}): Promise<StreamPage<UnregisteredEntry>> {
    this.#checkOpen();
    return readPage(this.#redis, this.#keys.unregistered, streamOptions(options), unregisteredEntry);
  }

  /** One page of the `failures` stream (rejections other than 410, not-sent and unknown outcomes), like {@link readUnregistered}. */
  async readFailures(options: StreamReadOptions = {}): Promise<StreamPage<FailureEntry>> {
    this.#checkOpen();
    return readPage(this.#redis, this.#keys.failures, streamOptions(options), failureEntry);
  }

  /** Closes the producer's connections (campaigns go on in the workers). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      [...this.#events.values()].map(async ({ events, connection }) => {
        await (await events.catch(() => undefined))?.close().catch(() => undefined);
        await closeRedis(connection);
      }),
    );
    await Promise.all([...this.#queues.values()].map((q) => q.close().catch(() => undefined)));
    await closeRedis(this.#redis);
  }

  #checkOpen(): void {
    if (this.#closed) throw new InvalidArgumentError('producer', 'is closed');
  }

  #queue(credentials: string): Queue {
    let queue = this.#queues.get(credentials);
    if (queue === undefined) {
      queue = new Queue(queueName(credentials), { connection: this.#redis, prefix: this.#keys.prefix });
      queue.on('error', () => undefined);
      this.#queues.set(credentials, queue);
    }
    return queue;
  }

  /** One `QueueEvents` per credentials name, shared by every campaign handle of this producer. */
  #queueEvents(credentials: string): Promise<QueueEvents> {
    let entry = this.#events.get(credentials);
    if (entry === undefined) {
      const connection = openRedis(this.#redisConnection, 'pushwire-producer-events');
      const created = new QueueEvents(queueName(credentials), { connection, prefix: this.#keys.prefix });
      created.on('error', () => undefined);
      created.setMaxListeners(0);
      entry = { events: created.waitUntilReady().then(() => created), connection };
      this.#events.set(credentials, entry);
    }
    return entry.events;
  }
}

const STREAM_ID = /^\d+(-\d+)?$/;

/** Checked stream read options with defaults. */
function streamOptions(options: StreamReadOptions): { after: string; count: number } {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'expected { after?, count? }');
  checkOptionNames(options, { where: 'a stream read (`readUnregistered()` / `readFailures()`)', known: STREAM_READ_KNOWN });
  const after = options.after ?? '0';
  if (typeof after !== 'string' || !STREAM_ID.test(after)) throw new InvalidArgumentError('after', `expected a stream id such as '1700000000000-0', got ${describeValue(after)}`);
  return { after, count: checkInteger('count', options.count, 1, 100_000) ?? 1000 };
}
