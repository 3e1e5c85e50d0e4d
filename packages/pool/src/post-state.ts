/**
 * One `post()` in progress: a single object that is also the node of the
 * overflow queue and of its deadline list, so a queued request costs one
 * allocation of the pool's own (plus p-queue's job and the post's promise).
 */
import type { Request, Response } from '@pushwire/connection';
import type { Member } from './connections.js';

/** What `post()` resolves with: the response plus how it was obtained. */
export interface PoolResponse extends Response {
  /** Attempts made, this one included (1 when the first succeeded). */
  readonly attempts: number;
  /**
   * An earlier attempt may have been processed too (only with at-least-once
   * delivery): the device may get the notification twice.
   */
  readonly possibleDuplicate: boolean;
  /**
   * This answer made the pool fail (a refused certificate, the third
   * provider-token rejection in a row): whatever the reasons table says,
   * resending with these credentials cannot succeed.
   */
  readonly fatal: boolean;
}

/** State of a request being retried through p-retry. @internal */
export interface RetryState {
  readonly controller: AbortController;
  resolve: ((response: Response) => void) | undefined;
  reject: ((error: Error) => void) | undefined;
}

/** Bits of a post's flags. */
const DONE = 1;
const IN_FLIGHT = 2;
const AT_LEAST_ONCE = 4;
const POSSIBLE_DUPLICATE = 8;
const IMMEDIATE = 16;
/** In the overflow queue: lane 0 with {@link RETRY_LANE}, else lane 1. */
const QUEUED = 32;
const RETRY_LANE = 64;

/** `flags` with `bit` set or cleared. (A function, not a private method: those cost every instance a slot.) */
function withBit(flags: number, bit: number, value: boolean): number {
  return value ? flags | bit : flags & ~bit;
}

/** What `resolve` and `reject` hold until `post()`'s promise hands over its own (at once). */
const UNSET = (): void => undefined;

/**
 * One post. A million of them may wait in the queue, so it holds only what
 * a queued post needs: 14 slots (136 bytes on 64-bit Node). The five
 * flags and the queue lane share one small integer; the expiry is whole
 * milliseconds (a small integer, kept in the object, where a fractional one
 * is boxed in a 16-byte number of its own); and the two fields only a failed
 * attempt sets (`lastError`, `retry`) default to `undefined` on the
 * prototype, so a post that never fails has no slot for them.
 * @internal
 */
export class PostState {
  readonly request: Request;
  /** `post()`'s promise; set right after construction. */
  resolve: (response: PoolResponse) => void = UNSET;
  reject: (error: Error) => void = UNSET;
  /** Milliseconds allowed, from the call. */
  readonly deadline: number;
  /** `performance.now()` when it fails with `Timeout`: the call's time plus `deadline`, rounded up to the millisecond. */
  readonly expiresAt: number;
  readonly signal: AbortSignal | undefined;
  attempts = 0;
  /** `performance.now()` of the call. */
  readonly start: number;
  /** Milliseconds from the call to the first attempt; measured only while `pushwire:pool:settle` has subscribers. */
  queued: number | undefined = undefined;
  /** `done`, `inFlight`, `atLeastOnce`, `possibleDuplicate`, `immediate` and `qLane`, as bits. */
  #flags: number;
  /** The connection of the attempt in flight. */
  member: Member | undefined = undefined;
  /** Overflow-queue links (see queue.ts); `qRun` is p-queue's job. */
  qPrev: PostState | undefined = undefined;
  qNext: PostState | undefined = undefined;
  qRun: (() => Promise<unknown>) | undefined = undefined;
  /** Deadline-list links (see deadline.ts). */
  dPrev: PostState | undefined = undefined;
  dNext: PostState | undefined = undefined;
  /** The last failed attempt's error. Set on a failure only (see the class note). */
  declare lastError: Error | undefined;
  /** The retry in progress through p-retry. Set on a retry only (see the class note). */
  declare retry: RetryState | undefined;

  static {
    this.prototype.lastError = undefined;
    this.prototype.retry = undefined;
  }

  constructor(request: Request, deadline: number, now: number, atLeastOnce: boolean, signal: AbortSignal | undefined) {
    this.request = request;
    this.deadline = deadline;
    // Never earlier than before the rounding, and later by under a millisecond.
    this.expiresAt = Math.ceil(now + deadline);
    this.start = now;
    this.signal = signal;
    this.#flags = atLeastOnce ? AT_LEAST_ONCE : 0;
  }

  /** Settled: later outcomes are ignored. */
  get done(): boolean {
    return (this.#flags & DONE) !== 0;
  }
  set done(value: boolean) {
    this.#flags = withBit(this.#flags, DONE, value);
  }

  /** An attempt is on a connection now. */
  get inFlight(): boolean {
    return (this.#flags & IN_FLIGHT) !== 0;
  }
  set inFlight(value: boolean) {
    this.#flags = withBit(this.#flags, IN_FLIGHT, value);
  }

  get atLeastOnce(): boolean {
    return (this.#flags & AT_LEAST_ONCE) !== 0;
  }

  /** An attempt may have been processed: the device may get it twice. */
  get possibleDuplicate(): boolean {
    return (this.#flags & POSSIBLE_DUPLICATE) !== 0;
  }
  set possibleDuplicate(value: boolean) {
    this.#flags = withBit(this.#flags, POSSIBLE_DUPLICATE, value);
  }

  /** The last retry went at once (the next one backs off). */
  get immediate(): boolean {
    return (this.#flags & IMMEDIATE) !== 0;
  }
  set immediate(value: boolean) {
    this.#flags = withBit(this.#flags, IMMEDIATE, value);
  }

  /** The overflow-queue lane it waits in (0: retries, 1: new posts), or -1 when not queued. */
  get qLane(): -1 | 0 | 1 {
    const flags = this.#flags;
    if ((flags & QUEUED) === 0) return -1;
    return (flags & RETRY_LANE) !== 0 ? 0 : 1;
  }
  set qLane(lane: -1 | 0 | 1) {
    const flags = this.#flags & ~(QUEUED | RETRY_LANE);
    this.#flags = lane === -1 ? flags : lane === 0 ? flags | QUEUED | RETRY_LANE : flags | QUEUED;
  }
}

/** The response with the pool's fields; one object of a fixed shape. @internal */
export function poolResponse(response: Response, attempts: number, possibleDuplicate: boolean, fatal: boolean): PoolResponse {
  return {
    status: response.status,
    apnsId: response.apnsId,
    apnsUniqueId: response.apnsUniqueId,
    reason: response.reason,
    timestamp: response.timestamp,
    retryAfter: response.retryAfter,
    headers: response.headers,
    body: response.body,
    authAction: response.authAction,
    attempts,
    possibleDuplicate,
    fatal,
  };
}
