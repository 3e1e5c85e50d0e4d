/**
 * Fixtures of the queue tests: a real Redis (started by @pushwire/test-servers),
 * the mock APNs server, and producers and workers pointed at both.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll } from '@jest/globals';
import { Redis } from 'ioredis';
import { MockApnsServer } from '@pushwire/mock-server';
import { startRedis, type RedisOptions, type RedisServer } from '@pushwire/test-servers';
import { CampaignProducer, CampaignWorker, type CredentialsConfig, type WorkerOptions } from '../src/index.js';

export const TOPIC = 'com.example.app';
/** Installing redis-server on a fresh machine takes a while; starting it, well under a second. */
export const START_TIMEOUT = 180_000;

/** `n` distinct well-formed 32-byte tokens, deterministic per `seed`. */
export function makeTokens(n: number, seed: string): string[] {
  const prefix = createHash('sha256').update(seed).digest('hex').slice(0, 16);
  return Array.from({ length: n }, (_, i) => prefix + i.toString(16).padStart(48, '0'));
}

/** The registry entry for the mock: its origin, CA and test signing key. */
export function mockCredentials(mock: MockApnsServer, extra: Partial<CredentialsConfig> = {}): CredentialsConfig {
  const { keyId, teamId, key } = mock.signingKey;
  return { origin: mock.origin, auth: { token: { keyId, teamId, key } }, ca: mock.ca, ...extra } as CredentialsConfig;
}

/** Closes what a test opened, in reverse order, whatever happens. */
export class Closer {
  readonly #items: Array<() => Promise<unknown>> = [];

  add<T extends { close(): Promise<unknown> }>(item: T): T {
    this.#items.push(() => item.close());
    return item;
  }

  redis(url: string): Redis {
    const client = new Redis(url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    this.#items.push(async () => client.disconnect());
    return client;
  }

  async closeAll(): Promise<void> {
    for (const close of this.#items.splice(0).reverse()) await close().catch(() => undefined);
  }
}

/** What {@link queueFixture} starts, each field set once its `beforeAll` has run. */
export interface QueueFixture {
  /** A real Redis, for this describe block alone. */
  redis: RedisServer;
  /** The mock APNs (token auth). */
  mock: MockApnsServer;
  /** A connection to {@link redis} for the test's own reads and writes. */
  db: Redis;
  /** Closed in `afterAll`, before the servers stop: what the tests add outlives each test. */
  readonly closer: Closer;
}

/** What differs between the queue suites' fixtures. */
export interface QueueFixtureOptions {
  /** How Redis is started (`appendOnly` to survive a restart). */
  redis?: RedisOptions;
  /** `false`: no mock APNs (suites that never send). @default true */
  mock?: boolean;
  /** Runs first in `beforeAll`, before anything starts (e.g. building what child processes load). */
  setup?: () => void | Promise<void>;
  /** Runs first in `afterAll`, before anything closes (e.g. killing child processes). */
  teardown?: () => void | Promise<void>;
}

/**
 * The queue suites' fixture: registers, in the calling describe block, a
 * `beforeAll` that starts a real Redis (@pushwire/test-servers) and the mock
 * APNs and opens {@link QueueFixture.db}, and an `afterAll` that closes
 * everything added to {@link QueueFixture.closer}, then stops the mock and
 * Redis. Call it at the top of a describe block; read the fields in tests.
 */
export function queueFixture(options: QueueFixtureOptions & { mock: false }): Omit<QueueFixture, 'mock'>;
export function queueFixture(options?: QueueFixtureOptions): QueueFixture;
export function queueFixture(options: QueueFixtureOptions = {}): QueueFixture {
  const fixture = { closer: new Closer() } as QueueFixture;
  beforeAll(async () => {
    await options.setup?.();
    fixture.redis = await startRedis(options.redis);
    if (options.mock !== false) fixture.mock = await MockApnsServer.start({ auth: 'token' });
    fixture.db = fixture.closer.redis(fixture.redis.url);
  }, START_TIMEOUT);
  afterAll(async () => {
    await options.teardown?.();
    await fixture.closer.closeAll();
    await fixture.mock?.stop();
    await fixture.redis.stop();
  });
  return fixture;
}

/** A worker for `mock` under credentials name `name`, with fast stall detection for tests. */
export function workerFor(url: string, mock: MockApnsServer, options: Partial<WorkerOptions> & { name?: string; entry?: Partial<CredentialsConfig> } = {}): CampaignWorker {
  const { name = 'main', entry = {}, ...rest } = options;
  const worker = new CampaignWorker({
    redis: url,
    credentials: { [name]: mockCredentials(mock, entry) },
    lockDuration: 2000,
    stalledInterval: 500,
    ...rest,
  });
  worker.on('error', () => undefined);
  return worker;
}

/** A producer on `url`. */
export function producerFor(url: string): CampaignProducer {
  return new CampaignProducer({ redis: url });
}

/** Resolves when `emitter` emits `event` with arguments `accept` likes. */
export function nextEvent<A extends unknown[]>(emitter: NodeJS.EventEmitter, event: string, accept: (...args: A) => boolean = () => true): Promise<A> {
  return new Promise((resolve) => {
    const listener = (...args: unknown[]): void => {
      if (!accept(...(args as A))) return;
      emitter.off(event, listener);
      resolve(args as A);
    };
    emitter.on(event, listener);
  });
}

/** Per-token count of 200 answers the mock gave. */
export function acceptedByToken(mock: MockApnsServer): Map<string, number> {
  return tally(mock).accepted;
}

/**
 * What the mock saw per token: how many requests it answered 200, and the
 * distinct (apns-id, collapse id) pairs the requests carried.
 */
export function tally(mock: MockApnsServer): { accepted: Map<string, number>; ids: Map<string, Set<string>> } {
  const accepted = new Map<string, number>();
  const ids = new Map<string, Set<string>>();
  for (const request of mock.requests) {
    if (request.token === undefined) continue;
    if (request.status === 200) accepted.set(request.token, (accepted.get(request.token) ?? 0) + 1);
    const seen = ids.get(request.token) ?? new Set<string>();
    seen.add(`${request.headers['apns-id']} ${request.headers['apns-collapse-id']}`);
    ids.set(request.token, seen);
  }
  return { accepted, ids };
}

/**
 * Waits until `check()` holds, polling: for a worker's own bookkeeping (its
 * job's 'completed' lands a moment after the campaign's counts in Redis).
 * The bound is a safety net against a hang, not a timing assertion.
 */
export async function until(check: () => boolean, what: string, bound = 10_000): Promise<void> {
  const end = Date.now() + bound;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
