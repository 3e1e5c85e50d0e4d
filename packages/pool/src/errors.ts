/**
 * Errors of the pool tier. The pool rejects only with {@link APNSError}s:
 * the connection tier's `Blocked`, `Closed`, `Timeout` and `ConnectError`,
 * plus the two below. A rejection from APNs is never an error: it is the
 * resolved {@link PoolResponse}.
 */
import { APNSError, logSafe, type APNSErrorOptions } from '@pushwire/models';
import type { Response, Unanswered } from '@pushwire/connection';

/**
 * An answer from APNs seen as a failed attempt: a retryable one (429, 500,
 * 503, `Shutdown`, `IdleTimeout`, an `ExpiredProviderToken` the auth hook
 * refreshed), kept as the `cause` of a later failure; or a fatal one
 * (`BadCertificate`, `InvalidProviderToken` again and again): then the pool
 * fails, and every post still waiting, and every later one, rejects with it
 * (`outcome: 'not-sent'`, not `retryable`).
 */
export class ResponseError extends APNSError {
  /** The HTTP status, e.g. 503. */
  readonly status: number;
  /** The APNs reason, e.g. `Shutdown`. */
  readonly reason: string | undefined;
  /** The whole response. */
  readonly response: Response;

  constructor(response: Response, retryable: boolean, options: APNSErrorOptions & { fatal?: boolean } = {}) {
    const answer = `APNs answered ${response.status}${response.reason === undefined ? '' : ` ${logSafe(response.reason)}`}`;
    const message = options.fatal === true ? `${answer}: the credentials or account cannot succeed, so the pool stopped sending; this request was not sent` : answer;
    super(message, 'ERR_PUSHWIRE_RESPONSE', retryable, options, options.fatal === true ? 'not-sent' : 'rejected');
    this.name = 'ResponseError';
    this.status = response.status;
    this.reason = response.reason;
    this.response = response;
  }
}

/** Options of {@link Aborted}. */
export interface AbortedOptions extends APNSErrorOptions {
  /** Whether an attempt had been written when the signal fired. @default 'not-sent' */
  outcome?: Unanswered;
}

/**
 * The caller's `AbortSignal` fired. `cause` is the signal's reason.
 * `outcome` is `'not-sent'` when no attempt had been written yet, and
 * `'unknown'` when one was in flight (the pool cannot recall a written stream;
 * APNs may still deliver it).
 */
export class Aborted extends APNSError {
  declare readonly outcome: Unanswered;

  constructor(message = 'The post was aborted', options: AbortedOptions = {}) {
    super(message, 'ERR_PUSHWIRE_ABORTED', false, options, options.outcome ?? 'not-sent');
    this.name = 'Aborted';
  }
}
