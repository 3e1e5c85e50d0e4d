/**
 * Turns an APNs payload as JSON (`{"aps":{...}, "custom": ...}`, what Apple
 * documents and what a payload file holds) into what the client sends.
 */
import type { RawPayload } from '@pushwire/api';
import { badInput } from './exit-codes.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The notification for an APNs JSON payload.
 * @param source names the payload in errors (e.g. `--payload 'p.json'`).
 * @throws {CliError} bad input when the JSON is not an object with an `aps` object.
 */
export function fromApnsJson(json: unknown, source: string): RawPayload {
  if (!isObject(json)) throw badInput(`${source} must be a JSON object like {"aps":{"alert":"Hello"}}`);
  if (json.aps !== undefined && !isObject(json.aps)) throw badInput(`${source}: "aps" must be an object`);
  // Sent as a RawPayload ({ raw }): every Apple key works as written,
  // re-serialized compactly; models checks the JSON shape and size limit.
  return { raw: json };
}
