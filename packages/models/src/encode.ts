/**
 * One-call encoding of a device push: path, headers and body together,
 * with the checks that need both the payload and the options.
 * @module
 */
import { devicePath } from './device-token.js';
import { InvalidArgumentError } from './errors.js';
import { buildHeaders, type NotificationOptions } from './headers.js';
import type { Notification, RawPayload } from './notification.js';
import { encodePayload, isRawPayload } from './payload.js';
import { isPlainObject, kindOf } from './util.js';

/**
 * A device push ready for the wire.
 * @example
 * const { path, headers, body } = encodeNotification(token, { alert: 'hi' }, { topic: 'com.example.app' });
 */
export interface EncodedNotification {
  /** `/3/device/<lowercase hex token>`. */
  readonly path: string;
  /** The `apns-*` headers (frozen; no `authorization`, the connection adds it). */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact JSON body bytes. */
  readonly body: Uint8Array;
  /** `body.byteLength`: the payload size in UTF-8 bytes. */
  readonly size: number;
}

/**
 * Validates and encodes one device push: {@link devicePath},
 * {@link buildHeaders} and {@link encodePayload} in one call, plus Apple's
 * rule that an alert push whose `aps` holds only `content-available` must
 * not use priority 10.
 *
 * For many tokens, call `buildHeaders` and `encodePayload` once and only
 * `devicePath` per token.
 *
 * @throws {InvalidArgumentError} for an invalid token, option or field
 *   (the message names it, the problem and the limit).
 * @throws {PayloadTooLargeError} if the body is over the push type's limit.
 * @example
 * const { path, headers, body, size } = encodeNotification(
 *   'a1'.repeat(32),
 *   { alert: { title: 'Hello', body: 'World' }, sound: 'default' },
 *   { topic: 'com.example.app', collapseId: 'greeting' },
 * );
 */
export function encodeNotification(
  deviceToken: string,
  notification: Notification | RawPayload,
  options: NotificationOptions,
): EncodedNotification {
  const path = devicePath(deviceToken);
  const headers = buildHeaders(options);
  const pushType = options.pushType ?? 'alert';
  if (!isPlainObject(notification)) {
    throw new InvalidArgumentError('notification', `expected a plain object, got ${kindOf(notification)}`);
  }
  if (pushType === 'alert' && headers['apns-priority'] === '10' && !isRawPayload(notification) && onlyContentAvailable(notification)) {
    // Apple: priority 10 "is an error" for a payload with only content-available.
    throw new InvalidArgumentError(
      'priority',
      "is 10, but a payload whose aps holds only content-available is a background push, which Apple requires at priority 5: use pushType 'background', or priority 5, or add an alert, sound or badge",
    );
  }
  const body = encodePayload(notification, pushType);
  return Object.freeze({ path, headers, body, size: body.byteLength });
}

function onlyContentAvailable(n: Notification): boolean {
  if (n.contentAvailable !== true && n.contentAvailable !== 1) return false;
  return Object.entries(n).every(([key, value]) => key === 'contentAvailable' || key === 'custom' || value === undefined);
}
