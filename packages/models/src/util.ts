/**
 * Small helpers shared by the encoders. Internal: not exported from the
 * package entry.
 * @internal
 * @module
 */
import { InvalidArgumentError } from './errors.js';

/**
 * UTF-8 byte length of `text`, counted without allocating. A lone surrogate
 * counts 3 bytes, as TextEncoder replaces it with U+FFFD.
 * @internal
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** True for `{}`-style objects (not arrays, Dates, class instances or null). @internal */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `typeof`, but says `null` and `array` for those. @internal */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * A short, log-safe rendering of a name (a custom key, a header name):
 * control and non-ASCII characters become `?`, and it is cut at 32 characters.
 * Only for values that are not secrets.
 * @internal
 */
export function safeName(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 32 ? `${clean.slice(0, 32)}…` : clean;
}

/**
 * Above this a "seconds" number is almost surely milliseconds: 1e11 seconds
 * is the year 5138, while `Date.now()` has been over 1e12 since 2001.
 * @internal
 */
export const MAX_UNIX_SECONDS = 1e11;

/**
 * Converts a `Date` or a UNIX-seconds number to whole UNIX seconds.
 * @throws {InvalidArgumentError} for an invalid or pre-1970 Date, a negative,
 *   fractional or non-finite number, or one that looks like milliseconds.
 * @internal
 */
export function toUnixSeconds(field: string, value: unknown): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new InvalidArgumentError(field, 'is an invalid Date');
    if (ms < 0) throw new InvalidArgumentError(field, 'is before 1970 (UNIX time must be >= 0)');
    return Math.floor(ms / 1000);
  }
  if (typeof value !== 'number') {
    throw new InvalidArgumentError(field, `expected a Date or UNIX seconds (number), got ${kindOf(value)}`);
  }
  if (!Number.isFinite(value) || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(field, `expected whole UNIX seconds >= 0, got ${String(value)}`);
  }
  if (value > MAX_UNIX_SECONDS) {
    throw new InvalidArgumentError(
      field,
      `${field} looks like milliseconds: ${value} is over 1e11; pass UNIX seconds (Math.floor(ms / 1000)) or a Date`,
    );
  }
  return value;
}

/**
 * Checks that `value` is a non-empty string of at most `maxBytes` UTF-8 bytes.
 * @throws {InvalidArgumentError} naming `field`, the problem and the limit.
 * @internal
 */
export function checkString(field: string, value: unknown, maxBytes?: number): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(field, `expected a string, got ${kindOf(value)}`);
  if (value.length === 0) throw new InvalidArgumentError(field, 'must not be empty');
  if (maxBytes !== undefined) {
    const size = utf8Length(value);
    if (size > maxBytes) throw new InvalidArgumentError(field, `is ${size} UTF-8 bytes, over the limit of ${maxBytes} bytes`);
  }
  return value;
}
