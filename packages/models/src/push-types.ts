/**
 * APNs push types, the topic suffix each needs and its payload limit.
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import { kindOf, safeName } from './util.js';

/**
 * Every value of the `apns-push-type` header, in Apple's order.
 * @example
 * PUSH_TYPES.includes('voip'); // true
 */
export const PUSH_TYPES = Object.freeze([
  'alert',
  'background',
  'location',
  'voip',
  'complication',
  'fileprovider',
  'mdm',
  'liveactivity',
  'pushtotalk',
  'widgets',
  'controls',
] as const);

/**
 * A value of the `apns-push-type` header.
 * @example
 * const type: PushType = 'liveactivity';
 */
export type PushType = (typeof PUSH_TYPES)[number];

/**
 * The suffix APNs expects after the bundle id in `apns-topic`, per push type.
 * Empty for alert and background (the bare bundle id) and for mdm (whose
 * topic is the UID from the MDM certificate, taken as is).
 * @example
 * 'com.example.app' + TOPIC_SUFFIXES.voip; // 'com.example.app.voip'
 */
export const TOPIC_SUFFIXES: Readonly<Record<PushType, string>> = Object.freeze({
  alert: '',
  background: '',
  location: '.location-query',
  voip: '.voip',
  complication: '.complication',
  fileprovider: '.pushkit.fileprovider',
  mdm: '',
  liveactivity: '.push-type.liveactivity',
  pushtotalk: '.voip-ptt',
  widgets: '.push-type.widgets',
  controls: '.push-type.controls',
});

/**
 * The payload limit of most push types, in UTF-8 bytes.
 * @example
 * payloadLimit('alert') === DEFAULT_PAYLOAD_LIMIT; // true
 */
export const DEFAULT_PAYLOAD_LIMIT = 4096;
/**
 * The payload limit of VoIP pushes, in UTF-8 bytes.
 * @example
 * payloadLimit('voip') === VOIP_PAYLOAD_LIMIT; // true
 */
export const VOIP_PAYLOAD_LIMIT = 5120;
/**
 * The payload limit of broadcast (channel) pushes, in UTF-8 bytes.
 * @example
 * encodePayload(update, 'liveactivity', { limit: BROADCAST_PAYLOAD_LIMIT });
 */
export const BROADCAST_PAYLOAD_LIMIT = 5120;

/**
 * Type guard for {@link PushType}.
 * @example
 * isPushType('widgets'); // true
 * isPushType('Alert');   // false: header values are lowercase
 */
export function isPushType(value: unknown): value is PushType {
  return typeof value === 'string' && (PUSH_TYPES as readonly string[]).includes(value);
}

/**
 * Returns `value` if it is a {@link PushType}.
 * @param field the option's name, for the error message
 * @throws {InvalidArgumentError} for anything else, listing the valid types.
 */
export function validatePushType(value: unknown, field = 'pushType'): PushType {
  if (isPushType(value)) return value;
  const got = typeof value === 'string' ? `'${safeName(value)}'` : kindOf(value);
  throw new InvalidArgumentError(field, `expected one of ${PUSH_TYPES.join(', ')}; got ${got}`);
}

/**
 * The `apns-topic` for a push type: the bundle id plus the type's suffix
 * (`.voip`, `.push-type.liveactivity`, …), unless `topic` already ends with
 * it. alert, background and mdm take `topic` as is.
 *
 * @param topic the app's bundle id, or the full topic
 * @param pushType the push type
 * @default pushType `'alert'`
 * @throws {InvalidArgumentError} if `topic` is not a non-empty string or
 *   `pushType` is unknown.
 * @example
 * topicFor('com.example.app', 'voip');         // 'com.example.app.voip'
 * topicFor('com.example.app.voip', 'voip');    // 'com.example.app.voip'
 * topicFor('com.example.app', 'liveactivity'); // 'com.example.app.push-type.liveactivity'
 */
export function topicFor(topic: string, pushType: PushType = 'alert'): string {
  if (typeof topic !== 'string') throw new InvalidArgumentError('topic', `expected a string, got ${kindOf(topic)}`);
  if (topic.length === 0) throw new InvalidArgumentError('topic', 'must not be empty');
  const suffix = TOPIC_SUFFIXES[validatePushType(pushType)];
  if (suffix === '' || topic.endsWith(suffix)) return topic;
  return topic + suffix;
}

/**
 * The largest payload APNs accepts for a device push of this type, in UTF-8
 * bytes: 5120 for voip, 4096 for the rest. Broadcast pushes use
 * {@link BROADCAST_PAYLOAD_LIMIT}.
 * @default pushType `'alert'`
 * @throws {InvalidArgumentError} for an unknown push type.
 * @example
 * payloadLimit('voip');  // 5120
 * payloadLimit('alert'); // 4096
 */
export function payloadLimit(pushType: PushType = 'alert'): number {
  return validatePushType(pushType) === 'voip' ? VOIP_PAYLOAD_LIMIT : DEFAULT_PAYLOAD_LIMIT;
}
