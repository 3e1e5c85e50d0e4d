/**
 * Broadcast pushes (iOS 18+): one Live Activity update sent to a channel
 * instead of a device, `POST /4/broadcasts/apps/<bundleId>`.
 * @module
 */
import { validateBundleId, validateChannelId, validateRequestId } from './channel-ids.js';
import { InvalidArgumentError } from './errors.js';
import type { Notification, RawPayload } from './notification.js';
import { encodePayload, isRawPayload } from './payload.js';
import type { PriorityValue } from './priority.js';
import { BROADCAST_PAYLOAD_LIMIT } from './push-types.js';
import { isPlainObject, kindOf, toUnixSeconds } from './util.js';

const decoder = new TextDecoder();

/**
 * Metadata of one broadcast push. There is no `apns-topic`: the bundle id
 * travels in the path and the push type is always `liveactivity`.
 * @example
 * const options: BroadcastOptions = { bundleId: 'com.example.app', priority: 5, expiration: 0 };
 */
export interface BroadcastOptions {
  /** The app whose channel this is (the bare bundle id, no topic suffix). */
  bundleId: string;
  /** `apns-priority`: 10, 5 or 1. @default 10 */
  priority?: PriorityValue;
  /**
   * `apns-expiration`: a `Date` or UNIX seconds. APNs requires the header;
   * `0` (deliver now or drop) is the only value a no-storage channel
   * accepts. A most-recent-message channel keeps the push until then (at
   * most 8 hours).
   * @default 0
   */
  expiration?: Date | number;
  /** `apns-request-id`: a UUID; APNs makes one when absent. Sent lowercase. */
  requestId?: string;
}

/**
 * A broadcast push ready for the wire.
 * @example
 * const { path, headers, body } = encodeBroadcast(channelId, update, { bundleId: 'com.example.app' });
 */
export interface EncodedBroadcast {
  /** `/4/broadcasts/apps/<bundleId>`. */
  readonly path: string;
  /** The `apns-*` headers, frozen (no `authorization`: the connection adds it). */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact JSON body bytes (at most {@link BROADCAST_PAYLOAD_LIMIT}). */
  readonly body: Uint8Array;
  /** `body.byteLength`. */
  readonly size: number;
}

/**
 * The path of a broadcast push for an app.
 * @throws {InvalidArgumentError} for a bad bundle id.
 * @example
 * broadcastPath('com.example.app'); // '/4/broadcasts/apps/com.example.app'
 */
export function broadcastPath(bundleId: string): string {
  return `/4/broadcasts/apps/${validateBundleId(bundleId)}`;
}

/**
 * Builds the headers of a broadcast push, in a fixed order:
 * `apns-channel-id`, `apns-push-type: liveactivity`, `apns-priority`,
 * `apns-expiration`, then `apns-request-id` when set.
 * @throws {InvalidArgumentError} naming the option: a bad channel id,
 *   priority (not 10, 5 or 1), expiration or request id.
 * @example
 * buildBroadcastHeaders('dHN0LXNyY2gtY2hubA==', { bundleId: 'com.example.app' });
 * // { 'apns-channel-id': 'dHN0…', 'apns-push-type': 'liveactivity', 'apns-priority': '10', 'apns-expiration': '0' }
 */
export function buildBroadcastHeaders(channelId: string, options: BroadcastOptions): Readonly<Record<string, string>> {
  if (!isPlainObject(options)) throw new InvalidArgumentError('options', `expected { bundleId, priority?, expiration?, requestId? }, got ${kindOf(options)}`);
  validateBundleId(options.bundleId);
  const priority = options.priority ?? 10;
  if (priority !== 10 && priority !== 5 && priority !== 1) {
    throw new InvalidArgumentError('priority', `expected 10, 5 or 1, got ${typeof priority === 'number' ? String(priority) : kindOf(priority)}`);
  }
  const headers: Record<string, string> = {
    'apns-channel-id': validateChannelId(channelId),
    'apns-push-type': 'liveactivity',
    'apns-priority': String(priority),
    'apns-expiration': String(toUnixSeconds('expiration', options.expiration ?? 0)),
  };
  if (options.requestId !== undefined) headers['apns-request-id'] = validateRequestId(options.requestId);
  return Object.freeze(headers);
}

/**
 * Encodes the payload of a broadcast push: the Live Activity rules of push
 * type `liveactivity`, the 5120-byte broadcast limit, and Apple's rule that
 * a broadcast cannot start an activity (`event: 'start'`, `attributes`,
 * `inputPushToken` and `inputPushChannel` belong to push-to-start). A
 * {@link RawPayload} is checked for size, JSON shape and `aps.event` only.
 * @throws {InvalidArgumentError} naming the field.
 * @throws {PayloadTooLargeError} over 5120 bytes.
 * @example
 * encodeBroadcastPayload(liveActivityUpdate({ contentState: { score: '1-0' } }));
 */
export function encodeBroadcastPayload(notification: Notification | RawPayload): Uint8Array {
  if (!isPlainObject(notification)) throw new InvalidArgumentError('notification', `expected a plain object, got ${kindOf(notification)}`);
  if (isRawPayload(notification)) {
    // Only the size and JSON shape are checked for raw payloads, plus the one broadcast rule.
    const body = encodePayload(notification, 'liveactivity', { limit: BROADCAST_PAYLOAD_LIMIT });
    const aps: unknown = (JSON.parse(decoder.decode(body)) as Record<string, unknown>)['aps'];
    if (isPlainObject(aps) && aps['event'] === 'start') {
      throw new InvalidArgumentError('aps.event', "a broadcast cannot start a Live Activity: send 'start' as a device push-to-start");
    }
    return body;
  }
  if (notification.event === 'start') {
    throw new InvalidArgumentError('event', "a broadcast cannot start a Live Activity: send 'start' as a device push-to-start (with inputPushChannel)");
  }
  for (const field of ['attributesType', 'attributes', 'inputPushToken', 'inputPushChannel'] as const) {
    if (notification[field] !== undefined) throw new InvalidArgumentError(field, "only a 'start' event carries it, and a broadcast cannot start an activity");
  }
  return encodePayload(notification, 'liveactivity', { limit: BROADCAST_PAYLOAD_LIMIT });
}

/**
 * Validates and encodes one broadcast push: {@link broadcastPath},
 * {@link buildBroadcastHeaders} and {@link encodeBroadcastPayload} in one call.
 * @throws {InvalidArgumentError} / {PayloadTooLargeError} before anything is sent.
 * @example
 * const { path, headers, body } = encodeBroadcast(channelId, liveActivityUpdate({ contentState: { n: 1 } }), { bundleId: 'com.example.app' });
 */
export function encodeBroadcast(channelId: string, notification: Notification | RawPayload, options: BroadcastOptions): EncodedBroadcast {
  const headers = buildBroadcastHeaders(channelId, options);
  const path = broadcastPath(options.bundleId);
  const body = encodeBroadcastPayload(notification);
  return Object.freeze({ path, headers, body, size: body.byteLength });
}
