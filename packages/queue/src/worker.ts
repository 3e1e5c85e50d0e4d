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
import { InvalidArgumentError } from '@pushwire/models';
import { checkConnection, closeRedis, openRedis, type RedisConnection } from './connection.js';
import { JobLockLost, RetryLater } from './errors.js';
import { finalizePart } from './finalize.js';
import { runAttempt, type AttemptSummary, type RunTuning } from './job-run.js';
import { checkCredentialsName, Keys, queueName } from './keys.js';
import type { JobData } from './message.js';
import { RedisTokenStore } from './token-store.js';
import { checkInteger } from './validate.js';

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
  /** Jobs of this name one worker runs at once. @default the worker's `concurrency` */
  concurrency?: number;
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
  /** Redis: a `redis://` URL or ioredis options. */
  connection: RedisConnection;
  /** Key prefix; producers and workers of one deployment use the same. @default 'pushwire' */
  prefix?: string;
  /**
   * The credentials this worker can send with, by name (the name a campaign
   * is enqueued with). The worker consumes the queues of these names only.
   */
  credentials: Readonly<Record<string, CredentialsConfig>>;
  /** Jobs one worker runs at once per credentials name. @default 2 */
  concurrency?: number;
  /** `sendMany`'s window: most tokens of one job in flight. @default 1000 */
  window?: number;
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

interface Lane {
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
 *   connection: process.env.REDIS_URL!,
 *   credentials: { main: { environment: 'production', auth: { token: { keyId, teamId, key: p8 } } } },
 *   concurrency: 2,
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
  readonly #lanes: Lane[] = [];
  readonly #tuning: RunTuning;
  readonly #running = new Map<string, AbortController>();
  #stats = { completed: 0, failed: 0, attempted: 0, resent: 0 };
  #closing: Promise<void> | undefined;

  constructor(options: WorkerOptions) {
    super();
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'expected { connection, credentials }');
    const connection = checkConnection(options.connection);
    this.#keys = new Keys(options.prefix);
    const registry = options.credentials;
    if (typeof registry !== 'object' || registry === null || Object.keys(registry).length === 0) {
      throw new InvalidArgumentError('credentials', 'expected at least one entry: { <name>: { environment | origin, auth, ... } }');
    }
    const concurrency = checkInteger('concurrency', options.concurrency, 1, 1000) ?? 2;
    this.#tuning = {
      window: checkInteger('window', options.window, 1, 100_000) ?? 1000,
      claimStep: checkInteger('claimStep', options.claimStep, 1, 1_000_000) ?? 250,
      batchSize: checkInteger('batchSize', options.batchSize, 1, 100_000) ?? 500,
      flushInterval: checkInteger('flushInterval', options.flushInterval, 0, 60_000) ?? 20,
      maxStreamLength: checkInteger('maxStreamLength', options.maxStreamLength, 1) ?? 1_000_000,
      progressInterval: checkInteger('progressInterval', options.progressInterval, 0, 3_600_000) ?? 1000,
    };
    const lockDuration = checkInteger('lockDuration', options.lockDuration, 1000, 3_600_000) ?? 30_000;
    const stalledInterval = checkInteger('stalledInterval', options.stalledInterval, 100, 3_600_000) ?? 30_000;
    const maxStalledCount = checkInteger('maxStalledCount', options.maxStalledCount, 0, 1_000_000) ?? 10;

    // Check every entry (and build its Server) before opening any connection.
    const entries = Object.entries(registry).map(([name, config]) => {
      checkCredentialsName(name, 'credentials');
      if (typeof config !== 'object' || config === null) throw new InvalidArgumentError(`credentials.${name}`, 'expected { environment | origin, auth, ... }');
      const { limiter, concurrency: own, shareToken, ...spec } = config;
      checkLimiter(`credentials.${name}.limiter`, limiter);
      checkInteger(`credentials.${name}.concurrency`, own, 1, 1000);
      if (shareToken !== undefined && typeof shareToken !== 'boolean') throw new InvalidArgumentError(`credentials.${name}.shareToken`, 'expected a boolean');
      return { name, spec: spec as ServerSpec, limiter, concurrency: own ?? concurrency, shareToken: shareToken ?? true };
    });
    // Servers are made once Redis exists (the token store needs it); they validate the credentials now.
    this.#redis = openRedis(connection, 'pushwire-worker');
    this.#bullConnection = openRedis(connection, 'pushwire-worker-bullmq');
    try {
      for (const entry of entries) {
        const server = Server.from(this.#withStore(entry.spec, entry.shareToken));
        const worker = new BullWorker<JobData, AttemptSummary>(queueName(entry.name), (job, token, signal) => this.#process(lane, job, token, signal), {
          connection: this.#bullConnection,
          prefix: this.#keys.prefix,
          concurrency: entry.concurrency,
          lockDuration,
          stalledInterval,
          maxStalledCount,
          ...(entry.limiter === undefined ? {} : { limiter: { max: entry.limiter.max, duration: entry.limiter.duration } }),
        });
        const lane: Lane = { name: entry.name, server, worker, client: undefined };
        worker.on('error', (error) => this.#emitError(error));
        worker.on('lockRenewalFailed', (jobIds: string[]) => {
          for (const id of jobIds) this.#running.get(id)?.abort('lock');
        });
        this.#lanes.push(lane);
      }
    } catch (error) {
      for (const lane of this.#lanes) void lane.worker.close(true);
      this.#redis.disconnect();
      this.#bullConnection.disconnect();
      throw error;
    }
    this.credentials = Object.freeze(entries.map((e) => e.name));
  }

  /** Resolves once every queue's worker is connected and waiting for jobs. */
  async waitUntilReady(): Promise<void> {
    await Promise.all(this.#lanes.map((lane) => lane.worker.waitUntilReady()));
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
      await Promise.all(this.#lanes.map((lane) => lane.worker.close(force).catch(() => undefined)));
      await Promise.all(
        this.#lanes.map(async (lane) => {
          const client = await lane.client?.catch(() => undefined);
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

  /** The lane's client, made on first use and again after a fatal failure closed it. */
  async #client(lane: Lane): Promise<Client> {
    if (lane.client !== undefined) {
      const client = await lane.client.catch(() => undefined);
      if (client !== undefined && !client.closed) return client;
    }
    // The queue records 410s in its stream: no in-memory feed.
    lane.client = lane.server.createClient({ feedbackBuffer: 0 });
    return lane.client;
  }

  async #process(lane: Lane, job: Job<JobData, AttemptSummary>, token: string | undefined, signal: AbortSignal | undefined): Promise<AttemptSummary> {
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
        client: await this.#client(lane),
        final,
        tuning: this.#tuning,
        signal: controller.signal,
        onRecorded: (written) => this.emit('recorded', { ...about, written } satisfies RecordedReport),
      });
      this.#stats.completed++;
      this.#stats.attempted += summary.attempted;
      this.#stats.resent += summary.resent;
      const report: JobReport = { ...summary, ...about, credentials: lane.name };
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

function checkLimiter(field: string, limiter: unknown): void {
  if (limiter === undefined) return;
  if (typeof limiter !== 'object' || limiter === null) throw new InvalidArgumentError(field, 'expected { max, duration }');
  const { max, duration } = limiter as Partial<RateLimit>;
  checkInteger(`${field}.max`, max, 1, 1_000_000_000);
  checkInteger(`${field}.duration`, duration, 1, 86_400_000);
  if (max === undefined || duration === undefined) throw new InvalidArgumentError(field, 'expected both `max` (jobs) and `duration` (ms)');
}
