/**
 * Errors of the pool tier. The pool rejects only with {@link APNSError}s:
 * the connection tier's `Blocked`, `Closed`, `Timeout` and `ConnectError`,
 * plus the two below. A rejection from APNs is never an error: it is the
 * resolved {@link PoolResponse}.
 */
import { APNSError, type APNSErrorOptions } from '@pushwire/models';
import type { Processed, Response } from '@pushwire/connection';

/**
 * A retryable answer from APNs (429, 500, 503, `Shutdown`, `IdleTimeout`,
 * an `ExpiredProviderToken` the auth hook refreshed) seen as a failed
 * attempt. It never reaches the caller directly: it is the `cause` of the
 * `Timeout` when the deadline passes before a retry succeeds, or of the
 * `Closed` when a fatal answer closes the pool.
 */
export class ResponseError extends APNSError {
  /** The HTTP status, e.g. 503. */
  readonly status: number;
  /** The APNs reason, e.g. `Shutdown`. */
  readonly reason: string | undefined;
  /** The whole response. */
  readonly response: Response;

  constructor(response: Response, retryable: boolean, options: APNSErrorOptions = {}) {
    super(`APNs answered ${response.status}${response.reason === undefined ? '' : ` ${response.reason}`}`, 'ERR_PUSHWIRE_RESPONSE', retryable, options);
    this.name = 'ResponseError';
    this.status = response.status;
    this.reason = response.reason;
    this.response = response;
  }
}

/** Options of {@link Aborted}. */
export interface AbortedOptions extends APNSErrorOptions {
  /** Whether an attempt had been written when the signal fired. */
  processed?: Processed;
}

/**
 * The caller's `AbortSignal` fired. `cause` is the signal's reason.
 * `processed` is `false` when no attempt had been written yet, and
 * `'unknown'` when one was in flight (the pool cannot recall a written stream;
 * APNs may still deliver it).
 */
export class Aborted extends APNSError {
  /** Whether APNs may have seen the request. */
  readonly processed: Processed;

  constructor(message = 'The post was aborted', options: AbortedOptions = {}) {
    super(message, 'ERR_PUSHWIRE_ABORTED', false, options);
    this.name = 'Aborted';
    this.processed = options.processed ?? false;
  }
}
