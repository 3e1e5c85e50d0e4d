/**
 * Request checks in pushy's mock order (protocol notes §4): apns-id, method,
 * topic, collapse-id, priority, expiration, push type, then path and token.
 * Auth, payload emptiness, size and shape come after (see {@link checkPayload}),
 * so a bad token is reported before a missing provider token, as pushy does.
 */
import { isUtf8 } from 'node:buffer';
import { reject, type Rejection } from './reasons.js';

/** Apple's push types and the topic suffix each one needs ('' = bare bundle id, undefined = any). */
export const PUSH_TYPE_SUFFIX: Readonly<Record<string, string | undefined>> = {
  alert: '',
  background: '',
  location: '.location-query',
  voip: '.voip',
  complication: '.complication',
  fileprovider: '.pushkit.fileprovider',
  mdm: undefined,
  liveactivity: '.push-type.liveactivity',
  pushtotalk: '.voip-ptt',
  widgets: '.push-type.widgets',
  controls: '.push-type.controls',
};
const SUFFIXES = Object.values(PUSH_TYPE_SUFFIX).filter((s): s is string => !!s);

/** Payload limits in bytes: 5120 for VoIP, 4096 for everything else. */
export const PAYLOAD_LIMIT = { default: 4096, voip: 5120 } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX = /^[0-9a-fA-F]+$/;
const DEVICE_PREFIX = '/3/device/';
/** Headers that must appear once; a repeat is DuplicateHeaders. */
const SINGLE = new Set(['apns-id', 'apns-topic', 'apns-push-type', 'apns-priority', 'apns-expiration', 'apns-collapse-id', 'authorization']);

/** Headers as node:http2 hands them to a server. */
export type IncomingHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** A request that passed the header and path checks. */
export interface CheckedRequest {
  /** The device token from the path. */
  readonly token: string;
  /** `apns-topic`, or the certificate's only topic when absent. */
  readonly topic: string;
  readonly pushType: string | undefined;
  /** `apns-id` when the client sent one. */
  readonly apnsId: string | undefined;
}

/**
 * Turns the `apns-topic` header (maybe absent) into the topic, or a rejection
 * (MissingTopic, BadTopic). Certificate auth supplies its own.
 */
export type TopicResolver = (topic: string | undefined) => string | Rejection;

/** Token auth: the header is required. */
export const requireTopic: TopicResolver = (topic) => (topic === undefined ? reject('MissingTopic') : topic === '' ? reject('BadTopic') : topic);

function one(headers: IncomingHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** True when a header APNs reads appears more than once in the raw header list. */
export function hasDuplicateHeaders(rawHeaders: readonly string[] | undefined): boolean {
  if (!rawHeaders) return false;
  let seen: string[] | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (!SINGLE.has(name)) continue;
    if (seen?.includes(name)) return true;
    (seen ??= []).push(name);
  }
  return false;
}

/** The push type's required topic suffix does not match `topic`. */
export function topicMatchesPushType(topic: string, pushType: string): boolean {
  const suffix = PUSH_TYPE_SUFFIX[pushType];
  if (suffix === undefined) return true;
  if (suffix === '') return !SUFFIXES.some((s) => topic.endsWith(s));
  return topic.endsWith(suffix) && topic.length > suffix.length;
}

/**
 * Header and path checks, in pushy's order. Returns the parsed request or
 * the first rejection. `path` routing beyond `/3/device/` is the caller's.
 */
export function checkRequest(
  method: string,
  path: string,
  headers: IncomingHeaders,
  rawHeaders?: readonly string[],
  resolveTopic: TopicResolver = requireTopic,
): CheckedRequest | Rejection {
  if (hasDuplicateHeaders(rawHeaders)) return reject('DuplicateHeaders');
  const apnsId = one(headers, 'apns-id');
  if (apnsId !== undefined && !UUID.test(apnsId)) return reject('BadMessageId');
  if (method !== 'POST') return reject('MethodNotAllowed');
  const topic = resolveTopic(one(headers, 'apns-topic'));
  if (typeof topic !== 'string') return topic;
  const collapseId = one(headers, 'apns-collapse-id');
  if (collapseId !== undefined && Buffer.byteLength(collapseId) > 64) return reject('BadCollapseId');
  const priority = one(headers, 'apns-priority');
  if (priority !== undefined && priority !== '10' && priority !== '5' && priority !== '1') return reject('BadPriority');
  const expiration = one(headers, 'apns-expiration');
  if (expiration !== undefined && !/^\d{1,12}$/.test(expiration)) return reject('BadExpirationDate');
  const pushType = one(headers, 'apns-push-type');
  if (pushType !== undefined) {
    if (!Object.hasOwn(PUSH_TYPE_SUFFIX, pushType)) return reject('InvalidPushType');
    if (!topicMatchesPushType(topic, pushType)) return reject('InvalidPushType');
  }
  if (!path.startsWith(DEVICE_PREFIX)) return reject('BadPath');
  const token = path.slice(DEVICE_PREFIX.length);
  if (token === '') return reject('MissingDeviceToken');
  if (token.includes('/') || token.includes('?')) return reject('BadPath');
  // Tokens are 32 bytes today but Apple does not promise the length: accept 32-100 bytes of hex.
  if (token.length % 2 !== 0 || token.length < 64 || token.length > 200 || !HEX.test(token)) return reject('BadDeviceToken');
  return { token, topic, pushType, apnsId };
}

/**
 * True when `body` is UTF-8 JSON whose top level is an object, the only
 * payload shape APNs delivers (Apple: "a JSON dictionary"). Pass the bytes
 * when you have them: a decoded string can no longer show bad UTF-8.
 */
export function isJsonObject(body: Buffer | string): boolean {
  if (typeof body !== 'string' && !isUtf8(body)) return false;
  let value: unknown;
  try {
    value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return false;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * PayloadEmpty / PayloadTooLarge / BadRequestPayload for a body of `size`
 * bytes (`body`: its bytes, complete whenever `size` is within the limit).
 *
 * A body that is not a JSON object is refused with 400 BadRequestPayload.
 * Apple requires a JSON dictionary but documents no device-push reason for
 * a body that is not one (what APNs answers is unverified; a 400 of some
 * kind). BadRequestPayload is Apple's own reason for a bad body on the
 * broadcast and channel endpoints, so clients already know it as "fix the
 * request, do not retry". Sending it from `/3/device` is this mock's own
 * strictness: an oracle must refuse at least what APNs refuses.
 */
export function checkPayload(size: number, pushType: string | undefined, body: Buffer): Rejection | undefined {
  if (size === 0) return reject('PayloadEmpty');
  const limit = pushType === 'voip' ? PAYLOAD_LIMIT.voip : PAYLOAD_LIMIT.default;
  if (size > limit) return reject('PayloadTooLarge');
  if (!isJsonObject(body)) return reject('BadRequestPayload');
  return undefined;
}

/** True for a value `checkRequest` rejected with. */
export function isRejection(value: CheckedRequest | Rejection): value is Rejection {
  return 'reason' in value;
}
