/**
 * Payload encoding: notification → exact body bytes, with the push type's
 * rules and size limit checked once, so a bulk send can reuse the bytes.
 * @module
 */
import { toPayloadObject } from './aps.js';
import { InvalidArgumentError, PayloadTooLargeError } from './errors.js';
import { LIVE_ACTIVITY_EVENTS, type Notification, type RawPayload } from './notification.js';
import { payloadLimit, validatePushType, type PushType } from './push-types.js';
import { isPlainObject, kindOf, safeName } from './util.js';

/**
 * Options of {@link encodePayload}.
 * @example
 * encodePayload(update, 'liveactivity', { limit: BROADCAST_PAYLOAD_LIMIT });
 */
export interface EncodePayloadOptions {
  /**
   * The size limit in UTF-8 bytes, e.g. {@link BROADCAST_PAYLOAD_LIMIT} for
   * broadcast pushes.
   * @default payloadLimit(pushType)
   */
  limit?: number;
}

const encoder = new TextEncoder();

/**
 * Encodes a notification (or a raw payload) to the exact UTF-8 bytes APNs
 * receives, after checking every field, the push type's rules and the size.
 *
 * Push-type rules checked (Apple's, nothing stricter):
 * - background: needs `contentAvailable` and carries no alert, sound or badge;
 * - widgets/controls: `content-changed: true` is added when unset (false is refused);
 * - liveactivity: needs `event` and `timestamp`; `start` needs `attributesType`,
 *   `attributes`, `contentState` and `alert`, `update` needs `contentState`;
 *   `relevanceScore` may be any number; `event` on any other push type is refused.
 * A {@link RawPayload} skips field and push-type checks: it must be (or, via
 * `toJSON`, serialize to) a JSON object and fit the limit.
 *
 * @param input the notification, or `{ raw }`
 * @param pushType the push type the payload is sent with
 * @default pushType `'alert'`
 * @throws {PayloadTooLargeError} if the body is over the limit (stating size and limit).
 * @throws {InvalidArgumentError} for an invalid field, a broken push-type rule,
 *   a value `JSON.stringify` cannot encode (BigInt, cycles), or a payload
 *   whose `toJSON` makes it something other than a JSON object (`payload`).
 * @example
 * const body = encodePayload({ alert: 'Flash sale', sound: 'default' });
 * new TextDecoder().decode(body); // '{"aps":{"alert":"Flash sale","sound":"default"}}'
 * encodePayload({ contentAvailable: true }, 'background');
 */
export function encodePayload(input: Notification | RawPayload, pushType: PushType = 'alert', options: EncodePayloadOptions = {}): Uint8Array {
  const type = validatePushType(pushType);
  const limit = options.limit ?? payloadLimit(type);
  if (!Number.isInteger(limit) || limit <= 0) throw new InvalidArgumentError('limit', `expected a whole number of bytes > 0, got ${String(limit)}`);
  const json = isRawPayload(input) ? rawJson(input) : stringify(toPayloadObject(applyPushTypeRules(input, type), { anyRelevanceScore: type === 'liveactivity' }), 'notification');
  const body = encoder.encode(json);
  if (body.byteLength > limit) throw new PayloadTooLargeError(body.byteLength, limit);
  return body;
}

/**
 * True when `input` is a {@link RawPayload} (`{ raw }`).
 * @example
 * isRawPayload({ raw: '{}' }); // true
 */
export function isRawPayload(input: unknown): input is RawPayload {
  return isPlainObject(input) && Object.hasOwn(input, 'raw');
}

/**
 * Checks a notification against its push type's rules and returns the
 * notification to encode (widgets and controls get `contentChanged: true`).
 * @throws {InvalidArgumentError} naming the field and the rule.
 * @example
 * applyPushTypeRules({}, 'widgets'); // { contentChanged: true }
 */
export function applyPushTypeRules(notification: Notification, pushType: PushType): Notification {
  if (!isPlainObject(notification)) {
    throw new InvalidArgumentError('notification', `expected a plain object, got ${kindOf(notification)}`);
  }
  const n = notification;
  switch (pushType) {
    case 'background': {
      if (n.contentAvailable !== true && n.contentAvailable !== 1) {
        throw new InvalidArgumentError('contentAvailable', 'background pushes must set contentAvailable (content-available: 1)');
      }
      for (const field of ['alert', 'sound', 'badge'] as const) {
        if (n[field] !== undefined) {
          throw new InvalidArgumentError(field, `background pushes carry only content-available; send ${field} with pushType 'alert'`);
        }
      }
      return n;
    }
    case 'widgets':
    case 'controls':
      if (n.contentChanged === false) {
        throw new InvalidArgumentError('contentChanged', `${pushType} pushes must set content-changed: true`);
      }
      return n.contentChanged === true ? n : { ...n, contentChanged: true };
    case 'liveactivity':
      checkLiveActivity(n);
      return n;
    default:
      if (n.event !== undefined) {
        throw new InvalidArgumentError('event', `Live Activity events need pushType 'liveactivity', not '${pushType}'`);
      }
      return n;
  }
}

function checkLiveActivity(n: Notification): void {
  if (n.event === undefined) throw new InvalidArgumentError('event', "liveactivity pushes need an event ('start', 'update' or 'end')");
  // An unknown event is named by toPayloadObject, with the list of valid ones.
  if (!(LIVE_ACTIVITY_EVENTS as readonly unknown[]).includes(n.event)) return;
  // Apple: start carries attributes-type, attributes, content-state and an alert; update
  // and end carry a timestamp (the device drops an update older than the one it shows).
  const required: Array<keyof Notification> =
    n.event === 'start' ? ['attributesType', 'attributes', 'contentState', 'alert', 'timestamp'] : n.event === 'update' ? ['contentState', 'timestamp'] : ['timestamp'];
  for (const field of required) {
    if (n[field] === undefined) throw new InvalidArgumentError(field, `a Live Activity '${n.event}' event needs ${field}`);
  }
}

function rawJson(input: RawPayload): string {
  const keys = Object.keys(input);
  if (keys.length !== 1) throw new InvalidArgumentError('raw', 'a raw payload is `{ raw }` alone, without notification fields');
  const { raw } = input;
  if (typeof raw === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw new InvalidArgumentError('raw', 'is not valid JSON', { cause: error });
    }
    if (!isPlainObject(parsed)) throw new InvalidArgumentError('raw', `must be a JSON object, got ${kindOf(parsed)}`);
    return raw;
  }
  if (!isPlainObject(raw)) throw new InvalidArgumentError('raw', `expected a JSON string or a plain object, got ${kindOf(raw)}`);
  return stringify(raw, 'raw');
}

function stringify(value: Record<string, unknown>, field: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value) as string | undefined;
  } catch (error) {
    // BigInt values and reference cycles make JSON.stringify throw a TypeError.
    // Only on this error path: find the key that broke, to name it.
    throw new InvalidArgumentError(culprit(value, field), 'cannot be encoded as JSON (a BigInt or a cycle?)', { cause: error });
  }
  // A `toJSON` (on a raw object, or a custom key named so) can turn the
  // object into anything: `""`, `[1,2]`, `null`, or `undefined` (an empty body).
  if (typeof json !== 'string' || !json.startsWith('{')) {
    throw new InvalidArgumentError('payload', `must serialize to a JSON object, but its toJSON gave ${jsonKind(json)}`);
  }
  return json;
}

/** What a non-object serialization is, without echoing it (it is app data). */
function jsonKind(json: string | undefined): string {
  if (json === undefined) return 'nothing (undefined)';
  if (json.startsWith('[')) return 'an array';
  if (json.startsWith('"')) return 'a string';
  return json === 'null' ? 'null' : `a ${json === 'true' || json === 'false' ? 'boolean' : 'number'}`;
}

function culprit(value: Record<string, unknown>, field: string): string {
  const groups: Array<[string, Record<string, unknown>]> =
    field === 'notification' ? [['aps', value['aps'] as Record<string, unknown>], ['custom', value]] : [[field, value]];
  for (const [prefix, group] of groups) {
    for (const [key, entry] of Object.entries(group)) {
      if (prefix === 'custom' && key === 'aps') continue;
      try {
        JSON.stringify(entry);
      } catch {
        return `${prefix}.${safeName(key)}`;
      }
    }
  }
  return field;
}
