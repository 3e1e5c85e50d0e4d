/**
 * The `requestId` option of channel and broadcast calls: `'auto'` (default)
 * makes a UUID up front, so even an unanswered request has an id to log.
 * @internal
 */
import { InvalidArgumentError, validateRequestId } from '@pushwire/models';
import { newApnsId } from './ids.js';

/** `'auto'` (a fresh UUID), `false` (APNs makes one) or a UUID. */
export type RequestIdOption = string | 'auto' | false;

/** Resolves the option to the id to send, if any. @internal */
export function resolveRequestId(option: RequestIdOption | undefined): string | undefined {
  if (option === undefined || option === 'auto') return newApnsId();
  if (option === false) return undefined;
  if (typeof option !== 'string') throw new InvalidArgumentError('requestId', "expected a UUID, 'auto' or false");
  return validateRequestId(option);
}

/** A single-valued response header. @internal */
export function header(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
