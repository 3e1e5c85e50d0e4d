/**
 * `client.broadcast()`: one Live Activity update to every device subscribed
 * to a channel, `POST /4/broadcasts/apps/<bundleId>`.
 */
import { Request } from '@pushwire/connection';
import { checkOptionNames, encodeBroadcast, type BroadcastOptions, type Notification, type RawPayload } from '@pushwire/models';
import { APNSRejection } from './errors.js';
import type { OriginPost } from './origins.js';
import { header, resolveRequestId, type RequestIdOption } from './request-id.js';

/** Options of one broadcast: models' `BroadcastOptions` plus an automatic request id. */
export interface BroadcastSendOptions extends Omit<BroadcastOptions, 'requestId'> {
  /**
   * `apns-request-id`: `'auto'` makes a UUID, `false` lets APNs make one.
   * @default 'auto'
   */
  requestId?: RequestIdOption;
  /** Abandons the send; it rejects with the pool's abort error. */
  signal?: AbortSignal;
}

const BROADCAST_KNOWN = Object.keys({
  bundleId: true, expiration: true, priority: true, requestId: true, signal: true,
} satisfies Record<keyof BroadcastSendOptions, true>);

/** A broadcast APNs accepted. */
export interface BroadcastResult {
  /** The channel it went to. */
  readonly channelId: string;
  /** `apns-request-id` of the answer. */
  readonly requestId: string | undefined;
  /** `apns-unique-id` of the answer, when APNs sent one. */
  readonly uniqueId: string | undefined;
}

/**
 * Validates, encodes and sends one broadcast.
 * @internal Use `client.broadcast()`.
 */
export async function sendBroadcast(
  post: OriginPost,
  channelId: string,
  notification: Notification | RawPayload,
  options: BroadcastSendOptions,
  timeout: number,
): Promise<BroadcastResult> {
  if (typeof options === 'object' && options !== null) checkOptionNames(options, { where: 'client.broadcast()', known: BROADCAST_KNOWN });
  const sentId = resolveRequestId(options?.requestId);
  const { requestId: _requestId, signal, ...rest } = options ?? ({} as BroadcastSendOptions);
  const encoded = encodeBroadcast(channelId, notification, sentId === undefined ? rest : { ...rest, requestId: sentId });
  const response = await post(Request.create(encoded.path, { ...encoded.headers }, encoded.body, { attemptTimeout: timeout }), signal);
  const requestId = header(response.headers, 'apns-request-id') ?? sentId;
  if (response.status !== 200) {
    throw new APNSRejection({ status: response.status, reason: response.reason, requestId, subject: 'broadcast' });
  }
  return Object.freeze({ channelId, requestId, uniqueId: response.apnsUniqueId });
}
