/**
 * Errors specific to the app-facing API. Everything else a send can reject
 * with comes from the tiers below, unchanged: `InvalidArgumentError` and
 * `PayloadTooLargeError` (models, before any I/O), `Timeout`, `Closed`,
 * `ConnectError` (connection and pool), `AbortError` and `ResponseError`
 * (pool). `docs/errors.md` lists every class and code.
 */
import type { ErrorCode as PoolErrorCode } from '@pushwire/pool';
import { APNSError, InvalidArgumentError, brandError, classifyReason, logSafe, type ReasonCategory } from '@pushwire/models';
import type { BatchResult } from './batch-result.js';

/** What {@link APNSRejection} is built from: one non-200 APNs response. */
export interface RejectionInit {
  /** HTTP status, e.g. 400, 410, 429. */
  status: number;
  /** APNs `reason`, e.g. `BadDeviceToken`; `undefined` when the body had none. Kept verbatim on the error; its message shows a log-safe copy. */
  reason: string | undefined;
  /** For 410: when APNs last saw the token invalid for the topic, ms since epoch. */
  timestamp?: number | undefined;
  /** The `apns-id` APNs answered with. */
  apnsId?: string | undefined;
  /** Channel and broadcast requests: the `apns-request-id` APNs answered with. */
  requestId?: string | undefined;
  /** This answer failed the client (see `Client.failure`): not retryable, whatever the reason. */
  fatal?: boolean;
  /** What was refused, for the message. @default 'notification' */
  subject?: 'notification' | 'broadcast' | 'channel request';
}

/**
 * APNs answered and said no: a definitive rejection of one notification,
 * broadcast or channel request (`ChannelNotRegistered`, `BadChannelId`, … for
 * channels; `category: 'token-invalid'` means the channel is gone).
 *
 * The request reached APNs and was refused, so it was not delivered.
 * `retryable` comes from the models reasons table (`classifyReason`):
 * `true` for throttling and transient server errors (429, 500, 503,
 * `Shutdown`) and a stale provider token (`ExpiredProviderToken`: a new one
 * is signed for the resend); `false` for a dead token (`Unregistered`,
 * `BadDeviceToken`), a malformed request, bad credentials, and any answer
 * that failed the client.
 *
 * @example
 * ```ts
 * try { await client.sendNotification(token, note, { topic }); }
 * catch (e) {
 *   if (e instanceof APNSRejection && e.category === 'token-invalid') forget(token);
 * }
 * ```
 */
export class APNSRejection extends APNSError {
  static {
    brandError(this, 'APNSRejection');
  }

  declare readonly code: 'ERR_PUSHWIRE_REJECTED';
  declare readonly outcome: 'rejected';
  /** HTTP status of the response. */
  readonly status: number;
  /**
   * APNs `reason` string exactly as the server sent it (`'Unknown'` when the
   * response carried none). The message shows a log-safe copy (control
   * characters replaced by `?`, cut at 100 characters with `…`); this
   * property is the original, so it may be long or hold newlines: escape it
   * before logging it yourself.
   */
  readonly reason: string;
  /** 410 only: when the token became invalid, ms since epoch (Apple's clock). */
  readonly timestamp: number | undefined;
  /** `apns-id` of the rejected notification. */
  override readonly apnsId: string | undefined;
  /** `apns-request-id` of a rejected broadcast or channel request (quote it to Apple). */
  readonly requestId: string | undefined;
  /** The reasons catalogue's class of this reason, to decide what to do. */
  readonly category: ReasonCategory;

  constructor(init: RejectionInit) {
    const reason = init.reason ?? 'Unknown';
    const info = classifyReason(init.status, reason);
    const shown = `${init.status} ${logSafe(reason)}`;
    super(`APNs rejected the ${init.subject ?? 'notification'}: ${shown}`, 'ERR_PUSHWIRE_REJECTED', info.retryable && init.fatal !== true, {}, 'rejected');
    this.name = 'APNSRejection';
    this.status = init.status;
    this.reason = reason;
    this.timestamp = init.timestamp;
    this.apnsId = init.apnsId;
    this.requestId = init.requestId;
    this.category = info.category;
  }
}

/**
 * A bulk send stopped early: the token source threw (`origin: 'source'`) or
 * an `onProgress` / `onResult` callback threw (`origin: 'callback'`). The
 * error is in `cause`. Nothing more was pulled; tokens already pulled were
 * sent and their results are in `partial` (a `BatchResult`).
 */
export class BatchInterrupted extends APNSError {
  static {
    brandError(this, 'BatchInterrupted');
  }

  declare readonly code: 'ERR_PUSHWIRE_BATCH_INTERRUPTED';
  declare readonly outcome: 'not-sent';
  /** What threw. */
  readonly origin: 'source' | 'callback';
  /** Results of every token pulled before the interruption. */
  readonly partial: BatchResult;

  constructor(origin: 'source' | 'callback', cause: unknown, partial: BatchResult) {
    const what = origin === 'source' ? 'the token source' : 'a callback';
    super(`sendMany stopped because ${what} threw; see \`cause\`, results so far are in \`partial\``, 'ERR_PUSHWIRE_BATCH_INTERRUPTED', false, {
      cause,
    });
    this.name = 'BatchInterrupted';
    this.origin = origin;
    this.partial = partial;
  }
}

/**
 * A token file (see `tokensFromFile`) could not be read: missing, not
 * readable, a directory, corrupt or truncated gzip data, or not a token file
 * at all (a line over 65,536 characters). `path` names the file, `reason`
 * says why in a few words (never the file's content), `cause` is the
 * underlying `node:fs` or `node:zlib` error. In `sendMany` it arrives as the
 * `cause` of a `BatchInterrupted` with `origin: 'source'`.
 *
 * @example
 * ```ts
 * try { await client.sendMany(tokensFromFile(path), note, { topic }, { collect: 'none', onResult }); }
 * catch (e) {
 *   if (e instanceof BatchInterrupted && e.cause instanceof TokenFileError) console.error(e.cause.reason); // 'no such file'
 * }
 * ```
 */
export class TokenFileError extends APNSError {
  static {
    brandError(this, 'TokenFileError');
  }

  declare readonly code: 'ERR_PUSHWIRE_TOKEN_FILE';
  declare readonly outcome: 'not-sent';
  /** The file, as given. */
  readonly path: string;
  /** Why, in a few words: `'no such file'`, `'permission denied'`, `'not valid gzip data'`, ... */
  readonly reason: string;

  constructor(path: string, reason: string, options: { cause?: unknown } = {}) {
    super(`Cannot read the token file '${logSafe(path, 200)}': ${reason}`, 'ERR_PUSHWIRE_TOKEN_FILE', false, options);
    this.name = 'TokenFileError';
    this.path = path;
    this.reason = reason;
  }
}

/**
 * A credential or CA given as a file path (`auth.cert`, `auth.key`,
 * `auth.pfx`, `auth.token.key`, `ca`, `extraCa`: a string that is not PEM
 * text is read as a path when the `Server` is made) could not be read: missing, not readable, a
 * directory, empty. An {@link InvalidArgumentError} (same code; `field` names
 * the option), plus the `path` as given and a short `reason`; `cause` is the
 * `node:fs` error. The message never holds the file's contents.
 *
 * @example
 * ```ts
 * try { Server.production({ token: { keyId, teamId, key: '/etc/apns/AuthKey.p8' } }); }
 * catch (e) {
 *   if (e instanceof CredentialFileError) console.error(e.field, e.path, e.reason); // 'auth.token.key' '/etc/apns/AuthKey.p8' 'no such file'
 * }
 * ```
 */
export class CredentialFileError extends InvalidArgumentError {
  static {
    brandError(this, 'CredentialFileError');
  }

  /** The path, as given. */
  readonly path: string;
  /** Why, in a few words: `'no such file'`, `'permission denied'`, `'is a directory'`, `'empty file'`, ... */
  readonly reason: string;

  constructor(field: string, path: string, reason: string, options: { cause?: unknown } = {}) {
    super(field, `cannot read the file '${logSafe(path, 200)}' (a string that is not PEM text is read as a path): ${reason}`, options);
    this.name = 'CredentialFileError';
    this.path = path;
    this.reason = reason;
  }
}

/**
 * The error of one `sendNotification`, carrying the `apns-id` it sent. The
 * pool's errors can be shared by many sends (one closed pool, one fatal
 * failure), so each send gets its own copy: same class, message, code,
 * outcome and cause, plus `apnsId`.
 * @internal
 */
export function withApnsId(error: unknown, apnsId: string | undefined): unknown {
  if (apnsId === undefined || !(error instanceof APNSError) || error.apnsId !== undefined) return error;
  // A real Error underneath (so inspection and logging treat it as one), of the same class.
  const copy = new Error(error.message) as APNSError;
  Object.setPrototypeOf(copy, Object.getPrototypeOf(error) as object);
  Object.defineProperties(copy, Object.getOwnPropertyDescriptors(error));
  Object.defineProperty(copy, 'apnsId', { value: apnsId, enumerable: true });
  return copy;
}

/**
 * Every `code` a pushwire send, bulk send or token file can raise: the pool
 * tier's (which include the connection and models tiers'), plus
 * {@link APNSRejection}'s, {@link BatchInterrupted}'s and
 * {@link TokenFileError}'s. `docs/errors.md` has one row per code.
 * @example
 * function isTransport(code: ErrorCode): boolean {
 *   return code === 'ERR_PUSHWIRE_CONNECT' || code === 'ERR_PUSHWIRE_CLOSED' || code === 'ERR_PUSHWIRE_TIMEOUT';
 * }
 */
export type ErrorCode = PoolErrorCode | APNSRejection['code'] | BatchInterrupted['code'] | TokenFileError['code'];
