/**
 * Checks a numeric option before it goes into a config file or an argument
 * list: only integers in range, so nothing else can be injected.
 * @throws RangeError otherwise.
 */
export function integer(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
