/**
 * `client.broadcast()`: one Live Activity update to every device subscribed
 * to a channel, `POST /4/broadcasts/apps/<bundleId>`.
 */
import { Request } from '@pushwire/connection';
import { encodeBroadcast, type BroadcastOptions, type Notification, type RawPayload } from '@pushwire/models';
import { ApnsRejection } from './errors.js';
import type { LanePost } from './lanes.js';
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
  post: LanePost,
  channelId: string,
  notification: Notification | RawPayload,
  options: BroadcastSendOptions,
  timeout: number,
): Promise<BroadcastResult> {
  const sentId = resolveRequestId(options?.requestId);
  const { requestId: _requestId, signal, ...rest } = options ?? ({} as BroadcastSendOptions);
  const encoded = encodeBroadcast(channelId, notification, sentId === undefined ? rest : { ...rest, requestId: sentId });
  const response = await post(Request.create(encoded.path, { ...encoded.headers }, encoded.body, { timeout }), signal);
  const requestId = header(response.headers, 'apns-request-id') ?? sentId;
  if (response.status !== 200) {
    throw new ApnsRejection({ status: response.status, reason: response.reason, requestId, subject: 'broadcast' });
  }
  return Object.freeze({ channelId, requestId, uniqueId: response.apnsUniqueId });
}
