/**
 * Device tokens and the request path built from them. Tokens are hex; today
 * 64 characters (32 bytes), but Apple does not promise a length, so any even
 * length up to {@link MAX_DEVICE_TOKEN_LENGTH} is accepted.
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import { kindOf } from './util.js';

/**
 * The longest device token accepted, in hex characters. A guard against
 * garbage, not an Apple limit: tokens are 64 today.
 * @example
 * validateDeviceToken('ab'.repeat(MAX_DEVICE_TOKEN_LENGTH / 2)); // ok; longer throws
 */
export const MAX_DEVICE_TOKEN_LENGTH = 200;

const HEX = /^[0-9a-fA-F]+$/;
const NON_HEX = /[^0-9a-fA-F]/;

/**
 * Checks a device token and returns it in lowercase.
 *
 * The error never echoes the token: it states the length, or the position
 * of the first character that is not hex.
 *
 * @throws {InvalidArgumentError} (field `deviceToken`) if the token is not a
 *   string, is empty, is longer than 200 characters, has a non-hex character
 *   (path characters, `%`, whitespace, CR/LF, NUL, unicode…) or has an odd length.
 * @example
 * validateDeviceToken('A1B2'.repeat(16)); // 'a1b2a1b2…' (64 chars)
 * validateDeviceToken('../x');            // throws: not hex at position 1
 */
export function validateDeviceToken(token: string): string {
  if (typeof token !== 'string') {
    throw new InvalidArgumentError('deviceToken', `expected a hex string, got ${kindOf(token)}`);
  }
  if (token.length === 0) throw new InvalidArgumentError('deviceToken', 'must not be empty');
  if (token.length > MAX_DEVICE_TOKEN_LENGTH) {
    throw new InvalidArgumentError('deviceToken', `is ${token.length} characters, over the limit of ${MAX_DEVICE_TOKEN_LENGTH}`);
  }
  if (!HEX.test(token)) {
    const position = token.search(NON_HEX) + 1;
    throw new InvalidArgumentError('deviceToken', `must be hex (0-9, a-f); character ${position} of ${token.length} is not`);
  }
  if (token.length % 2 !== 0) {
    throw new InvalidArgumentError('deviceToken', `must have an even number of hex characters (whole bytes), got ${token.length}`);
  }
  return token.toLowerCase();
}

/**
 * True when {@link validateDeviceToken} would accept `token`.
 * @example
 * isValidDeviceToken('ab'.repeat(32)); // true
 * isValidDeviceToken('abc');           // false (odd length)
 */
export function isValidDeviceToken(token: unknown): token is string {
  return typeof token === 'string' && token.length > 0 && token.length <= MAX_DEVICE_TOKEN_LENGTH && token.length % 2 === 0 && HEX.test(token);
}

/**
 * The request path for a device push, `/3/device/<token>`, with the token
 * validated and lowercased (so nothing but hex ever reaches the path).
 * @throws {InvalidArgumentError} as {@link validateDeviceToken}.
 * @example
 * devicePath('AB'.repeat(32)); // '/3/device/abab…ab'
 */
export function devicePath(token: string): string {
  return `/3/device/${validateDeviceToken(token)}`;
}
