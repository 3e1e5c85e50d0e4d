/**
 * Option checks shared by the producer and the worker: each throws models'
 * `InvalidArgumentError` naming the option, before anything connects.
 */
import { InvalidArgumentError, describeValue, warnIfSeconds } from '@pushwire/models';

/**
 * A duration in milliseconds (as everywhere in pushwire): an integer in
 * [min, max], or undefined. Below the range, the error reads the value as
 * seconds too; a small value in range gets models' seconds warning, unless
 * the option is one whose useful values are that small (`hint: false`).
 * @throws {InvalidArgumentError} naming `name`.
 */
export function checkDuration(name: string, value: unknown, min: number, max: number, hint = true): number | undefined {
  if (value === undefined) return undefined;
  if (!isIntegerIn(value, min, max)) {
    const seconds = typeof value === 'number' && value > 0 && value < min && value * 1000 >= min && value * 1000 <= max;
    const asSeconds = seconds ? ` (durations are milliseconds: did you mean ${value * 1000} ms, ${value} s?)` : '';
    throw new InvalidArgumentError(name, `expected milliseconds, an integer from ${min} to ${max}, got ${describeValue(value)}${asSeconds}`);
  }
  if (hint) warnIfSeconds(name, value);
  return value;
}

/**
 * `value` must be an integer in [min, max], or undefined.
 * @returns the value (undefined stays undefined).
 * @throws {InvalidArgumentError} naming `name`.
 */
export function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!isIntegerIn(value, min, max)) {
    throw new InvalidArgumentError(name, `expected an integer from ${min} to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
