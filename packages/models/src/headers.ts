/**
 * Request headers of a device push, validated once so a bulk send can reuse
 * them for every token.
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import { resolvePriority, type PriorityValue } from './priority.js';
import { topicFor, validatePushType, type PushType } from './push-types.js';
import { isPlainObject, kindOf, toUnixSeconds } from './util.js';

/**
 * Per-request metadata of a device push (everything but the payload).
 * @example
 * const options: NotificationOptions = { topic: 'com.example.app', pushType: 'voip', expiration: 0 };
 */
export interface NotificationOptions {
  /**
   * `apns-topic`: the bundle id or the full topic; the push type's suffix is
   * appended when missing (see {@link topicFor}).
   */
  topic: string;
  /** `apns-push-type`. @default 'alert' */
  pushType?: PushType;
  /**
   * `apns-priority`: 10, 5 or 1. Background must be 5, pushtotalk 10,
   * liveactivity 5 or 10.
   * @default 5 for background, 10 otherwise
   */
  priority?: PriorityValue;
  /**
   * `apns-expiration`: a `Date` or UNIX seconds; `0` means deliver once or
   * drop. Unset, APNs stores the push for up to 30 days.
   * @default 0 for pushtotalk (a stale call is useless), unset otherwise
   */
  expiration?: Date | number;
  /** `apns-collapse-id`: printable ASCII, at most 64 bytes. */
  collapseId?: string;
  /**
   * `apns-id`: a UUID (8-4-4-4-12 hex). Uppercase is accepted and sent in
   * lowercase, as Apple requires. Unset, APNs generates one.
   */
  apnsId?: string;
}

/**
 * The longest `apns-collapse-id` APNs accepts, in bytes.
 * @example
 * buildHeaders({ topic, collapseId: 'x'.repeat(MAX_COLLAPSE_ID_BYTES) }); // ok; one more byte throws
 */
export const MAX_COLLAPSE_ID_BYTES = 64;

/**
 * The longest header value {@link validateHeaderValue} accepts, in bytes
 * (values are ASCII, so characters are bytes). APNs advertises
 * SETTINGS_MAX_HEADER_LIST_SIZE 8000 for the whole header block; a longer
 * value would be reset by the server after it was written.
 */
export const MAX_HEADER_VALUE_BYTES = 4096;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Checks one header value: a non-empty string of printable ASCII
 * (0x20–0x7E), at most `MAX_HEADER_VALUE_BYTES` (4096) bytes. CR, LF,
 * NUL, tab and other control characters, DEL and non-ASCII characters are
 * refused anywhere in the value, so nothing can split or smuggle a header.
 * The value is never echoed: the error gives the position of the first bad
 * character, or the length.
 *
 * @param name the header name, used as the error's field
 * @returns `value`, unchanged
 * @throws {InvalidArgumentError} if `value` is not a string, is empty, is
 *   longer than 4096 bytes or holds a control or non-ASCII character.
 * @example
 * validateHeaderValue('apns-topic', 'com.example.app');   // 'com.example.app'
 * validateHeaderValue('apns-topic', 'x\r\nevil: 1');      // throws
 */
export function validateHeaderValue(name: string, value: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(name, `expected a string, got ${kindOf(value)}`);
  if (value.length === 0) throw new InvalidArgumentError(name, 'must not be empty');
  // Checked first: a huge value is refused without scanning it.
  if (value.length > MAX_HEADER_VALUE_BYTES) {
    throw new InvalidArgumentError(name, `is ${value.length} characters, over the limit of ${MAX_HEADER_VALUE_BYTES} bytes of printable ASCII`);
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      throw new InvalidArgumentError(name, `contains a control character at position ${i + 1} (CR, LF, NUL, tab…); only printable ASCII is allowed`);
    }
    if (c > 0x7e) throw new InvalidArgumentError(name, `contains a non-ASCII character at position ${i + 1}; only printable ASCII is allowed`);
  }
  return value;
}

/**
 * Checks an `apns-id` and returns it in lowercase.
 * @throws {InvalidArgumentError} (field `apnsId`) unless it is a UUID 8-4-4-4-12.
 * @example
 * validateApnsId('123E4567-E89B-12D3-A456-426614174000'); // '123e4567-e89b-12d3-a456-426614174000'
 */
export function validateApnsId(apnsId: string): string {
  if (typeof apnsId !== 'string' || !UUID.test(apnsId)) {
    const got = typeof apnsId === 'string' ? `${apnsId.length} characters` : kindOf(apnsId);
    throw new InvalidArgumentError('apnsId', `expected a UUID (8-4-4-4-12 hex, e.g. 123e4567-e89b-12d3-a456-426614174000), got ${got}`);
  }
  return apnsId.toLowerCase();
}

/**
 * Builds and validates the `apns-*` headers of a device push, in a fixed
 * order: `apns-push-type`, `apns-topic`, `apns-priority`, then
 * `apns-expiration`, `apns-collapse-id` and `apns-id` when set. Priority is
 * always sent, so the push type's rule is explicit on the wire.
 *
 * @returns a frozen object, safe to share between requests
 * @throws {InvalidArgumentError} naming the option: missing or unsafe topic,
 *   unknown push type, a priority the type does not allow, an expiration that
 *   is negative, fractional or looks like milliseconds, a collapse id over 64
 *   bytes, or an apns-id that is not a UUID.
 * @example
 * buildHeaders({ topic: 'com.example.app', pushType: 'voip' });
 * // { 'apns-push-type': 'voip', 'apns-topic': 'com.example.app.voip', 'apns-priority': '10' }
 */
export function buildHeaders(options: NotificationOptions): Readonly<Record<string, string>> {
  if (!isPlainObject(options)) throw new InvalidArgumentError('options', `expected an object with at least \`topic\`, got ${kindOf(options)}`);
  const pushType = validatePushType(options.pushType ?? 'alert');
  if (options.topic === undefined) throw new InvalidArgumentError('topic', 'is required (the app bundle id)');
  const topic = validateHeaderValue('topic', topicFor(options.topic, pushType));
  if (/\s/.test(topic)) throw new InvalidArgumentError('topic', 'must not contain spaces (expected a bundle id)');
  const headers: Record<string, string> = {
    'apns-push-type': pushType,
    'apns-topic': topic,
    'apns-priority': String(resolvePriority(options.priority, pushType)),
  };
  const expiration = options.expiration ?? (pushType === 'pushtotalk' ? 0 : undefined);
  if (expiration !== undefined) headers['apns-expiration'] = String(toUnixSeconds('expiration', expiration));
  if (options.collapseId !== undefined) {
    const collapseId = validateHeaderValue('collapseId', options.collapseId);
    // Printable ASCII only, so characters are bytes.
    if (collapseId.length > MAX_COLLAPSE_ID_BYTES) {
      throw new InvalidArgumentError('collapseId', `is ${collapseId.length} bytes, over the limit of ${MAX_COLLAPSE_ID_BYTES} bytes`);
    }
    headers['apns-collapse-id'] = collapseId;
  }
  if (options.apnsId !== undefined) headers['apns-id'] = validateApnsId(options.apnsId);
  return Object.freeze(headers);
}
