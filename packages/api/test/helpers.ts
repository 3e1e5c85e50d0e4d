/** Shared fixtures: a real mock APNs server and clients connected to it. */
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MockApnsServer } from '@pushwire/mock-server';
import { Server, Timeout, type Auth, type Client, type ClientOptions, type ServerOptions } from '../src/index.js';

export const TOPIC = 'com.example.app';

/** A fresh, well-formed 32-byte device token. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** `n` fresh tokens, registered on `server` when given. */
export function tokens(n: number): string[] {
  return Array.from({ length: n }, newToken);
}

/** Starts a token-auth mock server (devices accepted unless unregistered). */
export function startTokenServer(): Promise<MockApnsServer> {
  return MockApnsServer.start({ auth: 'token' });
}

/** Token credentials the mock server trusts. */
export function tokenAuth(server: MockApnsServer): Auth {
  const { keyId, teamId, key } = server.signingKey;
  return { token: { keyId, teamId, key } };
}

/** A `Server` pointing at the mock, trusting its CA. */
export function serverFor(mock: MockApnsServer, auth: Auth = tokenAuth(mock), options: Omit<ServerOptions, 'port' | 'ca'> = {}): Server {
  return Server.custom(mock.origin, auth, { ...options, ca: mock.ca });
}

/**
 * A client of the mock whose connection is already up: one warm-up push has
 * been answered. A short `timeout` then measures round trips, not a TLS
 * handshake and JWT signing on a busy 2-core CI machine (which can take
 * longer than the deadline on its own). A warm-up that times out is tried
 * again; the warm-up token is fresh, so no test's token counts change.
 */
export async function warmClient(mock: MockApnsServer, options: ClientOptions = {}): Promise<Client> {
  const client = await serverFor(mock).createClient(options);
  const token = newToken();
  mock.registerDevice(token);
  for (let attempt = 1; ; attempt++) {
    try {
      await client.sendNotification(token, { alert: 'warm-up' }, { topic: TOPIC });
      return client;
    } catch (error) {
      if (!(error instanceof Timeout) || attempt === 5) throw error;
    }
  }
}

/** Makes the mock answer requests for `tokens` only after `ms` (a slow APNs). */
export function delayTokens(mock: MockApnsServer, tokens: readonly string[], ms: number): void {
  for (const token of tokens) mock.inject({ kind: 'delay', ms, token });
}

/** Requests the mock received for `token` (answered or not). */
export function requestsFor(mock: MockApnsServer, token: string): number {
  return mock.requests.filter((r) => r.token === token).length;
}

let collect: (() => void) | undefined;

/**
 * The live heap: `heapUsed` right after a real collector call, so a sample
 * measures what is retained, not garbage that happens not to have been
 * collected yet. The first call exposes `gc` (in a fresh context only).
 */
export function liveHeap(): number {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  return process.memoryUsage().heapUsed;
}

/**
 * A token source for `sendMany` that samples the live heap as it goes, for
 * the flat-memory tests. It counts tokens pulled and outcomes delivered
 * (pass {@link onResult} as `onResult`), and before token `i` with
 * `i % every === offset` waits until nothing is in flight, then samples:
 * up to `concurrency` live streams (and the mock's side of them) weigh a
 * few MB that come and go with timing, which would hide or fake a leak.
 */
export class HeapSampler {
  /** Live heap at each sampling point, in order. */
  readonly samples: number[] = [];
  /** Tokens pulled from {@link tokens} so far. */
  pulled = 0;
  /** Outcomes counted by {@link onResult} so far. */
  results = 0;
  /** The most tokens pulled ahead of their outcomes at any pull. */
  maxAhead = 0;
  readonly #every: number;
  readonly #offset: number;

  constructor(every: number, offset: number) {
    this.#every = every;
    this.#offset = offset;
  }

  /** For `sendMany`'s `onResult`: one outcome delivered. */
  readonly onResult = (): void => void this.results++;

  /** `tokenFor(0)` ... `tokenFor(n - 1)`, sampling at every `every`th token from `offset` on. */
  async *tokens(n: number, tokenFor: (i: number) => string): AsyncGenerator<string> {
    for (let i = 0; i < n; i++) {
      if (i % this.#every === this.#offset) await this.#sampleWhenIdle();
      this.pulled++;
      this.maxAhead = Math.max(this.maxAhead, this.pulled - this.results);
      yield tokenFor(i);
    }
  }

  async #sampleWhenIdle(): Promise<void> {
    while (this.results < this.pulled) await new Promise((resolve) => setImmediate(resolve));
    for (let k = 0; k < 3; k++) await new Promise((resolve) => setImmediate(resolve));
    this.samples.push(liveHeap());
  }
}
