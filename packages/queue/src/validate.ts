/**
 * Option checks shared by the producer and the worker: each throws models'
 * `InvalidArgumentError` naming the option, before anything connects.
 */
import { InvalidArgumentError, describeValue } from '@pushwire/models';

/**
 * `value` must be an integer in [min, max], or undefined.
 * @returns the value (undefined stays undefined).
 * @throws {InvalidArgumentError} naming `name`.
 */
export function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(name, `expected an integer from ${min} to ${max}, got ${describeValue(value)}`);
  }
  return value;
}
