/**
 * A campaign's notification as it travels in jobs: validated and encoded
 * once by the producer (so a bad payload fails `enqueue`, not every job),
 * then sent byte for byte by the workers as a raw payload.
 */
import type { Notification, RawPayload, SendOptions } from '@pushwire/api';
import { InvalidArgumentError, buildHeaders, checkOptionNames, encodePayload } from '@pushwire/models';

/**
 * The headers of a campaign: the API's `SendOptions` without `apnsId` (each
 * token's `apns-id` derives from the campaign id, so a resend reuses it).
 * `collapseId` defaults to `'auto'` (the campaign id): a token sent twice
 * after a crash replaces the first copy on the device instead of showing twice.
 * `topic` is required: the campaign records it (its streams carry it), and
 * the producer does not know a worker's client-level default.
 */
export type CampaignSendOptions = Omit<SendOptions, 'apnsId' | 'topic'> & { topic: string };

/** The headers as stored in a job (JSON): dates as UNIX seconds. */
export interface WireOptions {
  readonly topic: string;
  readonly pushType?: SendOptions['pushType'];
  readonly priority?: SendOptions['priority'];
  readonly expiration?: number;
  readonly collapseId: string;
}

/** One job: a slice of a campaign's tokens plus everything needed to send them. */
export interface JobData {
  /** Format version of this record. */
  readonly v: 1;
  readonly campaignId: string;
  /** The job's index in the campaign (0-based); its tokens' marks are kept under it. */
  readonly part: number;
  readonly credentials: string;
  /** The encoded payload (JSON text), sent as `{ raw }`. */
  readonly payload: string;
  readonly options: WireOptions;
  readonly tokens: readonly string[];
}

/** The validated, encoded notification of a campaign. */
export interface CampaignMessage {
  readonly payload: string;
  readonly options: WireOptions;
}

const decoder = new TextDecoder();
const OPTIONS_KNOWN = Object.keys({ topic: true, pushType: true, priority: true, expiration: true, collapseId: true } satisfies Record<keyof CampaignSendOptions, true>);
const OPTIONS_HINTS: Readonly<Record<string, string>> = {
  expiry: 'use `expiration` (a Date or UNIX seconds)',
  bundleId: 'use `topic`',
  id: 'ids are derived per token from the campaign id',
};

/**
 * Validates and encodes a campaign's notification and headers.
 * @throws {InvalidArgumentError} / `PayloadTooLargeError`, as `sendMany` would, before anything is enqueued.
 */
export function prepareMessage(notification: Notification | RawPayload, options: CampaignSendOptions): CampaignMessage {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'expected an object with at least `topic`');
  if ('apnsId' in options && (options as { apnsId?: unknown }).apnsId !== undefined) {
    throw new InvalidArgumentError('options.apnsId', "is set per token from the campaign id (so a resend reuses it); leave it out");
  }
  checkOptionNames(options, { where: "a campaign's `options`", known: OPTIONS_KNOWN, hints: OPTIONS_HINTS, prefix: 'options.' });
  const { collapseId = 'auto', expiration, ...rest } = options;
  if (typeof collapseId !== 'string') throw new InvalidArgumentError('options.collapseId', "expected 'auto' or a string of at most 64 bytes");
  const seconds = expiration instanceof Date ? Math.floor(expiration.getTime() / 1000) : expiration;
  // The auto collapse id is a UUID: check the headers with one in its place.
  const headerCheck = collapseId === 'auto' ? '00000000-0000-4000-8000-000000000000' : collapseId;
  buildHeaders({ ...rest, ...(seconds === undefined ? {} : { expiration: seconds }), collapseId: headerCheck });
  const payload = decoder.decode(encodePayload(notification, options.pushType ?? 'alert'));
  return {
    payload,
    options: {
      topic: options.topic,
      ...(options.pushType === undefined ? {} : { pushType: options.pushType }),
      ...(options.priority === undefined ? {} : { priority: options.priority }),
      ...(seconds === undefined ? {} : { expiration: seconds }),
      collapseId,
    },
  };
}

/** The `sendMany` arguments of a job. */
export function sendArguments(data: JobData): { notification: RawPayload; options: SendOptions } {
  return { notification: { raw: data.payload }, options: { ...data.options } };
}
