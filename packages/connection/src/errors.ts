/**
 * Errors of one HTTP/2 connection. All are {@link APNSError}s with a stable
 * `code` (a literal type; {@link ErrorCode} lists them), branded for
 * `instanceof` across copies of the package; `retryable` says whether the
 * request may be sent again.
 */
import { APNSError, brandError, isFatalReason, type APNSErrorOptions, type ErrorCode as ModelsErrorCode } from '@pushwire/models';

/**
 * What became of a request that got no answer:
 * - `'not-sent'`: provably never processed (above GOAWAY's last-stream-id,
 *   REFUSED_STREAM, or never written): safe to resend.
 * - `'unknown'`: cut mid-flight (socket error, reset, no answer in time): a
 *   resend may deliver twice.
 */
export type Unanswered = 'not-sent' | 'unknown';

/** No free stream (or no room in the server's flow-control window) on this connection right now. Nothing was written. */
export class Blocked extends APNSError {
  static {
    brandError(this, 'Blocked');
  }

  declare readonly code: 'ERR_PUSHWIRE_BLOCKED';
  declare readonly outcome: 'not-sent';

  constructor(message = 'No free stream on the connection', options: APNSErrorOptions = {}) {
    super(message, 'ERR_PUSHWIRE_BLOCKED', true, options);
    this.name = 'Blocked';
  }
}

/** Options for {@link Closed}. */
export interface ClosedOptions extends APNSErrorOptions {
  /** Whether APNs may have seen the request. @default 'unknown' */
  outcome?: Unanswered;
  /**
   * Whether a resend can succeed; defaults to `outcome === 'not-sent'`
   * unless `goawayReason` is fatal in the models reasons table (e.g. GOAWAY
   * `BadCertificateEnvironment`: no resend with these credentials can succeed).
   */
  retryable?: boolean;
  /** The reason from a GOAWAY's JSON debug data, e.g. `BadCertificateEnvironment`. */
  goawayReason?: string;
  /** The HTTP/2 error code of the GOAWAY or RST_STREAM, when there was one. */
  http2Code?: number;
}

/**
 * The connection (or the stream) closed before a response arrived.
 * Retryable only when its `outcome` is `'not-sent'` (and the close is not fatal).
 */
export class Closed extends APNSError {
  static {
    brandError(this, 'Closed');
  }

  declare readonly code: 'ERR_PUSHWIRE_CLOSED';
  declare readonly outcome: Unanswered;
  /** The reason from the connection's GOAWAY, when there was one (e.g. `Shutdown`). */
  readonly goawayReason: string | undefined;
  /** The HTTP/2 error code of the GOAWAY or RST_STREAM, when there was one. */
  readonly http2Code: number | undefined;

  constructor(message = 'Connection closed', options: ClosedOptions = {}) {
    const outcome = options.outcome ?? 'unknown';
    const retryable = options.retryable ?? (outcome === 'not-sent' && !isFatalReason(options.goawayReason));
    super(message, 'ERR_PUSHWIRE_CLOSED', retryable, options, outcome);
    this.name = 'Closed';
    this.goawayReason = options.goawayReason;
    this.http2Code = options.http2Code;
  }
}

/** Options for {@link Timeout}. */
export interface TimeoutOptions extends APNSErrorOptions {
  /**
   * `'unknown'` when the request was written (APNs may have it),
   * `'not-sent'` when it was still waiting (queued, or auth headers pending).
   * @default 'unknown'
   */
  outcome?: Unanswered;
}

/**
 * The request's time ran out. On a connection its stream is reset with
 * CANCEL (`outcome: 'unknown'`: APNs may have processed it); in a pool, a post
 * still waiting for a stream ends `'not-sent'` (then `retryable`).
 */
export class Timeout extends APNSError {
  static {
    brandError(this, 'Timeout');
  }

  declare readonly code: 'ERR_PUSHWIRE_TIMEOUT';
  declare readonly outcome: Unanswered;
  /** Milliseconds the request was allowed. */
  readonly timeout: number;

  constructor(timeout: number, message = `Request timed out after ${timeout} ms`, options: TimeoutOptions = {}) {
    const outcome = options.outcome ?? 'unknown';
    super(message, 'ERR_PUSHWIRE_TIMEOUT', outcome === 'not-sent', options, outcome);
    this.name = 'Timeout';
    this.timeout = timeout;
  }
}

/**
 * Connecting failed (DNS, TCP, TLS handshake, bad credentials files).
 * Nothing was written, so a retry on a new connection is safe; `retryable`
 * is `false` when a retry cannot help: unreadable certificate files, a server
 * certificate that fails verification (`UNABLE_TO_*`, `CERT_*`,
 * `DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`, ...) or a
 * refused TLS handshake. The `cause`, when kept, is the peer or network error.
 */
export class ConnectError extends APNSError {
  static {
    brandError(this, 'ConnectError');
  }

  declare readonly code: 'ERR_PUSHWIRE_CONNECT';
  declare readonly outcome: 'not-sent';

  constructor(message: string, options: APNSErrorOptions & { retryable?: boolean } = {}) {
    super(message, 'ERR_PUSHWIRE_CONNECT', options.retryable ?? true, options);
    this.name = 'ConnectError';
  }
}

/**
 * The server broke the HTTP/2 protocol, or sent more than the limits allow
 * (a header block too large to decode, a frame too big). The connection
 * ends with GOAWAY carrying `http2Code`; a request in flight on it rejects
 * with {@link Closed} (this error as its `cause`): `'unknown'` when it was
 * written, `'not-sent'` when the server's GOAWAY or the stream id says so.
 */
export class ProtocolError extends APNSError {
  static {
    brandError(this, 'ProtocolError');
  }

  declare readonly code: 'ERR_PUSHWIRE_PROTOCOL';
  declare readonly outcome: 'unknown';
  /** The HTTP/2 error code sent in our GOAWAY (e.g. 1 PROTOCOL_ERROR, 6 FRAME_SIZE_ERROR, 9 COMPRESSION_ERROR). */
  readonly http2Code: number;

  constructor(message: string, http2Code: number, options: APNSErrorOptions = {}) {
    super(message, 'ERR_PUSHWIRE_PROTOCOL', false, options, 'unknown');
    this.name = 'ProtocolError';
    this.http2Code = http2Code;
  }
}

/**
 * The auth hook (`ConnectionOptions.auth`, e.g. a `TokenAuth`) threw or
 * rejected while providing a request's headers, with something that is not
 * an {@link APNSError} (those pass through as they are). `cause` is what it
 * threw. Nothing was written (`'not-sent'`); not retryable: the same hook
 * would likely fail again.
 */
export class AuthHookError extends APNSError {
  static {
    brandError(this, 'AuthHookError');
  }

  declare readonly code: 'ERR_PUSHWIRE_AUTH';
  declare readonly outcome: 'not-sent';

  constructor(message = 'The auth hook failed to provide headers', options: APNSErrorOptions = {}) {
    super(message, 'ERR_PUSHWIRE_AUTH', false, options);
    this.name = 'AuthHookError';
  }
}

/**
 * Every `code` the connection tier can raise: the models tier's, plus one
 * per class above. Switch on it with the compiler checking the cases.
 * @example
 * const transport: ReadonlySet<ErrorCode> = new Set(['ERR_PUSHWIRE_CONNECT', 'ERR_PUSHWIRE_CLOSED', 'ERR_PUSHWIRE_TIMEOUT']);
 */
export type ErrorCode =
  | ModelsErrorCode
  | Blocked['code']
  | Closed['code']
  | Timeout['code']
  | ConnectError['code']
  | ProtocolError['code']
  | AuthHookError['code'];
