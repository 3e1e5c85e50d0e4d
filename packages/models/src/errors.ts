/**
 * Error classes shared by every pushwire tier.
 *
 * Every error pushwire throws or rejects with is an {@link APNSError}: it has
 * a stable `code` to switch on, says whether a `retryable` retry can help, and
 * keeps the underlying `cause`. Messages never contain key material, JWTs or
 * passphrases.
 */

const brand = Symbol.for('pushwire.APNSError');

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
  /** Whether sending the same request again can succeed. */
  readonly retryable: boolean;

  constructor(message: string, code = 'ERR_PUSHWIRE', retryable = false, options: APNSErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'APNSError';
    this.code = code;
    this.retryable = retryable;
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
