/**
 * @pushwire/models: pure data for APNs. Notifications, payload and header
 * encoding with validation, device tokens, the reasons catalogue and the
 * error classes every tier shares. No I/O and no `node:` imports.
 * @packageDocumentation
 */
export { APNSError, BadResponseError, InvalidArgumentError, PayloadTooLargeError, brandError, errorBrand } from './errors.js';
export type { APNSErrorOptions, ErrorCode, FailureOutcome, Outcome } from './errors.js';

export {
  BROADCAST_PAYLOAD_LIMIT,
  DEFAULT_PAYLOAD_LIMIT,
  PUSH_TYPES,
  TOPIC_SUFFIXES,
  VOIP_PAYLOAD_LIMIT,
  isPushType,
  payloadLimit,
  topicFor,
  validatePushType,
} from './push-types.js';
export type { PushType } from './push-types.js';

export { Priority, allowedPriorities, defaultPriority, resolvePriority } from './priority.js';
export type { PriorityValue } from './priority.js';

export { INTERRUPTION_LEVELS, LIVE_ACTIVITY_EVENTS } from './notification.js';
export type {
  Alert,
  CriticalSound,
  InterruptionLevel,
  LiveActivityEvent,
  LocalizableText,
  Localized,
  Notification,
  RawPayload,
  Sound,
  Timestamp,
} from './notification.js';
export { NotificationBuilder } from './builder.js';

export { toPayloadObject } from './aps.js';
export type { PayloadObject, PayloadObjectOptions } from './aps.js';
export { applyPushTypeRules, encodePayload, isRawPayload } from './payload.js';
export type { EncodePayloadOptions } from './payload.js';

export { MAX_COLLAPSE_ID_BYTES, buildHeaders, validateApnsId, validateHeaderValue } from './headers.js';
export type { NotificationOptions } from './headers.js';
export { MAX_DEVICE_TOKEN_LENGTH, devicePath, isValidDeviceToken, validateDeviceToken } from './device-token.js';
export { encodeNotification } from './encode.js';
export type { EncodedNotification } from './encode.js';

export {
  AUTH_REASONS,
  CREDENTIAL_STREAK_REASONS,
  REASONS,
  REASON_NAMES,
  classifyReason,
  describeReason,
  isFatalReason,
  isReasonName,
  isRetryableReason,
} from './reasons.js';
export type { ReasonCategory, ReasonClass, ReasonInfo, ReasonName, ReasonResend, ReasonScope } from './reasons.js';

export { liveActivityEnd, liveActivityStart, liveActivityUpdate } from './live-activity.js';
export type { LiveActivityCommon, LiveActivityEnd, LiveActivityStart, LiveActivityUpdate } from './live-activity.js';
export { MAX_CHANNEL_ID_LENGTH, isValidChannelId, validateBundleId, validateChannelId, validateRequestId } from './channel-ids.js';
export { broadcastPath, buildBroadcastHeaders, encodeBroadcast, encodeBroadcastPayload } from './broadcast.js';
export type { BroadcastOptions, EncodedBroadcast } from './broadcast.js';
export {
  BAD_RESPONSE,
  CHANNEL_PUSH_TYPE,
  MessageStoragePolicy,
  encodeChannelRequest,
  parseChannelConfig,
  parseChannelList,
  validateStoragePolicy,
} from './channels.js';
export type { ChannelConfig, ChannelOperation, ChannelRequest, EncodedChannelRequest } from './channels.js';
export { logSafe, MAX_SHOWN_TEXT } from './log-safe.js';
export { SECONDS_HINT_BELOW, checkOptionNames, describeValue, warnIfSeconds } from './options.js';
export type { OptionNames } from './options.js';
export { checkLogger, errorFields, log } from './logger.js';
export type { Logger } from './logger.js';
