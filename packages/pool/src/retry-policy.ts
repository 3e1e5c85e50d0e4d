/**
 * Which failed attempts are sent again, and how: the one place the pool
 * decides. The retry table in the README mirrors this file.
 *
 * **The rule** ({@link mayResend}): a failed attempt is sent again when its
 * failure says `retryable`, or, with at-least-once delivery, when its
 * `outcome` is `'unknown'` (APNs may have it: the resend may duplicate).
 * Nothing else is retried. The flags come from where the failure is known:
 * - an APNs answer: the models reasons table ({@link classifyReason}):
 *   `resend: 'later'` (429, 500, 503) and `'reconnect'` (`Shutdown`,
 *   `IdleTimeout`) are retryable; `'new-token'` (`ExpiredProviderToken`)
 *   only once the auth hook renewed the credentials (it answered `'retry'`
 *   or `'reconnect'`, which makes any auth rejection retryable); `'never'`
 *   is not. The answer's outcome is `'rejected'`.
 * - an error: its own `retryable` and `outcome`, set by the tier that raised
 *   it (`Closed` / `Timeout` `'not-sent'`, a network `ConnectError`:
 *   retryable; `'unknown'`: not retryable; bad input: neither).
 *
 * Besides the rule: a **fatal** failure fails the pool (a reason the models
 * table marks `fatal`, in an answer or a GOAWAY; a `ConnectError` that is
 * not retryable: configuration), and **how soon** a retry goes: at once for
 * renewed credentials and for a `'not-sent'` `Closed` (the connection is
 * going; another takes it), at once on another connection for
 * `resend: 'reconnect'` (this one is closed gracefully), otherwise after the
 * back-off (or `Retry-After`). A `Blocked` attempt is no failure: the
 * dispatcher puts it back at the head of the queue.
 */
import { Closed, ConnectError, type Response } from '@pushwire/connection';
import { APNSError, classifyReason, isFatalReason, type FailureOutcome } from '@pushwire/models';
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
} as const;
/** @internal */
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/**
 * Consecutive provider-token rejections (models' `CREDENTIAL_STREAK_REASONS`:
 * invalid, expired even when just signed, missing) with no success between
 * that make the pool fail.
 */
export const INVALID_TOKEN_STREAK = 3;

/** What the retry rule reads of a failure. @internal */
export interface FailureFlags {
  /** Whether sending the same request again can succeed and is safe. */
  readonly retryable: boolean;
  /** What became of the request. */
  readonly outcome: FailureOutcome;
}

/**
 * The retry rule: whether a failed attempt is sent again. `retryable`
 * failures are; with at-least-once delivery, so are `'unknown'` ones.
 * @internal
 */
export function mayResend(failure: FailureFlags, atLeastOnce: boolean): boolean {
  return failure.retryable || (atLeastOnce && failure.outcome === 'unknown');
}

/**
 * Whether an APNs answer is retryable for the pool (the `retryable` of the
 * `ResponseError` it becomes): the reasons table says a resend can succeed
 * after a delay or on another connection, or the auth hook renewed the
 * credentials.
 * @internal
 */
export function isRetryableResponse(response: Response): boolean {
  const action = response.authAction;
  if (action === 'retry' || action === 'reconnect') return true;
  const { resend } = classifyReason(response.status, response.reason);
  return resend === 'later' || resend === 'reconnect';
}

/** Judges a response. @internal */
export function judgeResponse(response: Response): Verdict {
  const { status, reason } = response;
  if (status >= 200 && status < 300) return Verdict.Final;
  const info = classifyReason(status, reason);
  if (info.fatal) return Verdict.Fatal;
  // An answer is 'rejected': the delivery mode does not matter.
  if (!mayResend({ retryable: isRetryableResponse(response), outcome: 'rejected' }, false)) return Verdict.Final;
  // The auth hook refreshed the token ('retry') or drained the connection ('reconnect').
  if (response.authAction === 'retry' || response.authAction === 'reconnect') return Verdict.RetryNow;
  // The server is closing this connection (503 Shutdown) or has idled it out (400 IdleTimeout).
  return info.resend === 'reconnect' ? Verdict.RetryElsewhere : Verdict.Retry;
}

/** Judges an error from `Connection.post` or from waiting for a connection. @internal */
export function judgeError(error: unknown, atLeastOnce: boolean): Verdict {
  // Not ours (a bug somewhere): no flags to go by.
  if (!(error instanceof APNSError)) return Verdict.Final;
  if (failsPool(error)) return Verdict.Fatal;
  if (!mayResend(error, atLeastOnce)) return Verdict.Final;
  // Provably never processed, on a connection that is going away (draining, GOAWAY, REFUSED_STREAM).
  if (error instanceof Closed && error.outcome === 'not-sent') return Verdict.RetryNow;
  return Verdict.Retry;
}

/**
 * A failure no request can get past, so the pool fails: a GOAWAY whose
 * reason the models reasons table marks fatal, or a connect failure no
 * reconnect can fix (see {@link isConfigFailure}).
 * @internal
 */
export function failsPool(error: APNSError): boolean {
  if (error instanceof ConnectError) return isConfigFailure(error);
  return error instanceof Closed && isFatalReason(error.goawayReason);
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

/** Whether a failed attempt ended `'unknown'`: APNs may have processed it. @internal */
export function endedUnknown(error: Error): boolean {
  return error instanceof APNSError && error.outcome === 'unknown';
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
 * by the post's `timeout` instead, and start at `backoff.minDelay`.
 * @internal
 */
export function retryOptions(options: ResolvedPoolOptions, remaining: number, signal: AbortSignal): RetryOptions {
  const { minDelay, maxDelay, factor, jitter } = options.backoff;
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
