/**
 * Error classes shared by every pushwire tier.
 *
 * Every error pushwire throws or rejects with is an {@link APNSError}: it has
 * a stable `code` to switch on, says whether a `retryable` retry can help, and
 * keeps the underlying `cause`. Messages never contain key material, JWTs or
 * passphrases.
 */

const brand = Symbol.for('pushwire.APNSError');

/**
 * How one send ended. Every send ends in exactly one of these, named the
 * same in every tier:
 * - `'sent'`: APNs answered 200;
 * - `'rejected'`: APNs answered non-200 (status, reason; `retryable` per the
 *   reasons table: 429 and 5xx are worth sending again later);
 * - `'not-sent'`: provably never processed (never written, refused with
 *   REFUSED_STREAM, above a GOAWAY's last stream id): safe to resend;
 * - `'unknown'`: written, but no answer came: APNs may have delivered it, so a
 *   resend may show twice unless a collapse id makes it replace the first.
 * @example
 * if (error instanceof APNSError && error.outcome === 'not-sent' && error.retryable) resend();
 */
export type Outcome = 'sent' | 'rejected' | 'not-sent' | 'unknown';

/** The outcomes an error can report (a send that failed was not `'sent'`). */
export type FailureOutcome = Exclude<Outcome, 'sent'>;

/** Options accepted by every pushwire error constructor. */
export interface APNSErrorOptions {
  /** The error that led to this one. */
  cause?: unknown;
}

/**
 * The root of every pushwire error.
 *
 * `instanceof APNSError` works across duplicate copies of the package (a
 * `Symbol.for` brand), so an app that ends up with two versions still
 * recognises our errors.
 */
export class APNSError extends Error {
  /** A stable, machine-readable identifier, e.g. `ERR_PUSHWIRE_INVALID_ARGUMENT`. */
  readonly code: string;
  /**
   * Whether sending the same request again can succeed and is safe: `true`
   * only for `'not-sent'` failures that may heal (and retryable rejections
   * such as 429 / 5xx); `false` for fatal failures (bad credentials, an
   * untrusted server), bad input and `'unknown'` outcomes.
   */
  readonly retryable: boolean;
  /**
   * What became of the request (see {@link Outcome}): `'not-sent'` unless
   * the error says otherwise (errors raised before any I/O, connect
   * failures, a closed client); `'unknown'` when it was written and no answer
   * came; `'rejected'` for an APNs rejection.
   */
  readonly outcome: FailureOutcome;
  /**
   * The `apns-id` of the request, when one was sent and the tier that
   * raised or passed on the error knows it (`sendNotification`'s errors
   * carry it, so a resend can reuse it).
   */
  readonly apnsId?: string | undefined;

  constructor(message: string, code = 'ERR_PUSHWIRE', retryable = false, options: APNSErrorOptions = {}, outcome: FailureOutcome = 'not-sent') {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'APNSError';
    this.code = code;
    this.retryable = retryable;
    this.outcome = outcome;
    Object.defineProperty(this, brand, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === APNSError) {
      return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
    }
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * Bad input, refused before any byte reaches the network.
 *
 * `field` names what was wrong (e.g. `deviceToken`, `apns-topic`, `payload`);
 * the message states the problem and the limit. The offending value is only
 * described (its length, the bad character's position), never echoed, so a
 * secret passed in the wrong place never lands in a log.
 */
export class InvalidArgumentError extends APNSError {
  /** The field or option that was rejected. */
  readonly field: string;

  constructor(field: string, problem: string, options: APNSErrorOptions = {}) {
    super(`Invalid ${field}: ${problem}`, 'ERR_PUSHWIRE_INVALID_ARGUMENT', false, options);
    this.name = 'InvalidArgumentError';
    this.field = field;
  }
}

/**
 * A payload larger than APNs accepts for its push type.
 * `size` and `limit` are UTF-8 byte counts.
 */
export class PayloadTooLargeError extends InvalidArgumentError {
  readonly size: number;
  readonly limit: number;

  constructor(size: number, limit: number) {
    super('payload', `the encoded payload is ${size} bytes, over the limit of ${limit} bytes`);
    this.name = 'PayloadTooLargeError';
    this.size = size;
    this.limit = limit;
  }
}
