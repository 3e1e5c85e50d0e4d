/**
 * Every `reason` APNs returns for device pushes, broadcasts and channel
 * management, with its HTTP status, a category and whether a retry can help.
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
   * Whether sending again can succeed: after a delay (throttled, transient),
   * after re-signing the JWT (ExpiredProviderToken) or after waiting before
   * the next token update (TooManyProviderTokenUpdates).
   */
  readonly retryable: boolean;
  /**
   * No request with these credentials (or this certificate) can succeed, so
   * a client that meets it fails at once (see {@link CREDENTIAL_STREAK_REASONS}
   * for the ones that fail it only when repeated).
   */
  readonly fatal: boolean;
  /** One line for humans. */
  readonly description: string;
  /** Device pushes (`/3/device`), broadcast/channel requests, or both. */
  readonly scopes: readonly ReasonScope[];
}

type Entry = [status: number, category: ReasonCategory, retryable: boolean, scopes: 'd' | 'b' | 'db', description: string];

// Statuses from Apple's "Handling notification responses" (device) and
// "Handling error responses" (broadcast and channels); see apns-protocol.md §4, §7.
const TABLE = {
  BadCollapseId: [400, 'request-malformed', false, 'd', 'The apns-collapse-id header is longer than 64 bytes.'],
  BadDeviceToken: [400, 'token-invalid', false, 'd', 'The device token is invalid, or belongs to the other environment (sandbox vs production).'],
  BadExpirationDate: [400, 'request-malformed', false, 'db', 'The apns-expiration value is bad.'],
  BadMessageId: [400, 'request-malformed', false, 'db', 'The apns-id (or apns-request-id) value is bad.'],
  BadPriority: [400, 'request-malformed', false, 'db', 'The apns-priority value is bad.'],
  BadTopic: [400, 'request-malformed', false, 'd', 'The apns-topic value is bad.'],
  DeviceTokenNotForTopic: [400, 'token-invalid', false, 'd', 'The device token does not match the topic.'],
  DuplicateHeaders: [400, 'request-malformed', false, 'd', 'One or more headers are repeated.'],
  IdleTimeout: [400, 'server-transient', true, 'd', 'The connection was idle too long; reconnect and resend.'],
  InvalidPushType: [400, 'request-malformed', false, 'db', 'The apns-push-type value is invalid.'],
  MissingDeviceToken: [400, 'request-malformed', false, 'd', 'The request path has no device token.'],
  MissingTopic: [400, 'request-malformed', false, 'd', 'The apns-topic header is missing and required (multi-topic certificate).'],
  PayloadEmpty: [400, 'request-malformed', false, 'db', 'The message payload is empty.'],
  TopicDisallowed: [400, 'auth-config', false, 'db', 'Pushing to this topic is not allowed.'],
  BadCertificate: [403, 'auth-config', false, 'db', 'The certificate is invalid.'],
  BadCertificateEnvironment: [403, 'auth-config', false, 'db', 'The client certificate is for the wrong environment.'],
  ExpiredProviderToken: [403, 'auth-config', true, 'db', 'The provider token is stale (iat over 1 hour old); sign a new one and retry.'],
  Forbidden: [403, 'auth-config', false, 'd', 'The specified action is not allowed.'],
  InvalidProviderToken: [403, 'auth-config', false, 'db', 'The provider token is not valid, or its signature cannot be verified.'],
  MissingProviderToken: [403, 'auth-config', false, 'db', 'No provider certificate or token was given.'],
  UnrelatedKeyIdInToken: [403, 'auth-config', false, 'd', 'The token key is unrelated to the key already bound to this connection.'],
  BadEnvironmentKeyIdInToken: [403, 'auth-config', false, 'd', 'The token key is for the other environment.'],
  // Unverified spelling seen in client code; accepted alongside the documented one.
  BadEnvironmentKeyInToken: [403, 'auth-config', false, 'd', 'The token key is for the other environment (variant spelling).'],
  BadPath: [404, 'request-malformed', false, 'db', 'The request path is bad.'],
  MethodNotAllowed: [405, 'request-malformed', false, 'db', 'The HTTP method is not allowed (pushes use POST).'],
  ExpiredToken: [410, 'token-invalid', false, 'd', 'The device token has expired.'],
  Unregistered: [410, 'token-invalid', false, 'd', 'The device token is no longer active for the topic.'],
  PayloadTooLarge: [413, 'request-malformed', false, 'db', 'The payload is too large (4096 bytes; 5120 for VoIP and broadcast).'],
  TooManyProviderTokenUpdates: [429, 'throttled', true, 'db', 'The provider token changed too often (more than once per 20 minutes); retry after a delay.'],
  TooManyRequests: [429, 'throttled', true, 'db', 'Too many requests to the same device token; retry after a delay.'],
  InternalServerError: [500, 'server-transient', true, 'db', 'An internal server error occurred; retry with backoff.'],
  ServiceUnavailable: [503, 'server-transient', true, 'db', 'The service is unavailable; retry with backoff.'],
  Shutdown: [503, 'server-transient', true, 'db', 'The APNs server is shutting down; reconnect and retry.'],
  FeatureNotEnabled: [400, 'auth-config', false, 'b', 'Broadcast push is not enabled for this app.'],
  MissingChannelId: [400, 'request-malformed', false, 'b', 'The apns-channel-id header is missing.'],
  BadChannelId: [400, 'request-malformed', false, 'b', 'The apns-channel-id value is malformed.'],
  ChannelNotRegistered: [400, 'token-invalid', false, 'b', 'The channel does not exist (deleted, or another environment).'],
  BadRequestParams: [400, 'request-malformed', false, 'b', 'The request parameters are bad.'],
  BadRequestPayload: [400, 'request-malformed', false, 'b', 'The request body is bad (e.g. channel config JSON).'],
  MissingPushType: [400, 'request-malformed', false, 'b', 'The push type is missing.'],
  CannotCreateChannelConfig: [400, 'auth-config', false, 'b', 'The channel limit for the app (10,000 per environment) is reached.'],
  // Reported by third parties, not in Apple's list (unverified).
  MissingChannelQueueSize: [400, 'request-malformed', false, 'b', 'The channel message-storage policy is missing (unverified reason).'],
  TopicMismatch: [403, 'auth-config', false, 'b', 'The bundle id in the path does not match the credentials.'],
} as const satisfies Record<string, Entry>;

/**
 * Every reason string in the catalogue.
 * @example
 * const reason: ReasonName = 'BadDeviceToken';
 */
export type ReasonName = keyof typeof TABLE;

/** Reasons that no wait, retry or reconnect can fix (see {@link ReasonInfo.fatal}). */
const FATAL: ReadonlySet<string> = new Set(['BadCertificate', 'BadCertificateEnvironment', 'BadEnvironmentKeyIdInToken', 'BadEnvironmentKeyInToken']);

/**
 * Provider-token rejections that a freshly signed token may cure once, so
 * they are fatal only when they come again and again (a client fails after
 * 3 in a row with no success between): the key, key id or team id is wrong,
 * or the machine's clock is (a just-signed token refused as expired).
 * @example
 * CREDENTIAL_STREAK_REASONS.has('InvalidProviderToken'); // true
 */
export const CREDENTIAL_STREAK_REASONS: ReadonlySet<ReasonName> = new Set<ReasonName>(['InvalidProviderToken', 'ExpiredProviderToken', 'MissingProviderToken']);

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
    Object.entries(TABLE).map(([name, [status, category, retryable, scopes, description]]) => [
      name,
      Object.freeze({ name: name as ReasonName, status, category, retryable, fatal: FATAL.has(name), description, scopes: SCOPES[scopes] }),
    ]),
  ) as Record<ReasonName, ReasonInfo>,
);

/**
 * Every reason name, in catalogue order.
 * @example
 * REASON_NAMES.filter((name) => REASONS[name].status === 410); // ['ExpiredToken', 'Unregistered']
 */
export const REASON_NAMES: readonly ReasonName[] = Object.freeze(Object.keys(TABLE) as ReasonName[]);

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
