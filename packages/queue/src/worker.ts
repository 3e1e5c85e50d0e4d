/**
 * `CampaignWorker`: consumes campaign jobs, one BullMQ worker per
 * credentials name of the app's registry, each job sent with `sendMany`
 * through a `Client` made from that registry entry (keys stay in the
 * worker's own configuration; Redis only ever holds the signed JWT).
 */
import { EventEmitter } from 'node:events';
import { Worker as BullWorker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { Server, type Client, type ServerSpec } from '@pushwire/api';
import { InvalidArgumentError, checkOptionNames } from '@pushwire/models';
import { REDIS_RENAMED, checkRedis, closeRedis, openRedis, type RedisConnection } from './connection.js';
import { JobLockLost, RetryLater } from './errors.js';
import { finalizePart } from './finalize.js';
import { runAttempt, type AttemptSummary, type RunTuning } from './job-run.js';
import { checkCredentialsName, Keys, queueName } from './keys.js';
import type { JobData } from './message.js';
import { RedisTokenStore } from './token-store.js';
import { checkDuration, checkInteger } from './validate.js';

/** BullMQ's limiter: at most `max` jobs start per `duration` ms, across every worker of the queue. */
export interface RateLimit {
  readonly max: number;
  readonly duration: number;
}

/**
 * One entry of the credentials registry: the API's `ServerSpec` (where, and
 * with which key or certificate; plus client options) and how this name's
 * jobs are consumed.
 */
export type CredentialsConfig = ServerSpec & {
  /**
   * Global rate limit of this name's queue (BullMQ's limiter, kept in Redis,
   * so it holds across all workers): at most `max` jobs start per `duration`
   * ms. Tokens per second ≈ `max × tokensPerJob × 1000 / duration`.
   */
  limiter?: RateLimit;
  /** Jobs of this name one worker runs at once (BullMQ's per-worker `concurrency`). @default the worker's `jobConcurrency` */
  jobConcurrency?: number;
  /**
   * Token auth only: share one provider token with every other worker
   * through Redis ({@link RedisTokenStore}). Ignored when `auth.token.store`
   * is set.
   * @default true
   */
  shareToken?: boolean;
};

/** Options of {@link CampaignWorker}. */
export interface WorkerOptions {
  /** The Redis server: a `redis://` / `rediss://` URL or ioredis options. */
  redis: RedisConnection;
  /** Key prefix; producers and workers of one deployment use the same. @default 'pushwire' */
  prefix?: string;
  /**
   * The credentials this worker can send with, by name (the name a campaign
   * is enqueued with). The worker consumes the queues of these names only.
   */
  credentials: Readonly<Record<string, CredentialsConfig>>;
  /**
   * The most tokens of one job in flight at once (sent, unanswered): each
   * job's `sendMany` `concurrency` (the api's `BulkOptions.concurrency`).
   * What a crash can leave unanswered, per job in progress.
   * Not the number of jobs at once: that is `jobConcurrency`.
   * @default 1000
   */
  concurrency?: number;
  /**
   * Jobs one worker runs at once per credentials name (BullMQ's
   * per-worker `concurrency`, under a name that does not clash with the
   * tokens in flight). A registry entry's `jobConcurrency` overrides it.
   * @default 2
   */
  jobConcurrency?: number;
  /**
   * Tokens claimed (marked as "may have been written") per Redis call before
   * they are sent. Smaller: fewer tokens flagged as possible duplicates after
   * a crash; larger: fewer Redis calls. @default 250
   */
  claimStep?: number;
  /** Outcomes written to Redis per call. @default 500 */
  batchSize?: number;
  /** Milliseconds an outcome waits for its batch to fill before it is written anyway. @default 20 */
  flushInterval?: number;
  /** Approximate bound of the `unregistered` and `failures` streams (`XADD MAXLEN ~`). @default 1000000 */
  maxStreamLength?: number;
  /**
   * Milliseconds a job's lock lasts without renewal (BullMQ's `lockDuration`):
   * how long a dead worker's job waits before another worker takes it over.
   * @default 30000
   */
  lockDuration?: number;
  /** Milliseconds between checks for stalled jobs (BullMQ's `stalledInterval`). @default 30000 */
  stalledInterval?: number;
  /** Times a job may stall (its worker died) before it fails for good. @default 10 */
  maxStalledCount?: number;
  /** Milliseconds between progress updates of a job. @default 1000 */
  progressInterval?: number;
}

/** What one job attempt did, as reported by the `'completed'` event. */
export interface JobReport extends AttemptSummary {
  readonly jobId: string;
  readonly campaignId: string;
  readonly part: number;
  readonly credentials: string;
}

/** A job attempt's outcomes so far, as reported by the `'recorded'` event after each batch written to Redis. */
export interface RecordedReport {
  readonly jobId: string;
  readonly campaignId: string;
  readonly part: number;
  /** Outcomes this attempt has written so far. */
  readonly written: number;
}

/** Counters of a worker since it started. */
export interface WorkerStats {
  /** Job attempts that completed. */
  readonly completed: number;
  /** Job attempts that failed (retried or not). */
  readonly failed: number;
  /** Tokens sent (resent ones included). */
  readonly attempted: number;
  /** Tokens resent after another attempt died with them in flight. */
  readonly resent: number;
}

/**
 * What consumes the queue of one credentials name in this worker: the
 * name, the `Server` made from its registry entry, the BullMQ worker on its
 * queue (`send-<name>`), and the `Client` made on its first job.
 */
interface CredentialsConsumer {
  readonly name: string;
  readonly server: Server;
  readonly worker: BullWorker<JobData, AttemptSummary>;
  client: Promise<Client> | undefined;
}

/**
 * Consumes campaign jobs. Emits `'active'` ({@link RecordedReport} with
 * `written: 0`) when a job attempt starts, `'recorded'`
 * ({@link RecordedReport}) after each batch of outcomes is written,
 * `'completed'` ({@link JobReport}) per job attempt that finished,
 * `'failed'` (`jobId`, `Error`, `final`) per attempt that threw, and `'error'` for Redis and BullMQ errors (e.g. while Redis is
 * down; the worker reconnects by itself, and nothing is emitted when nobody
 * listens).
 *
 * @example
 * ```ts
 * const worker = new CampaignWorker({
 *   redis: process.env.REDIS_URL!,
 *   credentials: { main: { environment: 'production', auth: { token: { keyId, teamId, key: p8 } } } },
 *   jobConcurrency: 2, // jobs at once
 *   concurrency: 1000, // tokens of one job in flight
 * });
 * worker.on('error', (e) => log.warn(e.message));
 * process.on('SIGTERM', () => void worker.close());
 * ```
 * @throws {InvalidArgumentError} bad options or a bad registry entry (checked before anything connects).
 */
export class CampaignWorker extends EventEmitter {
  /** The credentials names this worker consumes. */
  readonly credentials: readonly string[];
  readonly #keys: Keys;
  readonly #redis: Redis;
  readonly #bullConnection: Redis;
  readonly #consumers: CredentialsConsumer[] = [];
  readonly #tuning: RunTuning;
  readonly #running = new Map<string, AbortController>();
  #stats = { completed: 0, failed: 0, attempted: 0, resent: 0 };
  #closing: Promise<void> | undefined;

  constructor(options: WorkerOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'expected { redis, credentials }');
    checkOptionNames(options, { where: 'new CampaignWorker()', known: WORKER_KNOWN, hints: WORKER_HINTS });
    const redis = checkRedis(options.redis);
    this.#keys = new Keys(options.prefix);
    const registry = options.credentials;
    if (typeof registry !== 'object' || registry === null || Object.keys(registry).length === 0) {
      throw new InvalidArgumentError('credentials', 'expected at least one entry: { <name>: { environment | origin, auth, ... } }');
    }
    const jobConcurrency = checkInteger('jobConcurrency', options.jobConcurrency, 1, 1000) ?? 2;
    this.#tuning = {
      concurrency: checkInteger('concurrency', options.concurrency, 1, 100_000) ?? 1000,
      claimStep: checkInteger('claimStep', options.claimStep, 1, 1_000_000) ?? 250,
      batchSize: checkInteger('batchSize', options.batchSize, 1, 100_000) ?? 500,
      flushInterval: checkDuration('flushInterval', options.flushInterval, 0, 60_000, false) ?? 20,
      maxStreamLength: checkInteger('maxStreamLength', options.maxStreamLength, 1) ?? 1_000_000,
      progressInterval: checkDuration('progressInterval', options.progressInterval, 0, 3_600_000) ?? 1000,
    };
    const lockDuration = checkDuration('lockDuration', options.lockDuration, 1000, 3_600_000) ?? 30_000;
    const stalledInterval = checkDuration('stalledInterval', options.stalledInterval, 100, 3_600_000) ?? 30_000;
    const maxStalledCount = checkInteger('maxStalledCount', options.maxStalledCount, 0, 1_000_000) ?? 10;

    // Check every entry (and build its Server) before opening any connection.
    const entries = Object.entries(registry).map(([name, config]) => {
      checkCredentialsName(name, 'credentials');
      if (typeof config !== 'object' || config === null) throw new InvalidArgumentError(`credentials.${name}`, 'expected { environment | origin, auth, ... }');
      // The entry's own names; the rest is a ServerSpec, whose names `Server.from` checks.
      for (const [old, hint] of Object.entries(ENTRY_HINTS)) {
        if ((config as unknown as Record<string, unknown>)[old] !== undefined) throw new InvalidArgumentError(`credentials.${name}.${old}`, `is not an option of a credentials entry: ${hint}`);
      }
      const { limiter, jobConcurrency: own, shareToken, ...spec } = config;
      checkLimiter(`credentials.${name}.limiter`, limiter);
      checkInteger(`credentials.${name}.jobConcurrency`, own, 1, 1000);
      if (shareToken !== undefined && typeof shareToken !== 'boolean') throw new InvalidArgumentError(`credentials.${name}.shareToken`, 'expected a boolean');
      return { name, spec: spec as ServerSpec, limiter, jobConcurrency: own ?? jobConcurrency, shareToken: shareToken ?? true };
    });
    // Servers are made once Redis exists (the token store needs it); they validate the credentials now.
    this.#redis = openRedis(redis, 'pushwire-worker');
    this.#bullConnection = openRedis(redis, 'pushwire-worker-bullmq');
    try {
      for (const entry of entries) {
        const server = Server.from(this.#withStore(entry.spec, entry.shareToken));
        const worker = new BullWorker<JobData, AttemptSummary>(queueName(entry.name), (job, token, signal) => this.#process(consumer, job, token, signal), {
          connection: this.#bullConnection,
          prefix: this.#keys.prefix,
          concurrency: entry.jobConcurrency,
          lockDuration,
          stalledInterval,
          maxStalledCount,
          ...(entry.limiter === undefined ? {} : { limiter: { max: entry.limiter.max, duration: entry.limiter.duration } }),
        });
        const consumer: CredentialsConsumer = { name: entry.name, server, worker, client: undefined };
        worker.on('error', (error) => this.#emitError(error));
        worker.on('lockRenewalFailed', (jobIds: string[]) => {
          for (const id of jobIds) this.#running.get(id)?.abort('lock');
        });
        this.#consumers.push(consumer);
      }
    } catch (error) {
      for (const consumer of this.#consumers) void consumer.worker.close(true);
      this.#redis.disconnect();
      this.#bullConnection.disconnect();
      throw error;
    }
    this.credentials = Object.freeze(entries.map((e) => e.name));
  }

  /** A job attempt started: `{ jobId, campaignId, part, written: 0 }`. */
  override on(event: 'active', listener: (report: RecordedReport) => void): this;
  /** A batch of this attempt's outcomes was written to Redis (`written`: how many so far). */
  override on(event: 'recorded', listener: (report: RecordedReport) => void): this;
  /** A job attempt finished: what it sent, resent and skipped. */
  override on(event: 'completed', listener: (report: JobReport) => void): this;
  /** A job attempt threw (`final`: it was the job's last attempt); e.g. `RetryLater`, `JobLockLost`, `JobInterrupted`. */
  override on(event: 'failed', listener: (jobId: string, error: Error, final: boolean) => void): this;
  /** Redis or BullMQ failed (the worker reconnects by itself); with no listener, nothing is emitted. */
  override on(event: 'error', listener: (error: Error) => void): this;
  /** Any other event of `EventEmitter` (`'newListener'`, ...). */
  override on(event: string | symbol, listener: (...args: never[]) => void): this;
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  /** Resolves once every queue's worker is connected and waiting for jobs. */
  async waitUntilReady(): Promise<void> {
    await Promise.all(this.#consumers.map((consumer) => consumer.worker.waitUntilReady()));
  }

  /** Counters since the worker started. */
  stats(): WorkerStats {
    return { ...this.#stats };
  }

  /**
   * Stops taking jobs and closes everything. Graceful by default: jobs in
   * progress finish first. `force: true` stops at once; their unanswered
   * tokens are resent (flagged) by whichever worker takes the jobs over.
   */
  close(options: { force?: boolean } = {}): Promise<void> {
    this.#closing ??= (async () => {
      const force = options.force === true;
      if (force) for (const controller of this.#running.values()) controller.abort('close');
      await Promise.all(this.#consumers.map((consumer) => consumer.worker.close(force).catch(() => undefined)));
      await Promise.all(
        this.#consumers.map(async (consumer) => {
          const client = await consumer.client?.catch(() => undefined);
          await client?.close({ force });
        }),
      );
      await closeRedis(this.#bullConnection);
      await closeRedis(this.#redis);
    })();
    return this.#closing;
  }

  /** The spec with the Redis token store in its token auth, unless sharing is off or a store is set. */
  #withStore(spec: ServerSpec, share: boolean): ServerSpec {
    const auth = (spec as { auth?: unknown }).auth;
    if (!share || typeof auth !== 'object' || auth === null || !('token' in auth)) return spec;
    const token = (auth as { token: unknown }).token;
    if (typeof token !== 'object' || token === null || 'store' in token) return spec;
    const { keyId, teamId } = token as { keyId: string; teamId: string };
    const store = new RedisTokenStore(this.#redis, { keyId, teamId, prefix: this.#keys.prefix });
    return { ...spec, auth: { token: { ...(token as { keyId: string; teamId: string; key: string }), store } } };
  }

  /** The consumer's client, made on first use and again after a fatal failure closed it. */
  async #client(consumer: CredentialsConsumer): Promise<Client> {
    if (consumer.client !== undefined) {
      const client = await consumer.client.catch(() => undefined);
      if (client !== undefined && !client.closed) return client;
    }
    // The queue records 410s in its stream: no in-memory feed.
    consumer.client = consumer.server.createClient({ feedbackBuffer: 0 });
    return consumer.client;
  }

  async #process(consumer: CredentialsConsumer, job: Job<JobData, AttemptSummary>, token: string | undefined, signal: AbortSignal | undefined): Promise<AttemptSummary> {
    const jobId = job.id ?? '';
    const controller = new AbortController();
    const forward = (): void => controller.abort();
    signal?.addEventListener('abort', forward, { once: true });
    this.#running.set(jobId, controller);
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const about = { jobId, campaignId: job.data.campaignId, part: job.data.part };
    this.emit('active', { ...about, written: 0 } satisfies RecordedReport);
    try {
      const summary = await runAttempt({
        job,
        lockToken: token ?? '',
        redis: this.#redis,
        keys: this.#keys,
        client: await this.#client(consumer),
        final,
        tuning: this.#tuning,
        signal: controller.signal,
        onRecorded: (written) => this.emit('recorded', { ...about, written } satisfies RecordedReport),
      });
      this.#stats.completed++;
      this.#stats.attempted += summary.attempted;
      this.#stats.resent += summary.resent;
      const report: JobReport = { ...summary, ...about, credentials: consumer.name };
      this.emit('completed', report);
      return summary;
    } catch (error) {
      this.#stats.failed++;
      // A lost lock is not a failure of the job: its new owner carries on.
      if (final && !(error instanceof JobLockLost) && !(error instanceof RetryLater)) {
        await finalizePart(this.#redis, this.#keys, job.data, 'JobFailed', this.#tuning.maxStreamLength).catch((e: unknown) => this.#emitError(e));
      }
      this.emit('failed', jobId, error, final);
      throw error;
    } finally {
      signal?.removeEventListener('abort', forward);
      this.#running.delete(jobId);
    }
  }

  #emitError(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }
}

/** The names `new CampaignWorker()` takes (the type makes the list complete). */
const WORKER_KNOWN = Object.keys({
  redis: true, prefix: true, credentials: true, concurrency: true, jobConcurrency: true, claimStep: true, batchSize: true, flushInterval: true,
  maxStreamLength: true, lockDuration: true, stalledInterval: true, maxStalledCount: true, progressInterval: true,
} satisfies Record<keyof WorkerOptions, true>);
/** Refused with where they belong, on top of models' table of peers' and renamed names. */
const WORKER_HINTS: Readonly<Record<string, string>> = {
  connection: REDIS_RENAMED,
  window: 'renamed to `concurrency` (tokens of one job in flight, as `sendMany` names it); jobs at once are `jobConcurrency`',
  limiter: 'a credentials entry option: `credentials: { <name>: { ..., limiter } }`',
  shareToken: 'a credentials entry option: `credentials: { <name>: { ..., shareToken } }`',
  auth: 'credentials go in the registry: `credentials: { <name>: { environment, auth } }`',
};
/** Names a credentials entry refuses before its ServerSpec reaches `Server.from`. */
const ENTRY_HINTS: Readonly<Record<string, string>> = {
  concurrency: 'jobs of this name at once are `jobConcurrency`; tokens in flight are the worker\'s `concurrency`',
  window: 'tokens in flight are the worker\'s `concurrency` (renamed from `window`)',
};
const LIMITER_KNOWN = Object.keys({ max: true, duration: true } satisfies Record<keyof RateLimit, true>);

function checkLimiter(field: string, limiter: unknown): void {
  if (limiter === undefined) return;
  if (typeof limiter !== 'object' || limiter === null) throw new InvalidArgumentError(field, 'expected { max, duration }');
  checkOptionNames(limiter, { where: 'the `limiter` option', known: LIMITER_KNOWN, prefix: `${field}.` });
  const { max, duration } = limiter as Partial<RateLimit>;
  checkInteger(`${field}.max`, max, 1, 1_000_000_000);
  checkDuration(`${field}.duration`, duration, 1, 86_400_000);
  if (max === undefined || duration === undefined) throw new InvalidArgumentError(field, 'expected both `max` (jobs) and `duration` (ms)');
}
