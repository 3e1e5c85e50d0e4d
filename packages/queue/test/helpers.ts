/**
 * Fixtures of the queue tests: a real Redis (started by @pushwire/test-servers),
 * the mock APNs server, and producers and workers pointed at both.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { MockApnsServer } from '@pushwire/mock-server';
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

/** A worker for `mock` under credentials name `name`, with fast stall detection for tests. */
export function workerFor(url: string, mock: MockApnsServer, options: Partial<WorkerOptions> & { name?: string; entry?: Partial<CredentialsConfig> } = {}): CampaignWorker {
  const { name = 'main', entry = {}, ...rest } = options;
  const worker = new CampaignWorker({
    connection: url,
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
  return new CampaignProducer({ connection: url });
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
