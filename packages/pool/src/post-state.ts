/**
 * One `post()` in progress: a single object that is also the node of the
 * overflow queue and of its deadline list, so a queued request costs one
 * allocation of the pool's own (plus p-queue's job).
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

/** @internal */
export class PostState {
  readonly request: Request;
  readonly resolve: (response: PoolResponse) => void;
  readonly reject: (error: Error) => void;
  /** Milliseconds allowed, from the call. */
  readonly deadline: number;
  /** `performance.now()` when it fails with `Timeout`. */
  readonly expiresAt: number;
  readonly atLeastOnce: boolean;
  readonly signal: AbortSignal | undefined;
  attempts = 0;
  /** Settled: later outcomes are ignored. */
  done = false;
  /** An attempt is on a connection now. */
  inFlight = false;
  /** The connection of the attempt in flight. */
  member: Member | undefined = undefined;
  possibleDuplicate = false;
  /** The last retry went at once (the next one backs off). */
  immediate = false;
  lastError: Error | undefined = undefined;
  retry: RetryState | undefined = undefined;
  /** Overflow-queue links (see queue.ts). */
  qPrev: PostState | undefined = undefined;
  qNext: PostState | undefined = undefined;
  qRun: (() => Promise<unknown>) | undefined = undefined;
  qLane = -1;
  /** Deadline-list links (see deadline.ts). */
  dPrev: PostState | undefined = undefined;
  dNext: PostState | undefined = undefined;

  constructor(
    request: Request,
    resolve: (response: PoolResponse) => void,
    reject: (error: Error) => void,
    deadline: number,
    now: number,
    atLeastOnce: boolean,
    signal: AbortSignal | undefined,
  ) {
    this.request = request;
    this.resolve = resolve;
    this.reject = reject;
    this.deadline = deadline;
    this.expiresAt = now + deadline;
    this.atLeastOnce = atLeastOnce;
    this.signal = signal;
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
