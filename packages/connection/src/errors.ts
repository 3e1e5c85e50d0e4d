/**
 * Errors of one HTTP/2 connection. All are {@link APNSError}s with a stable
 * `code`; `retryable` says whether the pool may send the request again.
 */
import { APNSError, type APNSErrorOptions } from '@pushwire/models';

/**
 * Whether APNs may have processed a request that failed.
 * - `false`: provably never processed (above GOAWAY's last-stream-id,
 *   REFUSED_STREAM, or never written): safe to resend.
 * - `'unknown'`: cut mid-flight (socket error, reset): a resend may deliver twice.
 */
export type Processed = false | 'unknown';

/** No free stream (or no room in the server's flow-control window) on this connection right now. Nothing was written. */
export class Blocked extends APNSError {
  constructor(message = 'No free stream on the connection', options: APNSErrorOptions = {}) {
    super(message, 'ERR_PUSHWIRE_BLOCKED', true, options);
    this.name = 'Blocked';
  }
}

/** Options for {@link Closed}. */
export interface ClosedOptions extends APNSErrorOptions {
  /** Whether APNs may have seen the request. */
  processed?: Processed;
  /** The reason from a GOAWAY's JSON debug data, e.g. `BadCertificateEnvironment`. */
  goawayReason?: string;
  /** The HTTP/2 error code of the GOAWAY or RST_STREAM, when there was one. */
  http2Code?: number;
}

/**
 * The connection (or the stream) closed before a response arrived.
 * Retryable only when `processed` is `false`.
 */
export class Closed extends APNSError {
  readonly processed: Processed;
  readonly goawayReason: string | undefined;
  readonly http2Code: number | undefined;

  constructor(message = 'Connection closed', options: ClosedOptions = {}) {
    const processed = options.processed ?? 'unknown';
    super(message, 'ERR_PUSHWIRE_CLOSED', processed === false, options);
    this.name = 'Closed';
    this.processed = processed;
    this.goawayReason = options.goawayReason;
    this.http2Code = options.http2Code;
  }
}

/** The request's deadline passed; its stream was reset with CANCEL. */
export class Timeout extends APNSError {
  /** Milliseconds the request was allowed. */
  readonly timeout: number;

  constructor(timeout: number, message = `Request timed out after ${timeout} ms`, options: APNSErrorOptions = {}) {
    super(message, 'ERR_PUSHWIRE_TIMEOUT', false, options);
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
  constructor(message: string, options: APNSErrorOptions & { retryable?: boolean } = {}) {
    super(message, 'ERR_PUSHWIRE_CONNECT', options.retryable ?? true, options);
    this.name = 'ConnectError';
  }
}
