/**
 * The `logger` option every tier takes: any pino- or console-shaped object.
 * pushwire calls it pino's way, `logger.info(fields, message)`: a plain
 * object of fields first, then the message. Fields never hold secrets
 * (no key, no JWT, no proxy credentials, device tokens cut to a short prefix).
 * @module
 */
import { InvalidArgumentError } from './errors.js';
import { logSafe } from './log-safe.js';
import { describeValue } from './options.js';

/** A pino- or console-shaped logger: `debug/info/warn/error(fields, message)`. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * `value` must be undefined or an object with `debug`, `info`, `warn` and
 * `error` methods.
 * @throws {@link InvalidArgumentError} naming the option.
 */
export function checkLogger(name: string, value: unknown): Logger | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || LEVELS.some((level) => typeof (value as Record<string, unknown>)[level] !== 'function')) {
    throw new InvalidArgumentError(name, `expected a logger with debug, info, warn and error methods (pino, console), got ${describeValue(value)}`);
  }
  return value as Logger;
}

/**
 * Calls `logger[level](fields, message)`, swallowing what the logger throws:
 * a broken logger never breaks a send.
 */
export function log(logger: Logger | undefined, level: (typeof LEVELS)[number], fields: object, message: string): void {
  if (logger === undefined) return;
  try {
    logger[level](fields, message);
  } catch {
    // A logger's failure is not the send's.
  }
}

/**
 * The fields an error is logged with: its class, `code`, APNs `reason`,
 * `outcome` and a log-safe, cut message. Never its `cause` chain's
 * contents or other properties (a request, a header, credentials).
 */
export function errorFields(error: unknown): Record<string, string> {
  if (!(error instanceof Error)) return { type: typeof error };
  const fields: Record<string, string> = { type: error.name, message: logSafe(error.message, 200) };
  const { code, reason, outcome } = error as { code?: unknown; reason?: unknown; outcome?: unknown };
  if (typeof code === 'string') fields['code'] = logSafe(code, 40);
  if (typeof reason === 'string') fields['reason'] = logSafe(reason, 40);
  if (typeof outcome === 'string') fields['outcome'] = outcome;
  return fields;
}
