/**
 * Channel management requests (create, read, list, delete) and their
 * responses. These go to Apple's channel-management hosts
 * (`api-manage-broadcast(.sandbox).push.apple.com`), not the push hosts.
 * @module
 */
import { validateBundleId, validateChannelId, validateRequestId } from './channel-ids.js';
import { BadResponseError, InvalidArgumentError } from './errors.js';
import { isPlainObject, kindOf } from './util.js';

/**
 * Named message storage policies (fixed when the channel is created).
 * @example
 * client.channels.create({ bundleId, storagePolicy: MessageStoragePolicy.MostRecentMessageStored });
 */
export const MessageStoragePolicy = Object.freeze({
  /** `0`: nothing is stored for offline devices; a larger publishing budget. */
  NoMessageStored: 0,
  /** `1`: the latest message is kept (up to 8 hours) for offline devices. */
  MostRecentMessageStored: 1,
} as const);

/** A `message-storage-policy` value: 0 (none stored) or 1 (most recent stored). */
export type MessageStoragePolicy = 0 | 1;

/** The one channel push type Apple allows, spelled as in channel configs. */
export const CHANNEL_PUSH_TYPE = 'LiveActivity';

/**
 * A channel's configuration, as APNs returns it on read.
 * @example
 * const config: ChannelConfig = { storagePolicy: 1, pushType: 'LiveActivity' };
 */
export interface ChannelConfig {
  /** `message-storage-policy`. */
  readonly storagePolicy: MessageStoragePolicy;
  /** `push-type` (Apple's spelling varies in case; kept as received). */
  readonly pushType: string;
}

/** The four channel operations. */
export type ChannelOperation = 'create' | 'read' | 'list' | 'delete';

/**
 * One channel-management request, ready for the wire.
 * @example
 * const { method, path, headers, body } = encodeChannelRequest({ operation: 'list', bundleId: 'com.example.app' });
 */
export interface EncodedChannelRequest {
  /** `POST` (create), `GET` (read, list) or `DELETE`. */
  readonly method: 'POST' | 'GET' | 'DELETE';
  /** `/1/apps/<bundleId>/channels` or `/1/apps/<bundleId>/all-channels`. */
  readonly path: string;
  /** `apns-channel-id` (read, delete) and `apns-request-id` when set; frozen. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body (create only; empty otherwise). */
  readonly body: Uint8Array;
}

/** What {@link encodeChannelRequest} takes. */
export type ChannelRequest =
  | { operation: 'create'; bundleId: string; storagePolicy: MessageStoragePolicy; requestId?: string }
  | { operation: 'read' | 'delete'; bundleId: string; channelId: string; requestId?: string }
  | { operation: 'list'; bundleId: string; requestId?: string };

/**
 * The `code` of the {@link BadResponseError} thrown when a successful channel
 * response does not have the documented shape.
 */
export const BAD_RESPONSE: BadResponseError['code'] = 'ERR_PUSHWIRE_BAD_RESPONSE';

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/**
 * Checks a storage policy: 0 or 1.
 * @throws {InvalidArgumentError} (field `storagePolicy`) for anything else.
 * @example
 * validateStoragePolicy(1); // 1
 */
export function validateStoragePolicy(policy: unknown): MessageStoragePolicy {
  if (policy === 0 || policy === 1) return policy;
  const got = typeof policy === 'number' ? String(policy) : kindOf(policy);
  throw new InvalidArgumentError('storagePolicy', `expected 0 (no message stored) or 1 (most recent message stored), got ${got}`);
}

/**
 * Validates and encodes a channel-management request.
 * @throws {InvalidArgumentError} naming the field (operation, bundleId,
 *   channelId, storagePolicy, requestId) before anything is sent.
 * @example
 * encodeChannelRequest({ operation: 'create', bundleId: 'com.example.app', storagePolicy: 0 });
 * // { method: 'POST', path: '/1/apps/com.example.app/channels', headers: {},
 * //   body: '{"message-storage-policy":0,"push-type":"LiveActivity"}' as bytes }
 */
export function encodeChannelRequest(request: ChannelRequest): EncodedChannelRequest {
  if (!isPlainObject(request)) throw new InvalidArgumentError('request', `expected an object, got ${kindOf(request)}`);
  const base = `/1/apps/${validateBundleId(request.bundleId)}`;
  const headers: Record<string, string> = {};
  let result: { method: EncodedChannelRequest['method']; path: string; body: Uint8Array };
  switch (request.operation) {
    case 'create': {
      const policy = validateStoragePolicy(request.storagePolicy);
      const json = JSON.stringify({ 'message-storage-policy': policy, 'push-type': CHANNEL_PUSH_TYPE });
      result = { method: 'POST', path: `${base}/channels`, body: encoder.encode(json) };
      break;
    }
    case 'read':
    case 'delete':
      headers['apns-channel-id'] = validateChannelId(request.channelId);
      result = { method: request.operation === 'read' ? 'GET' : 'DELETE', path: `${base}/channels`, body: EMPTY };
      break;
    case 'list':
      result = { method: 'GET', path: `${base}/all-channels`, body: EMPTY };
      break;
    default:
      throw new InvalidArgumentError('operation', `expected create, read, list or delete, got ${kindOf((request as { operation: unknown }).operation)}`);
  }
  if (request.requestId !== undefined) headers['apns-request-id'] = validateRequestId(request.requestId);
  return Object.freeze({ ...result, headers: Object.freeze(headers) });
}

/**
 * Parses the body of a successful read: `{"message-storage-policy":0|1,"push-type":"LiveActivity"}`.
 * @throws {BadResponseError} (code {@link BAD_RESPONSE}) when the body is not that shape.
 * @example
 * parseChannelConfig('{"message-storage-policy":1,"push-type":"LiveActivity"}'); // { storagePolicy: 1, pushType: 'LiveActivity' }
 */
export function parseChannelConfig(body: string | undefined): ChannelConfig {
  const json = parseObject(body);
  const policy = json['message-storage-policy'];
  const pushType = json['push-type'];
  if ((policy !== 0 && policy !== 1) || typeof pushType !== 'string') {
    throw badResponse('expected {"message-storage-policy": 0|1, "push-type": string}');
  }
  return Object.freeze({ storagePolicy: policy, pushType });
}

/**
 * Parses the body of a successful list: `{"channels":["<id>", ...]}`.
 * @throws {BadResponseError} (code {@link BAD_RESPONSE}) when the body is not that shape.
 * @example
 * parseChannelList('{"channels":["Y2gx","Y2gy"]}'); // ['Y2gx', 'Y2gy']
 */
export function parseChannelList(body: string | undefined): readonly string[] {
  const channels = parseObject(body)['channels'];
  if (!Array.isArray(channels) || !channels.every((id): id is string => typeof id === 'string')) {
    throw badResponse('expected {"channels": [string, ...]}');
  }
  return Object.freeze([...channels]);
}

function parseObject(body: string | undefined): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch (error) {
    throw badResponse('the body is not JSON', error);
  }
  if (!isPlainObject(json)) throw badResponse(`expected a JSON object, got ${kindOf(json)}`);
  return json;
}

function badResponse(problem: string, cause?: unknown): BadResponseError {
  return new BadResponseError(problem, { cause });
}
