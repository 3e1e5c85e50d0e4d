/**
 * Every `reason` APNs returns for device pushes, broadcasts and channel
 * management, with its HTTP status, a category and whether (and how) a
 * resend can help. This table is the one place APNs reasons are classified:
 * the `retryable` of an `APNSRejection`, the pool's retry and fail-the-pool
 * decisions and the connection's auth hook all read it (reasons it does not
 * know are classified by status, in {@link classifyReason}).
 * @module
 */

/**
 * What a reason means for the sender:
 * - `token-invalid`: the device token (or channel) is gone or wrong; stop using it;
 * - `request-malformed`: fix the request; resending it unchanged fails again;
 * - `auth-config`: credentials, certificate, topic or account setup;
 * - `throttled`: too fast; retry after a delay;
 * - `server-transient`: APNs-side trouble; retry with backoff.
 * @example
 * if (describeReason(reason)?.category === 'token-invalid') forget(token);
 */
export type ReasonCategory = 'token-invalid' | 'request-malformed' | 'auth-config' | 'throttled' | 'server-transient';

/**
 * Where a reason can come from.
 * @example
 * REASONS.ChannelNotRegistered.scopes; // ['broadcast']
 */
export type ReasonScope = 'device' | 'broadcast';

/**
 * How a resend of a rejected request can succeed:
 * - `'never'`: not at all as it is (fix the token, the request or the credentials);
 * - `'later'`: after a delay (`Retry-After`, or a back-off): 429, 500, 503;
 * - `'reconnect'`: at once, on another connection (this one is going away:
 *   `Shutdown`, `IdleTimeout`);
 * - `'new-token'`: once a new provider token is signed (`ExpiredProviderToken`).
 * @example
 * REASONS.Shutdown.resend; // 'reconnect'
 */
export type ReasonResend = 'never' | 'later' | 'reconnect' | 'new-token';

/**
 * One catalogue entry.
 * @example
 * const info: ReasonInfo | undefined = describeReason('TooManyRequests'); // status 429, throttled, retryable
 */
export interface ReasonInfo {
  /** The reason string, as in the response body. */
  readonly name: ReasonName;
  /** The HTTP status APNs sends it with. */
  readonly status: number;
  /** What kind of problem it is. */
  readonly category: ReasonCategory;
  /**
   * Whether sending again can succeed (`resend !== 'never'`): after a delay
   * (throttled, transient), on a new connection (`Shutdown`, `IdleTimeout`),
   * after re-signing the JWT (`ExpiredProviderToken`) or after waiting before
   * the next token update (`TooManyProviderTokenUpdates`).
   */
  readonly retryable: boolean;
  /** How a resend can succeed (see {@link ReasonResend}). */
  readonly resend: ReasonResend;
  /**
   * No request with these credentials (or this certificate) can succeed, so
   * a client that meets it fails at once (see {@link ReasonInfo.credentialStreak} for
   * the ones that fail it only when repeated).
   */
  readonly fatal: boolean;
  /**
   * About the provider token or the certificate: a connection's auth hook
   * (`TokenAuth`) hears about it, and may sign a new token or reconnect.
   */
  readonly auth: boolean;
  /**
   * A provider-token rejection that a freshly signed token may cure once, so
   * it fails a client only when it comes again and again (see
   * {@link CREDENTIAL_STREAK_REASONS}).
   */
  readonly credentialStreak: boolean;
  /** One line for humans. */
  readonly description: string;
  /** Device pushes (`/3/device`), broadcast/channel requests, or both. */
  readonly scopes: readonly ReasonScope[];
}

type Flags = '' | 'auth' | 'auth fatal' | 'auth streak';
type Entry = [status: number, category: ReasonCategory, resend: ReasonResend, scopes: 'd' | 'b' | 'db', flags: Flags, description: string];

// Statuses from Apple's "Handling notification responses" (device) and
// "Handling error responses" (broadcast and channels); see apns-protocol.md §4, §7.
const TABLE = {
  BadCollapseId: [400, 'request-malformed', 'never', 'd', '', 'The apns-collapse-id header is longer than 64 bytes.'],
  BadDeviceToken: [400, 'token-invalid', 'never', 'd', '', 'The device token is invalid, or belongs to the other environment (sandbox vs production).'],
  BadExpirationDate: [400, 'request-malformed', 'never', 'db', '', 'The apns-expiration value is bad.'],
  BadMessageId: [400, 'request-malformed', 'never', 'db', '', 'The apns-id (or apns-request-id) value is bad.'],
  BadPriority: [400, 'request-malformed', 'never', 'db', '', 'The apns-priority value is bad.'],
  BadTopic: [400, 'request-malformed', 'never', 'd', '', 'The apns-topic value is bad.'],
  DeviceTokenNotForTopic: [400, 'token-invalid', 'never', 'd', '', 'The device token does not match the topic.'],
  DuplicateHeaders: [400, 'request-malformed', 'never', 'd', '', 'One or more headers are repeated.'],
  IdleTimeout: [400, 'server-transient', 'reconnect', 'd', '', 'The connection was idle too long; reconnect and resend.'],
  InvalidPushType: [400, 'request-malformed', 'never', 'db', '', 'The apns-push-type value is invalid.'],
  MissingDeviceToken: [400, 'request-malformed', 'never', 'd', '', 'The request path has no device token.'],
  MissingTopic: [400, 'request-malformed', 'never', 'd', '', 'The apns-topic header is missing and required (multi-topic certificate).'],
  PayloadEmpty: [400, 'request-malformed', 'never', 'db', '', 'The message payload is empty.'],
  TopicDisallowed: [400, 'auth-config', 'never', 'db', '', 'Pushing to this topic is not allowed.'],
  BadCertificate: [403, 'auth-config', 'never', 'db', 'auth fatal', 'The certificate is invalid.'],
  BadCertificateEnvironment: [403, 'auth-config', 'never', 'db', 'auth fatal', 'The client certificate is for the wrong environment.'],
  ExpiredProviderToken: [403, 'auth-config', 'new-token', 'db', 'auth streak', 'The provider token is stale (iat over 1 hour old); sign a new one and retry.'],
  Forbidden: [403, 'auth-config', 'never', 'd', '', 'The specified action is not allowed.'],
  InvalidProviderToken: [403, 'auth-config', 'never', 'db', 'auth streak', 'The provider token is not valid, or its signature cannot be verified.'],
  MissingProviderToken: [403, 'auth-config', 'never', 'db', 'auth streak', 'No provider certificate or token was given.'],
  UnrelatedKeyIdInToken: [403, 'auth-config', 'never', 'd', 'auth', 'The token key is unrelated to the key already bound to this connection.'],
  BadEnvironmentKeyIdInToken: [403, 'auth-config', 'never', 'd', 'auth fatal', 'The token key is for the other environment.'],
  // Unverified spelling seen in client code; accepted alongside the documented one.
  BadEnvironmentKeyInToken: [403, 'auth-config', 'never', 'd', 'auth fatal', 'The token key is for the other environment (variant spelling).'],
  BadPath: [404, 'request-malformed', 'never', 'db', '', 'The request path is bad.'],
  MethodNotAllowed: [405, 'request-malformed', 'never', 'db', '', 'The HTTP method is not allowed (pushes use POST).'],
  ExpiredToken: [410, 'token-invalid', 'never', 'd', '', 'The device token has expired.'],
  Unregistered: [410, 'token-invalid', 'never', 'd', '', 'The device token is no longer active for the topic.'],
  PayloadTooLarge: [413, 'request-malformed', 'never', 'db', '', 'The payload is too large (4096 bytes; 5120 for VoIP and broadcast).'],
  TooManyProviderTokenUpdates: [429, 'throttled', 'later', 'db', 'auth', 'The provider token changed too often (more than once per 20 minutes); retry after a delay.'],
  TooManyRequests: [429, 'throttled', 'later', 'db', '', 'Too many requests to the same device token; retry after a delay.'],
  InternalServerError: [500, 'server-transient', 'later', 'db', '', 'An internal server error occurred; retry with backoff.'],
  ServiceUnavailable: [503, 'server-transient', 'later', 'db', '', 'The service is unavailable; retry with backoff.'],
  Shutdown: [503, 'server-transient', 'reconnect', 'db', '', 'The APNs server is shutting down; reconnect and retry.'],
  FeatureNotEnabled: [400, 'auth-config', 'never', 'b', '', 'Broadcast push is not enabled for this app.'],
  MissingChannelId: [400, 'request-malformed', 'never', 'b', '', 'The apns-channel-id header is missing.'],
  BadChannelId: [400, 'request-malformed', 'never', 'b', '', 'The apns-channel-id value is malformed.'],
  ChannelNotRegistered: [400, 'token-invalid', 'never', 'b', '', 'The channel does not exist (deleted, or another environment).'],
  BadRequestParams: [400, 'request-malformed', 'never', 'b', '', 'The request parameters are bad.'],
  BadRequestPayload: [400, 'request-malformed', 'never', 'b', '', 'The request body is bad (e.g. channel config JSON).'],
  MissingPushType: [400, 'request-malformed', 'never', 'b', '', 'The push type is missing.'],
  CannotCreateChannelConfig: [400, 'auth-config', 'never', 'b', '', 'The channel limit for the app (10,000 per environment) is reached.'],
  // Reported by third parties, not in Apple's list (unverified).
  MissingChannelQueueSize: [400, 'request-malformed', 'never', 'b', '', 'The channel message-storage policy is missing (unverified reason).'],
  TopicMismatch: [403, 'auth-config', 'never', 'b', '', 'The bundle id in the path does not match the credentials.'],
} as const satisfies Record<string, Entry>;

/**
 * Every reason string in the catalogue.
 * @example
 * const reason: ReasonName = 'BadDeviceToken';
 */
export type ReasonName = keyof typeof TABLE;

const SCOPES: Readonly<Record<Entry[3], readonly ReasonScope[]>> = {
  d: Object.freeze(['device'] as const),
  b: Object.freeze(['broadcast'] as const),
  db: Object.freeze(['device', 'broadcast'] as const),
};

/**
 * The reasons catalogue, keyed by reason string.
 * @example
 * REASONS.Unregistered; // { name: 'Unregistered', status: 410, category: 'token-invalid', retryable: false, … }
 */
export const REASONS: Readonly<Record<ReasonName, ReasonInfo>> = Object.freeze(
  Object.fromEntries(
    Object.entries(TABLE).map(([name, entry]) => {
      const [status, category, resend, scopes, flags, description] = entry as Entry;
      const flag = new Set(flags.split(' '));
      const info: ReasonInfo = {
        name: name as ReasonName,
        status,
        category,
        retryable: resend !== 'never',
        resend,
        fatal: flag.has('fatal'),
        auth: flag.has('auth'),
        credentialStreak: flag.has('streak'),
        description,
        scopes: SCOPES[scopes],
      };
      return [name, Object.freeze(info)];
    }),
  ) as Record<ReasonName, ReasonInfo>,
);

/**
 * Every reason name, in catalogue order.
 * @example
 * REASON_NAMES.filter((name) => REASONS[name].status === 410); // ['ExpiredToken', 'Unregistered']
 */
export const REASON_NAMES: readonly ReasonName[] = Object.freeze(Object.keys(TABLE) as ReasonName[]);

/**
 * Provider-token rejections that a freshly signed token may cure once, so
 * they are fatal only when they come again and again (a client fails after
 * 3 in a row with no success between): the key, key id or team id is wrong,
 * or the machine's clock is (a just-signed token refused as expired). The
 * reasons whose {@link ReasonInfo.credentialStreak} is set.
 * @example
 * CREDENTIAL_STREAK_REASONS.has('InvalidProviderToken'); // true
 */
export const CREDENTIAL_STREAK_REASONS: ReadonlySet<ReasonName> = new Set(REASON_NAMES.filter((name) => REASONS[name].credentialStreak));

/**
 * Rejections about the provider token or the certificate, which a
 * connection's auth hook hears about: the reasons whose
 * {@link ReasonInfo.auth} is set.
 * @example
 * AUTH_REASONS.has('ExpiredProviderToken'); // true
 */
export const AUTH_REASONS: ReadonlySet<ReasonName> = new Set(REASON_NAMES.filter((name) => REASONS[name].auth));

/**
 * True when `name` is a reason in the catalogue (own keys only, so
 * `'constructor'` or `'__proto__'` are not reasons).
 * @example
 * isReasonName('BadTopic'); // true
 */
export function isReasonName(name: unknown): name is ReasonName {
  return typeof name === 'string' && Object.hasOwn(REASONS, name);
}

/**
 * Looks a reason up.
 * @returns the catalogue entry, or `undefined` for a string APNs is not
 *   known to send (classify those by HTTP status).
 * @example
 * describeReason('TooManyRequests')?.category; // 'throttled'
 * describeReason('SomethingNew');              // undefined
 */
export function describeReason(name: string): ReasonInfo | undefined {
  return isReasonName(name) ? REASONS[name] : undefined;
}

/**
 * Whether a retry can help for this reason; `false` for unknown reasons.
 * @example
 * isRetryableReason('ServiceUnavailable'); // true
 * isRetryableReason('BadDeviceToken');     // false
 */
export function isRetryableReason(name: string): boolean {
  return describeReason(name)?.retryable === true;
}

/**
 * Whether `name` is a reason no retry can fix (certificate or key for the
 * wrong environment, a refused certificate); `false` for unknown reasons.
 * @example
 * isFatalReason('BadCertificateEnvironment'); // true
 * isFatalReason('TooManyRequests');           // false
 */
export function isFatalReason(name: string | undefined): boolean {
  return name !== undefined && describeReason(name)?.fatal === true;
}

/**
 * What a rejection means, from the catalogue: the fields of
 * {@link ReasonInfo} that decide what to do with it.
 */
export type ReasonClass = Pick<ReasonInfo, 'category' | 'retryable' | 'resend' | 'fatal' | 'auth' | 'credentialStreak'>;

const byStatus = (category: ReasonCategory, resend: ReasonResend): ReasonClass =>
  Object.freeze({ category, retryable: resend !== 'never', resend, fatal: false, auth: false, credentialStreak: false });
const THROTTLED = byStatus('throttled', 'later');
const SERVER_TRANSIENT = byStatus('server-transient', 'later');
const TOKEN_INVALID = byStatus('token-invalid', 'never');
const AUTH_CONFIG = byStatus('auth-config', 'never');
const REQUEST_MALFORMED = byStatus('request-malformed', 'never');

/**
 * Classifies one non-2xx APNs answer: the catalogue entry when it knows
 * the reason, otherwise a conservative guess from the status (only 429 and
 * 5xx are worth sending again, after a delay; 410 means the token is gone,
 * 403 the credentials or setup, anything else the request).
 * @example
 * classifyReason(503, 'Shutdown').resend;     // 'reconnect'
 * classifyReason(502, 'SomethingNew').resend; // 'later'
 * classifyReason(400, undefined).retryable;   // false
 */
export function classifyReason(status: number, reason: string | undefined): ReasonClass {
  const known = reason === undefined ? undefined : describeReason(reason);
  if (known !== undefined) return known;
  if (status === 429) return THROTTLED;
  if (status >= 500) return SERVER_TRANSIENT;
  if (status === 410) return TOKEN_INVALID;
  if (status === 403) return AUTH_CONFIG;
  return REQUEST_MALFORMED;
}
