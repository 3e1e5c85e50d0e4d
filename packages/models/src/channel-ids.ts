/**
 * Identifiers of broadcast and channel requests: bundle ids (in the path),
 * channel ids (`apns-channel-id`) and request ids (`apns-request-id`).
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import { kindOf } from './util.js';

/**
 * The longest channel id accepted, in characters. Apple says not to assume a
 * size; this bound only keeps a runaway value out of the header block (APNs
 * accepts 8000 bytes of headers in all).
 * @example
 * validateChannelId('A'.repeat(MAX_CHANNEL_ID_LENGTH)); // ok (if valid base64)
 */
export const MAX_CHANNEL_ID_LENGTH = 1024;

/** Apple's bundle id alphabet: letters, digits, hyphens and periods. */
const BUNDLE_ID = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;
/** The longest bundle id App Store Connect accepts. */
const MAX_BUNDLE_ID_LENGTH = 155;
/** Standard base64 with optional padding (APNs channel ids look like `dHN0LXNyY2gtY2hubA==`). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Checks an app's bundle id, as it appears in broadcast and channel paths.
 * @throws {InvalidArgumentError} (field `bundleId`) unless it is letters,
 *   digits, `-` and `.` (at most 155), starting with a letter or digit. A
 *   topic suffix such as `.push-type.liveactivity` is refused: channels
 *   belong to the app itself.
 * @example
 * validateBundleId('com.example.app'); // 'com.example.app'
 */
export function validateBundleId(bundleId: string): string {
  if (typeof bundleId !== 'string') throw new InvalidArgumentError('bundleId', `expected a string, got ${kindOf(bundleId)}`);
  if (bundleId.length === 0) throw new InvalidArgumentError('bundleId', 'must not be empty');
  if (bundleId.length > MAX_BUNDLE_ID_LENGTH) throw new InvalidArgumentError('bundleId', `is ${bundleId.length} characters, over the limit of ${MAX_BUNDLE_ID_LENGTH}`);
  if (!BUNDLE_ID.test(bundleId)) {
    throw new InvalidArgumentError('bundleId', 'expected letters, digits, hyphens and periods only (e.g. com.example.app)');
  }
  if (bundleId.endsWith('.push-type.liveactivity')) {
    throw new InvalidArgumentError('bundleId', 'expected the bare bundle id: broadcast paths take no topic suffix');
  }
  return bundleId;
}

/**
 * Checks a channel id: the base64 string APNs returned when the channel was
 * created, sent as is in `apns-channel-id`. The value is never echoed.
 * @throws {InvalidArgumentError} (field `channelId`) for a non-string, an
 *   empty value, one over {@link MAX_CHANNEL_ID_LENGTH}, or one that is not base64.
 * @example
 * validateChannelId('dHN0LXNyY2gtY2hubA=='); // 'dHN0LXNyY2gtY2hubA=='
 */
export function validateChannelId(channelId: string): string {
  if (typeof channelId !== 'string') throw new InvalidArgumentError('channelId', `expected a string, got ${kindOf(channelId)}`);
  if (channelId.length === 0) throw new InvalidArgumentError('channelId', 'must not be empty');
  if (channelId.length > MAX_CHANNEL_ID_LENGTH) {
    throw new InvalidArgumentError('channelId', `is ${channelId.length} characters, over the limit of ${MAX_CHANNEL_ID_LENGTH}`);
  }
  if (!BASE64.test(channelId)) {
    throw new InvalidArgumentError('channelId', `expected the base64 id APNs returned (A-Z, a-z, 0-9, +, /, = padding), got ${channelId.length} characters that are not`);
  }
  return channelId;
}

/**
 * True when `channelId` passes {@link validateChannelId}.
 * @example
 * isValidChannelId('not base64!'); // false
 */
export function isValidChannelId(channelId: unknown): channelId is string {
  return typeof channelId === 'string' && channelId.length > 0 && channelId.length <= MAX_CHANNEL_ID_LENGTH && BASE64.test(channelId);
}

/**
 * Checks an `apns-request-id` (a UUID) and returns it in lowercase, the
 * canonical form Apple asks for.
 * @throws {InvalidArgumentError} (field `requestId`) unless it is 8-4-4-4-12 hex.
 * @example
 * validateRequestId('2288CF3F-70D8-46A6-97D7-DD5D00867127'); // '2288cf3f-70d8-46a6-97d7-dd5d00867127'
 */
export function validateRequestId(requestId: string): string {
  if (typeof requestId !== 'string' || !UUID.test(requestId)) {
    const got = typeof requestId === 'string' ? `${requestId.length} characters` : kindOf(requestId);
    throw new InvalidArgumentError('requestId', `expected a UUID (8-4-4-4-12 hex), got ${got}`);
  }
  return requestId.toLowerCase();
}
