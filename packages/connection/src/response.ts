/** Turns response headers and body into a {@link Response}. */
import type { IncomingHttpHeaders } from 'node:http2';
import { describeReason } from '@pushwire/models';
import type { Response } from './types.js';

/**
 * Whether the auth hook hears about this answer: a 403 or 429 whose reason
 * the models reasons table marks `auth` (provider token or certificate).
 * @internal
 */
export function isAuthRejection(status: number, reason: string | undefined): boolean {
  return (status === 403 || status === 429) && reason !== undefined && describeReason(reason)?.auth === true;
}

function single(value: string | string[] | number | undefined): string | undefined {
  return typeof value === 'string' ? value : Array.isArray(value) ? value[0] : undefined;
}

/**
 * Builds a response. The body is only parsed when there is one (never on a
 * plain 200).
 * @internal
 */
export function buildResponse(status: number, headers: IncomingHttpHeaders, chunks: Buffer[] | undefined): Response {
  let body: string | undefined;
  let reason: string | undefined;
  let timestamp: number | undefined;
  if (chunks !== undefined && chunks.length > 0) {
    body = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8');
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null) {
        const json = parsed as { reason?: unknown; timestamp?: unknown };
        if (typeof json.reason === 'string') reason = json.reason;
        if (typeof json.timestamp === 'number') timestamp = json.timestamp;
      }
    } catch {
      // Not JSON: the raw body is still on the response.
    }
  }
  const retry = single(headers['retry-after']);
  const retryAfter = retry === undefined ? undefined : Number.parseInt(retry, 10);
  return {
    status,
    apnsId: single(headers['apns-id']),
    apnsUniqueId: single(headers['apns-unique-id']),
    reason,
    timestamp,
    retryAfter: retryAfter !== undefined && Number.isFinite(retryAfter) ? retryAfter : undefined,
    headers: headers as Readonly<Record<string, string>>,
    body,
  };
}
