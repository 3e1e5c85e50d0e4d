/**
 * Errors of the pool tier. The pool rejects only with {@link APNSError}s:
 * the connection tier's `Blocked`, `Closed`, `Timeout` and `ConnectError`,
 * plus the two below. A rejection from APNs is never an error: it is the
 * resolved `PoolResponse`.
 */
import { APNSError, brandError, logSafe, type APNSErrorOptions } from '@pushwire/models';
import type { ErrorCode as ConnectionErrorCode, Response, Unanswered } from '@pushwire/connection';

/**
 * An answer from APNs seen as a failed attempt: a retryable one (429, 500,
 * 503, `Shutdown`, `IdleTimeout`, an `ExpiredProviderToken` the auth hook
 * refreshed), kept as the `cause` of a later failure; or a fatal one
 * (`BadCertificate`, `InvalidProviderToken` again and again): then the pool
 * fails, and every post still waiting, and every later one, rejects with it
 * (`outcome: 'not-sent'`, not `retryable`).
 */
export class ResponseError extends APNSError {
  static {
    brandError(this, 'ResponseError');
  }

  declare readonly code: 'ERR_PUSHWIRE_RESPONSE';
  declare readonly outcome: 'rejected' | 'not-sent';
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

/** Options of {@link AbortError}. */
export interface AbortErrorOptions extends APNSErrorOptions {
  /** Whether an attempt had been written when the signal fired. @default 'not-sent' */
  outcome?: Unanswered;
}

/**
 * The caller's `AbortSignal` fired. `cause` is the signal's reason.
 * `outcome` is `'not-sent'` when no attempt had been written yet, and
 * `'unknown'` when one was in flight (the pool cannot recall a written stream;
 * APNs may still deliver it). Its `name` is `'AbortError'`, as the DOM's
 * (and undici's) abort errors are, so `error.name === 'AbortError'` checks
 * written for `fetch` recognise it.
 */
export class AbortError extends APNSError {
  static {
    brandError(this, 'AbortError');
  }

  declare readonly code: 'ERR_PUSHWIRE_ABORTED';
  declare readonly outcome: Unanswered;

  constructor(message = 'The post was aborted', options: AbortErrorOptions = {}) {
    super(message, 'ERR_PUSHWIRE_ABORTED', false, options, options.outcome ?? 'not-sent');
    this.name = 'AbortError';
  }
}

/**
 * Every `code` the pool tier can raise: the connection tier's (which
 * include the models tier's), plus {@link ResponseError}'s and
 * {@link AbortError}'s.
 */
export type ErrorCode = ConnectionErrorCode | ResponseError['code'] | AbortError['code'];
