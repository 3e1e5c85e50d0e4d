/**
 * APNs rejection reasons and the HTTP status each one is sent with
 * (Apple: "Handling notification responses from APNs"). Kept here rather than
 * imported from `@pushwire/models` so the mock stays an independent oracle.
 */

/** Every reason string the mock can answer with, mapped to its status. */
export const REASON_STATUS = {
  BadCollapseId: 400,
  BadDeviceToken: 400,
  BadExpirationDate: 400,
  BadMessageId: 400,
  BadPriority: 400,
  BadTopic: 400,
  DeviceTokenNotForTopic: 400,
  DuplicateHeaders: 400,
  IdleTimeout: 400,
  InvalidPushType: 400,
  MissingDeviceToken: 400,
  MissingTopic: 400,
  PayloadEmpty: 400,
  TopicDisallowed: 400,
  BadCertificate: 403,
  BadCertificateEnvironment: 403,
  ExpiredProviderToken: 403,
  Forbidden: 403,
  InvalidProviderToken: 403,
  MissingProviderToken: 403,
  UnrelatedKeyIdInToken: 403,
  BadEnvironmentKeyIdInToken: 403,
  BadPath: 404,
  MethodNotAllowed: 405,
  ExpiredToken: 410,
  Unregistered: 410,
  PayloadTooLarge: 413,
  TooManyProviderTokenUpdates: 429,
  TooManyRequests: 429,
  InternalServerError: 500,
  ServiceUnavailable: 503,
  Shutdown: 503,
  // Broadcast and channel management (Apple: "Handling error responses from APNs").
  FeatureNotEnabled: 400,
  MissingChannelId: 400,
  BadChannelId: 400,
  ChannelNotRegistered: 400,
  BadRequestParams: 400,
  BadRequestPayload: 400,
  MissingPushType: 400,
  CannotCreateChannelConfig: 400,
  // Third-party reports only (unverified): the mock sends it for a create without a storage policy.
  MissingChannelQueueSize: 400,
  TopicMismatch: 403,
} as const satisfies Record<string, number>;

/** A reason string APNs sends in `{"reason": ...}`. */
export type Reason = keyof typeof REASON_STATUS;

/** True when `value` is a reason the mock knows. */
export function isReason(value: unknown): value is Reason {
  return typeof value === 'string' && Object.hasOwn(REASON_STATUS, value);
}

/** A rejection decided by validation or auth: reason plus its status. */
export interface Rejection {
  readonly status: number;
  readonly reason: Reason;
  /** 410 only: when the token was last seen invalid, ms since epoch. */
  readonly timestamp?: number;
}

/** The rejection for `reason` at its documented status. */
export function reject(reason: Reason, timestamp?: number): Rejection {
  return timestamp === undefined ? { status: REASON_STATUS[reason], reason } : { status: REASON_STATUS[reason], reason, timestamp };
}
