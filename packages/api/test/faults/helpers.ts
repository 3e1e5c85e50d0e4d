/**
 * The fault suite's harness: 10,000 notifications through `Client.sendMany`
 * or a raw `Pool` against a misbehaving `MockApnsServer`, and the checks
 * every fault must pass (docs/reliability.md, "Fault suite").
 */
import { expect } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { FreezableRelay, MockApnsServer, type MockServerOptions } from '@pushwire/mock-server';
import { APNSError, Pool, Request, TokenAuth, type PoolOptions, type PoolStats } from '@pushwire/pool';
import { Client, type Delivery } from '../../src/index.js';
import { TOPIC, tokens as freshTokens } from '../helpers.js';

/** Notifications per run. */
export const N = 10_000;
/** The client's and the pool's `timeout`, ms. */
export const DEADLINE = 8_000;
/** How late past its deadline an outcome may arrive on a loaded 2-core machine. */
const LATE = 1_500;
const WINDOW = 1_000;

/**
 * The two ways in: the app-facing bulk send with at-least-once delivery (so
 * duplicates are possible and must be flagged), and the raw pool with the
 * default at-most-once (so unknown outcomes must be reported, never resent).
 */
export interface Mode {
  readonly via: 'client' | 'pool';
  readonly delivery: Delivery;
}
export const MODES: readonly Mode[] = [
  { via: 'client', delivery: 'at-least-once' },
  { via: 'pool', delivery: 'at-most-once' },
];
export const modeName = (mode: Mode): string => (mode.via === 'client' ? `Client.sendMany (${mode.delivery})` : `Pool.post (${mode.delivery})`);

/** One token's outcome as the caller saw it, in the outcome model's four classes. */
export interface Outcome {
  readonly outcome: 'sent' | 'rejected' | 'not-sent' | 'unknown';
  /** Sent after an attempt that may have been processed (at-least-once). */
  readonly possibleDuplicate: boolean;
  readonly status?: number;
  readonly error?: Error;
  /** From the send (the token pulled from the source, or `post()` called) to its outcome. */
  readonly ms: number;
}

/** Tokens per outcome class. */
export interface Counts {
  sent: number;
  rejected: number;
  notSent: number;
  unknown: number;
}

export interface RunResult {
  readonly outcomes: ReadonlyMap<string, Outcome>;
  /** Tokens reported more than once. */
  readonly reportedTwice: readonly string[];
  readonly counts: Counts;
  /** Entries in `batch.errors` (client mode). */
  readonly errorGroups: number;
  readonly stats: PoolStats;
  readonly elapsed: number;
}

/** Resources that would keep the process alive after the scenario. */
const LEAKY = new Set(['TCPSocketWrap', 'TCPServerWrap', 'TLSWrap', 'Timeout', 'Http2Session', 'Immediate']);
function handles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) if (LEAKY.has(type)) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** The error's own outcome; a foreign error may have come at any point: unknown. */
function outcomeOf(error: unknown): 'not-sent' | 'unknown' {
  return error instanceof APNSError && error.outcome === 'not-sent' ? 'not-sent' : 'unknown';
}

/** A TCP relay in front of the mock that can freeze its connections (see the mock's `FreezableRelay`). */
export { FreezableRelay as StallProxy } from '@pushwire/mock-server';

/** Polls `check` every 10 ms until true, or fails naming `what`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * One scenario: a fresh token-auth production mock (recording off, per-token accepted
 * counts on), a pool with test-speed back-off and pings, and, in client mode,
 * a `Client` on that pool. The pool is built here rather than by
 * `Server.createClient()` (which has `backoff` and `ping` but not these)
 * because the suite needs a fast reconnect back-off, and a token signer on
 * the mock's clock (token expiry).
 */
export class Scenario {
  readonly mock: MockApnsServer;
  readonly mode: Mode;
  readonly pool: Pool;
  readonly client: Client | undefined;
  readonly auth: TokenAuth;
  readonly proxy: FreezableRelay | undefined;
  readonly tokens: readonly string[] = freshTokens(N);
  readonly #baseline: Map<string, number>;
  readonly #triggers: Array<{ readonly at: number; readonly run: () => unknown }> = [];
  readonly #triggerErrors: unknown[] = [];

  private constructor(mock: MockApnsServer, mode: Mode, baseline: Map<string, number>, pool: Partial<PoolOptions>, proxy: FreezableRelay | undefined) {
    this.mock = mock;
    this.mode = mode;
    this.#baseline = baseline;
    this.proxy = proxy;
    const { keyId, teamId, key } = mock.signingKey;
    this.auth = new TokenAuth({ keyId, teamId, key, clock: () => mock.clock.now() });
    // The certificate names localhost, so the relay's origin verifies too.
    const origin = proxy === undefined ? mock.origin : `https://localhost:${proxy.port}`;
    this.pool = new Pool(origin, {
      connections: 2,
      tls: { ca: mock.ca },
      auth: this.auth,
      timeout: DEADLINE,
      delivery: mode.delivery,
      backoff: { minDelay: 5, maxDelay: 100 },
      reconnect: { minDelay: 20, maxDelay: 200 },
      // Quick enough to catch a stall well inside the deadline, slow enough that
      // a loaded test machine does not take a busy connection for a dead one.
      connection: { ping: { interval: 500, timeout: 1_000 } },
      ...pool,
    });
    this.client = mode.via === 'client' ? new Client(origin, this.pool, { connections: 2, timeout: DEADLINE, attemptTimeout: mode.delivery === 'at-least-once' ? DEADLINE / 2 : DEADLINE, delivery: mode.delivery, feedbackBuffer: 0 }) : undefined;
  }

  /** `proxy`: connect through a {@link StallProxy}. */
  static async start(mode: Mode, options: { mock?: MockServerOptions; pool?: Partial<PoolOptions>; proxy?: boolean } = {}): Promise<Scenario> {
    const baseline = handles();
    // Production: no apns-unique-id to generate and parse per answer (the sandbox-only header).
    const mock = await MockApnsServer.start({ auth: 'token', environment: 'production', record: false, ...options.mock });
    const proxy = options.proxy === true ? await FreezableRelay.start(mock.port) : undefined;
    return new Scenario(mock, mode, baseline, options.pool ?? {}, proxy);
  }

  /** Runs `fn` (without waiting for it) once `at` tokens have an outcome. */
  when(at: number, fn: () => unknown): this {
    this.#triggers.push({ at, run: fn });
    return this;
  }

  /** Sends every token once through the mode's API; resolves when each has an outcome. */
  async run(): Promise<RunResult> {
    const outcomes = new Map<string, Outcome>();
    const reportedTwice: string[] = [];
    const started = new Map<string, number>();
    const record = (token: string, outcome: Omit<Outcome, 'ms'>): void => {
      if (outcomes.has(token)) reportedTwice.push(token);
      outcomes.set(token, { ...outcome, ms: performance.now() - (started.get(token) ?? Number.NaN) });
      const done = outcomes.size;
      for (const trigger of this.#triggers) {
        if (trigger.at !== done) continue;
        Promise.resolve()
          .then(trigger.run)
          .catch((error: unknown) => this.#triggerErrors.push(error));
      }
    };
    const begin = performance.now();
    let errorGroups = 0;
    if (this.client !== undefined) {
      const tokens = this.tokens;
      function* source(): Generator<string> {
        for (const token of tokens) {
          started.set(token, performance.now());
          yield token;
        }
      }
      const batch = await this.client.sendMany(
        source(),
        { alert: 'fault suite' },
        { topic: TOPIC, collapseId: 'auto' },
        {
          concurrency: WINDOW,
          onResult: (o) => {
            if (o.kind === 'sent') record(o.token, { outcome: 'sent', possibleDuplicate: o.possibleDuplicate, status: 200 });
            else if (o.kind === 'failed') record(o.token, { outcome: 'rejected', possibleDuplicate: false, status: o.status });
            else record(o.token, { outcome: outcomeOf(o.error), possibleDuplicate: false, error: o.error });
          },
        },
      );
      // The batch's error groups hold exactly the error outcomes, with the same verdict.
      const grouped = new Map<string, string>();
      for (const group of batch.errors) for (const token of group.tokens) grouped.set(token, group.outcome);
      const errors = [...outcomes].filter(([, o]) => o.outcome === 'not-sent' || o.outcome === 'unknown');
      expect(grouped.size).toBe(errors.length);
      expect(errors.filter(([token, o]) => grouped.get(token) !== o.outcome)).toEqual([]);
      errorGroups = batch.errors.length;
      // The batch agrees with what onResult reported.
      expect(batch.counts.total).toBe(N);
      expect(batch.sent.length).toBe(batch.counts.sent);
      expect(batch.failed.size).toBe(batch.counts.failed);
      expect(new Set(batch.sent.tokens).size).toBe(batch.sent.length);
      expect(new Set(batch.sent.possibleDuplicates)).toEqual(new Set([...outcomes].filter(([, o]) => o.possibleDuplicate).map(([t]) => t)));
    } else {
      let inFlight = 0;
      let wake: (() => void) | undefined;
      const headers = { 'apns-topic': TOPIC, 'apns-push-type': 'alert' };
      const body = JSON.stringify({ aps: { alert: 'fault suite' } });
      const settled = (): void => {
        inFlight--;
        const w = wake;
        wake = undefined;
        w?.();
      };
      const posts: Array<Promise<void>> = [];
      for (const token of this.tokens) {
        while (inFlight >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
        if (this.pool.queued >= WINDOW) await this.pool.onQueueBelow(WINDOW);
        inFlight++;
        started.set(token, performance.now());
        const request = Request.create(`/3/device/${token}`, headers, body, { attemptTimeout: DEADLINE });
        posts.push(
          this.pool
            .post(request)
            .then(
              (r) => record(token, { outcome: r.status === 200 ? 'sent' : 'rejected', possibleDuplicate: r.possibleDuplicate, status: r.status }),
              (error: unknown) => record(token, { outcome: outcomeOf(error), possibleDuplicate: false, error: error as Error }),
            )
            .finally(settled),
        );
      }
      await Promise.all(posts);
    }
    const counts: Counts = { sent: 0, rejected: 0, notSent: 0, unknown: 0 };
    for (const o of outcomes.values()) counts[o.outcome === 'not-sent' ? 'notSent' : o.outcome]++;
    return { outcomes, reportedTwice, counts, errorGroups, stats: this.pool.stats(), elapsed: performance.now() - begin };
  }

  /**
   * The promises of the fault suite, for any fault:
   * - every token has exactly one outcome;
   * - no phantom success: a sent token was accepted by the server;
   * - no silent loss: a token the server accepted was reported sent, or is
   *   an error flagged maybe-delivered;
   * - a token accepted twice was reported `possibleDuplicate` (or
   *   maybe-delivered) and only with at-least-once delivery;
   * - every outcome came by its deadline, and nothing is left pending.
   * `clean`: the fault is one the client must absorb completely (every
   * token sent, server accepted exactly `N`).
   */
  verify(result: RunResult, options: { clean: boolean }): void {
    expect(result.reportedTwice).toEqual([]);
    expect(result.outcomes.size).toBe(N);
    expect(this.tokens.every((t) => result.outcomes.has(t))).toBe(true);
    const { sent, rejected, notSent, unknown } = result.counts;
    expect(sent + rejected + notSent + unknown).toBe(N);
    const problems: string[] = [];
    const atLeastOnce = this.mode.delivery === 'at-least-once';
    let acceptedTokens = 0;
    let acceptedTotal = 0;
    let unknownAccepted = 0;
    for (const token of this.tokens) {
      const o = result.outcomes.get(token)!;
      const n = this.mock.acceptedCount(token);
      acceptedTotal += n;
      if (n > 0) acceptedTokens++;
      const why =
        o.outcome === 'sent' && n === 0
          ? 'phantom success: reported sent, never accepted'
          : n > 0 && o.outcome === 'rejected'
            ? `accepted ${n}x but reported rejected (${o.status})`
            : n > 0 && o.outcome === 'not-sent'
              ? `accepted ${n}x but reported not sent (${o.error?.name}: ${o.error?.message})`
              : n > 1 && !atLeastOnce
                ? `accepted ${n}x with at-most-once delivery`
                : n > 1 && !o.possibleDuplicate && o.outcome !== 'unknown'
                  ? `accepted ${n}x but not flagged possibleDuplicate`
                  : o.ms > DEADLINE + LATE
                    ? `outcome after ${Math.round(o.ms)} ms, past the ${DEADLINE} ms deadline`
                    : undefined;
      if (o.outcome === 'unknown' && n > 0) unknownAccepted++;
      if (why !== undefined && problems.length < 10) problems.push(`${token.slice(0, 8)}…: ${why}`);
    }
    expect(problems).toEqual([]);
    // Every 200 the server sent was for one of these tokens, and is accounted for.
    expect(this.mock.acceptedCount()).toBe(acceptedTotal);
    expect(sent + unknownAccepted).toBe(acceptedTokens);
    expect(result.stats.live).toBe(0);
    if (options.clean) {
      // With why each send that was not sent ended so, and how long the run took (a failure then explains itself).
      const unsent = unsentReasons(result);
      expect({ counts: result.counts, unsent: unsent.length === 0 ? [] : [`the run took ${Math.round(result.elapsed)} ms`, ...unsent] }).toEqual({
        counts: { sent: N, rejected: 0, notSent: 0, unknown: 0 },
        unsent: [],
      });
      expect(this.mock.acceptedCount()).toBe(N);
    }
    expect(this.#triggerErrors).toEqual([]);
  }

  /** Closes the client (or pool) and the mock; fails on a hang or on a leaked socket or timer. */
  async finish(): Promise<void> {
    try {
      await within(this.client !== undefined ? this.client.close() : this.pool.close(), 5_000, 'close()');
      expect(this.pool.stats().connections).toBe(0);
    } finally {
      await this.proxy?.close();
      await this.mock.stop();
    }
    const leaked = (): string[] => [...handles()].filter(([type, n]) => n > (this.#baseline.get(type) ?? 0)).map(([type, n]) => `${type} ×${n - (this.#baseline.get(type) ?? 0)}`);
    await until(() => leaked().length === 0, 3_000, 'sockets and timers to be released').catch(() => expect(leaked()).toEqual([]));
  }
}

/** The sends that did not end sent, grouped by outcome and error chain (numbers masked), with their count. */
function unsentReasons(result: RunResult): Array<[string, number]> {
  const groups = new Map<string, number>();
  for (const o of result.outcomes.values()) {
    if (o.outcome === 'sent') continue;
    const chain: string[] = [o.outcome];
    for (let e: unknown = o.error; e instanceof Error && chain.length < 4; e = e.cause) chain.push(`${e.name}: ${e.message.replace(/\d+/g, '#')}`);
    const key = chain.join(' <- ');
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups];
}

/** Runs `body` with a started scenario, then finishes it (after a failure: force-closes quietly). */
export async function scenario(mode: Mode, options: Parameters<typeof Scenario.start>[1], body: (s: Scenario) => Promise<void>): Promise<void> {
  const s = await Scenario.start(mode, options);
  try {
    await body(s);
  } catch (error) {
    await s.pool.close({ force: true }).catch(() => undefined);
    await s.proxy?.close();
    await s.mock.stop();
    throw error;
  }
  await s.finish();
}
