/** Public types shared by the connection tier and the tiers above it. */

/** A response from APNs, whatever its status. The connection does not judge it. */
export interface Response {
  /** HTTP status: 200 success, 4xx/5xx rejection. */
  readonly status: number;
  /** `apns-id` header (APNs generates one when the request had none). */
  readonly apnsId: string | undefined;
  /** `apns-unique-id` header (development environment only). */
  readonly apnsUniqueId: string | undefined;
  /** `reason` from the JSON body of a rejection. */
  readonly reason: string | undefined;
  /** For 410: when the token was last seen invalid, ms since epoch. */
  readonly timestamp: number | undefined;
  /** `retry-after` header in seconds, when present (429/503). */
  readonly retryAfter: number | undefined;
  /** All response headers for uncommon needs (channel ids, request ids), as `node:http2` received them (`:status` included). */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body, when the response had one. */
  readonly body: string | undefined;
  /**
   * `true` when the body passed `maxResponseBody` and was dropped unread (the
   * stream was reset): the status stands, `body` and `reason` are undefined.
   */
  readonly bodyDropped?: true;
  /**
   * For an auth rejection (403/429 with an auth reason) on a connection with
   * an auth hook: what the hook's `onRejection` answered. `'retry'` means a
   * resend can succeed; `'reconnect'` means this connection is draining and
   * the resend belongs on a new one.
   */
  readonly authAction?: AuthAction;
}

/**
 * Receives the outcome of {@link Connection.postWith}: exactly one call,
 * `onResponse` for any HTTP status or `onError` for a failure, with the tag
 * given to `postWith`. One sink object can serve every request (the tag
 * says which one), so a post allocates no promise and no closures.
 *
 * Calls come from `node:http2` event handlers (or, for a request refused at
 * once, from inside `postWith`). A sink should not throw; if it does, the
 * exception is re-thrown on a microtask, after the connection's bookkeeping.
 */
export interface ResponseSink<T> {
  /** A response arrived (any status: a rejection is a value). */
  onResponse(tag: T, response: Response): void;
  /** `Blocked`, `Closed`, `Timeout`, `InvalidArgumentError` or an auth-hook `APNSError`. */
  onError(tag: T, error: Error): void;
}

/** What an auth hook learns about the connection asking it. */
export interface AuthContext {
  /** The origin, e.g. `https://api.push.apple.com`. */
  readonly origin: string;
  /** A process-unique connection number. */
  readonly connectionId: number;
  /**
   * In `onRejection` only: the auth headers the rejected request carried, so
   * a hook can tell a rejection of a token it has already replaced.
   */
  readonly sentHeaders?: Readonly<Record<string, string>>;
}

/** What to do after an auth rejection. */
export type AuthAction =
  /** Nothing; the rejection is final for this request. */
  | 'none'
  /** Credentials were refreshed; sending the request again can succeed. */
  | 'retry'
  /** Credentials were refreshed and this connection must be replaced first. */
  | 'reconnect';

/**
 * The auth hook: the connection asks it for request headers and tells it
 * about auth rejections. Token auth is one implementation; users can plug
 * in their own for experiments.
 */
export interface AuthHook {
  /**
   * Headers to add to each request, e.g. `{ authorization: 'bearer <jwt>' }`.
   * Return a plain object synchronously on the hot path; a promise is awaited.
   * Return the same object while the headers stay the same and a new one
   * when they change (never mutate a returned object): the connection
   * checks and merges each object once and reuses the result by identity.
   */
  headers(context: AuthContext): Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>;
  /** Called for 403/429 responses whose reason is about auth. */
  onRejection?(reason: string, context: AuthContext): AuthAction | Promise<AuthAction>;
}

/** TLS material for certificate auth, and the CAs to trust (`ca` replaces Node's roots, `extraCa` adds to them). */
export interface TlsOptions {
  /** Client certificate (PEM) for certificate auth. */
  cert?: string | Buffer;
  /** Client private key (PEM) for certificate auth. */
  key?: string | Buffer;
  /** PKCS#12 bundle instead of cert + key. */
  pfx?: Buffer;
  /** Passphrase of `pfx` or of an encrypted `key`. Never logged. */
  passphrase?: string;
  /**
   * CA certificates (PEM) to trust **instead of** Node's default roots: with
   * `ca` set, only these CAs are trusted, so a server with a publicly trusted
   * certificate (APNs itself) fails verification unless its root is in the
   * list. Meant to pin a test server's CA (a mock server's `ca`); it fails
   * safe. To trust a CA in addition to the default roots, use
   * {@link TlsOptions.extraCa}. Verification stays on either way.
   */
  ca?: string | Buffer | Array<string | Buffer>;
  /**
   * CA certificates (PEM) to trust **in addition to** the roots: Node's
   * bundled roots (`tls.rootCertificates`), or `ca` when that is set. E.g.
   * a corporate TLS-inspecting proxy's CA, while APNs' real certificate
   * still verifies. Each entry must hold at least one PEM certificate.
   * Building the trust store from Node's ~150 roots costs about 20 ms of CPU
   * per connection.
   */
  extraCa?: string | Buffer | Array<string | Buffer>;
  /** TLS server name override (SNI); defaults to the origin's host. */
  servername?: string;
}
