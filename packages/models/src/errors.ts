/**
 * Error classes shared by every pushwire tier.
 *
 * Every error pushwire throws or rejects with is an {@link APNSError}: it has
 * a stable `code` to switch on, says whether a `retryable` retry can help, and
 * keeps the underlying `cause`. Messages never contain key material, JWTs or
 * passphrases.
 */

const BRANDS = new WeakMap<object, symbol>();

/**
 * The `Symbol.for` key an error class named `name` brands its instances
 * with: `pushwire.error.<name>`. Shared by every copy of pushwire loaded in
 * the process, which is what makes `instanceof` work across copies.
 * @example
 * errorBrand('Closed'); // Symbol.for('pushwire.error.Closed')
 */
export function errorBrand(name: string): symbol {
  return Symbol.for(`pushwire.error.${name}`);
}

/**
 * `instanceof` of a branded class: true for a value that carries the
 * class's brand (an instance of this class or a subclass, from any copy of
 * the package). A class that was not branded itself (an app's own subclass
 * of a pushwire error) is checked the ordinary way, by prototype chain.
 */
function hasBrand(this: object, value: unknown): boolean {
  const brand = BRANDS.get(this);
  if (brand === undefined) return Function.prototype[Symbol.hasInstance].call(this, value);
  return (typeof value === 'object' || typeof value === 'function') && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/**
 * Brands an error class so that `instanceof` recognises its instances when
 * two copies of pushwire are loaded (two versions in `node_modules`, or a
 * bundle next to an install), the way undici brands its errors: the class's
 * prototype gets the non-enumerable `Symbol.for('pushwire.error.<name>')`
 * (so every instance, and every instance of a subclass, carries it), and the
 * class gets a static `Symbol.hasInstance` that checks for that brand.
 * `x instanceof Closed` is then true for a `Closed` from any copy, and false
 * for a sibling class such as `Timeout`.
 *
 * Every pushwire error class calls it once, in a static block:
 * `static { brandError(this, 'Closed'); }`. `name` is the class's name, and
 * unique across pushwire (the brands are process-wide).
 * @throws {TypeError} when the class is branded already.
 * @example
 * class CampaignNotFound extends APNSError {
 *   static { brandError(this, 'CampaignNotFound'); }
 * }
 */
export function brandError(target: abstract new (...args: never[]) => Error, name: string): void {
  if (BRANDS.has(target)) throw new TypeError(`${name} is branded already`);
  const brand = errorBrand(name);
  BRANDS.set(target, brand);
  Object.defineProperty(target.prototype, brand, { value: true });
  Object.defineProperty(target, Symbol.hasInstance, { value: hasBrand, configurable: true });
}

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
 * `instanceof` works across duplicate copies of the package for this class
 * and every pushwire error class (see {@link brandError}), so an app that
 * ends up with two versions still recognises our errors. Each subclass
 * types `code` as its own literal; `docs/errors.md` lists them all.
 */
export class APNSError extends Error {
  static {
    brandError(this, 'APNSError');
  }

  /**
   * A stable, machine-readable identifier, e.g. `ERR_PUSHWIRE_INVALID_ARGUMENT`:
   * a literal type on each subclass (see each package's `ErrorCode`), and
   * `'ERR_PUSHWIRE'` on an `APNSError` raised as such.
   */
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
  static {
    brandError(this, 'InvalidArgumentError');
  }

  declare readonly code: 'ERR_PUSHWIRE_INVALID_ARGUMENT';
  declare readonly outcome: 'not-sent';
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
 * `size` and `limit` are UTF-8 byte counts. An {@link InvalidArgumentError}
 * (`field: 'payload'`), with its code.
 */
export class PayloadTooLargeError extends InvalidArgumentError {
  static {
    brandError(this, 'PayloadTooLargeError');
  }

  /** The encoded payload's size, in bytes. */
  readonly size: number;
  /** The push type's limit, in bytes. */
  readonly limit: number;

  constructor(size: number, limit: number) {
    super('payload', `the encoded payload is ${size} bytes, over the limit of ${limit} bytes`);
    this.name = 'PayloadTooLargeError';
    this.size = size;
    this.limit = limit;
  }
}

/**
 * APNs answered a channel-management request with success, but its body
 * does not have the documented shape (not JSON, a missing field). The
 * request was processed (`outcome: 'unknown'`: what APNs did is not known
 * from the answer); not retryable.
 */
export class BadResponseError extends APNSError {
  static {
    brandError(this, 'BadResponseError');
  }

  declare readonly code: 'ERR_PUSHWIRE_BAD_RESPONSE';
  declare readonly outcome: 'unknown';

  constructor(problem: string, options: APNSErrorOptions = {}) {
    super(`Unexpected channel-management response from APNs: ${problem}`, 'ERR_PUSHWIRE_BAD_RESPONSE', false, options, 'unknown');
    this.name = 'BadResponseError';
  }
}

/**
 * Every `code` the models tier can raise: `'ERR_PUSHWIRE'` (an
 * {@link APNSError} raised as such), bad input and a malformed success
 * response. Each tier's `ErrorCode` adds its own; `@pushwire/api`'s covers
 * them all (see `docs/errors.md`).
 * @example
 * const transport: ReadonlySet<ErrorCode> = new Set(['ERR_PUSHWIRE_INVALID_ARGUMENT']);
 */
export type ErrorCode = 'ERR_PUSHWIRE' | InvalidArgumentError['code'] | PayloadTooLargeError['code'] | BadResponseError['code'];
