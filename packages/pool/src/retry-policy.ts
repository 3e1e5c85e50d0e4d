/**
 * Which outcomes of an attempt are retried, and how. The table in the
 * README mirrors this file.
 *
 * Principles: a rejection from APNs is an answer, not an error, unless APNs
 * says "later" (429, 5xx, `Shutdown`) or the auth hook refreshed credentials.
 * A failure is retried only when the request provably never reached APNs
 * (`outcome: 'not-sent'`, connect errors), or, with at-least-once delivery, when
 * it may have (`outcome: 'unknown'`, a per-attempt timeout). A `Blocked`
 * attempt is no failure: the dispatcher puts it back at the head of the queue.
 */
import { Closed, ConnectError, Timeout, type Response } from '@pushwire/connection';
import { isFatalReason } from '@pushwire/models';
import type { Options as RetryOptions } from 'p-retry';
import { ResponseError } from './errors.js';
import type { ResolvedPoolOptions } from './options.js';


/** What to do after an attempt. @internal */
export const Verdict = {
  /** Settle the post with this response or error. */
  Final: 0,
  /** Retry after the exponential back-off (or the `Retry-After`). */
  Retry: 1,
  /** Retry at once, on another connection if this one is draining. */
  RetryNow: 2,
  /** Retry, and close this connection gracefully (it is going away). */
  RetryElsewhere: 3,
  /** Settle this post, then close the pool: nothing can succeed. */
  Fatal: 4,
  /** Settle; a provider-token rejection the auth hook could not cure (counts towards the streak). */
  InvalidToken: 5,
} as const;
/** @internal */
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/**
 * Consecutive provider-token rejections (models' `CREDENTIAL_STREAK_REASONS`:
 * invalid, expired even when just signed, missing) with no success between
 * that make the pool fail.
 */
export const INVALID_TOKEN_STREAK = 3;

/** Judges a response. @internal */
export function judgeResponse(response: Response): Verdict {
  const { status, reason } = response;
  if (status >= 200 && status < 300) return Verdict.Final;
  // The server is closing this connection (503 Shutdown) or has idled it out (400 IdleTimeout).
  if (reason === 'Shutdown' || reason === 'IdleTimeout') return Verdict.RetryElsewhere;
  if (isFatalReason(reason)) return Verdict.Fatal;
  // The auth hook refreshed the token ('retry') or drained the connection ('reconnect').
  const action = response.authAction;
  if (action === 'retry' || action === 'reconnect') return Verdict.RetryNow;
  if (reason === 'InvalidProviderToken') return Verdict.InvalidToken;
  if (status === 429 || status >= 500) return Verdict.Retry;
  // 400, 403, 404, 405, 410, 413...: definitive for this request.
  return Verdict.Final;
}

/** Judges an error from `Connection.post` or from waiting for a connection. @internal */
export function judgeError(error: unknown, atLeastOnce: boolean): Verdict {
  if (error instanceof Closed) {
    if (isFatalReason(error.goawayReason)) return Verdict.Fatal;
    if (error.outcome === 'not-sent') return Verdict.RetryNow;
    return atLeastOnce ? Verdict.Retry : Verdict.Final;
  }
  if (error instanceof ConnectError) return isConfigFailure(error) ? Verdict.Fatal : Verdict.Retry;
  // The stream was reset after its per-attempt timeout: APNs may have it.
  if (error instanceof Timeout) return atLeastOnce ? Verdict.Retry : Verdict.Final;
  return Verdict.Final;
}

/**
 * A connect failure no reconnect can fix: a non-retryable `ConnectError`
 * (bad TLS material, a certificate that cannot be verified, a refused
 * handshake: the connection tier classifies them) or a non-`ConnectError`
 * (bad connection options). Transient TLS trouble (an EOF mid-handshake, a
 * bad record MAC) stays retryable.
 * @internal
 */
export function isConfigFailure(error: Error): boolean {
  return !(error instanceof ConnectError) || !error.retryable;
}

/** Whether a failed attempt may have been processed by APNs. @internal */
export function maybeProcessed(error: Error): boolean {
  return (error instanceof Closed || error instanceof Timeout) && error.outcome === 'unknown';
}

/** The `Retry-After` of a retryable response, in ms. @internal */
export function retryAfter(error: Error): number | undefined {
  if (!(error instanceof ResponseError)) return undefined;
  const seconds = error.response.retryAfter;
  return seconds === undefined || seconds <= 0 ? undefined : seconds * 1000;
}

/**
 * Milliseconds before a post's deadline in which no retry starts: an
 * attempt started then would likely still be in flight at the deadline and
 * turn a known "not sent" (or a 429 / 5xx answer) into an "unknown". A tenth
 * of the deadline, at most 1 s.
 * @internal
 */
export function retryReserve(deadline: number): number {
  return Math.min(1_000, Math.floor(deadline / 10));
}

/**
 * p-retry options for one post. p-retry's defaults (10 retries, 1 s first
 * delay, no jitter) are far too slow for a push burst: retries are bounded
 * by the deadline instead, and start at `retry.minDelay`.
 * @internal
 */
export function retryOptions(options: ResolvedPoolOptions, remaining: number, signal: AbortSignal): RetryOptions {
  const { minDelay, maxDelay, factor, jitter } = options.retry;
  return {
    retries: Number.POSITIVE_INFINITY,
    minTimeout: minDelay,
    maxTimeout: maxDelay,
    factor,
    randomize: jitter,
    maxRetryTime: Math.max(0, remaining),
    signal,
  };
}
