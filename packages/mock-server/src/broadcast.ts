/**
 * Channel management (`/1/apps/<bundleId>/channels`, `/all-channels`) and
 * broadcast pushes (`/4/broadcasts/apps/<bundleId>`): routing, validation
 * and answers, with the reasons of Apple's "Handling error responses".
 *
 * Check order (the mock's reading; Apple documents none): duplicate headers,
 * `apns-request-id`, path, method, the headers of the operation, auth, the
 * bundle id against a certificate (TopicMismatch), FeatureNotEnabled, the
 * channel itself, then the body.
 */
import { randomUUID } from 'node:crypto';
import type { ChannelStore, StoragePolicy } from './channels.js';
import { reject, type Rejection } from './reasons.js';
import { isJsonObject, type IncomingHeaders } from './validate.js';

/** Broadcast payloads may be 5120 bytes (Apple). */
export const BROADCAST_PAYLOAD_LIMIT = 5120;

const CHANNELS_PREFIX = '/1/apps/';
const BROADCAST_PREFIX = '/4/broadcasts/apps/';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const BUNDLE_ID = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;
const SINGLE = new Set(['apns-request-id', 'apns-channel-id', 'apns-push-type', 'apns-priority', 'apns-expiration', 'authorization']);

/** True for paths this module answers (everything else is the device route's). */
export function isBroadcastPath(path: string): boolean {
  return path.startsWith(CHANNELS_PREFIX) || path.startsWith(BROADCAST_PREFIX);
}

/** What a channel or broadcast request is answered with. */
export interface BroadcastAnswer {
  readonly status: number;
  readonly reason?: string;
  /** `apns-request-id`: echoed, or generated. */
  readonly requestId: string;
  /** Extra success headers (`apns-channel-id` on create). */
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON body of a success (read, list). */
  readonly json?: unknown;
  /** For a 200 broadcast: the channel it went to. */
  readonly channelId?: string;
}

/** What the routes need from the server. */
export interface BroadcastContext {
  readonly store: ChannelStore;
  readonly now: number;
  /** Token or certificate auth of the connection; a rejection or undefined. */
  authenticate(): Rejection | undefined;
  /** With a certificate: whether it covers `bundleId` (otherwise TopicMismatch). */
  bundleAllowed(bundleId: string): boolean;
}

type Route = { kind: 'channels' | 'all-channels' | 'broadcast'; bundleId: string };

function one(headers: IncomingHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function route(path: string): Route | undefined {
  let rest: string;
  let kind: Route['kind'];
  if (path.startsWith(BROADCAST_PREFIX)) {
    rest = path.slice(BROADCAST_PREFIX.length);
    kind = 'broadcast';
    return BUNDLE_ID.test(rest) ? { kind, bundleId: rest } : undefined;
  }
  rest = path.slice(CHANNELS_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const bundleId = rest.slice(0, slash);
  const tail = rest.slice(slash + 1);
  if (!BUNDLE_ID.test(bundleId)) return undefined;
  if (tail === 'channels') kind = 'channels';
  else if (tail === 'all-channels') kind = 'all-channels';
  else return undefined;
  return { kind, bundleId };
}

function duplicated(rawHeaders: readonly string[] | undefined): boolean {
  if (!rawHeaders) return false;
  const seen = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (!SINGLE.has(name)) continue;
    if (seen.has(name)) return true;
    seen.add(name);
  }
  return false;
}

function channelIdOf(headers: IncomingHeaders): string | Rejection {
  const id = one(headers, 'apns-channel-id');
  if (id === undefined || id === '') return reject('MissingChannelId');
  return BASE64.test(id) ? id : reject('BadChannelId');
}

/**
 * Answers one channel-management or broadcast request. `body` is the
 * request body (read for create and broadcast), `size` its length in bytes.
 */
export function answerBroadcast(
  method: string,
  path: string,
  headers: IncomingHeaders,
  rawHeaders: readonly string[] | undefined,
  body: string,
  size: number,
  ctx: BroadcastContext,
): BroadcastAnswer {
  const sentId = one(headers, 'apns-request-id');
  const requestId = sentId !== undefined && UUID.test(sentId) ? sentId : randomUUID();
  const fail = (rejection: Rejection): BroadcastAnswer => ({ status: rejection.status, reason: rejection.reason, requestId });
  if (duplicated(rawHeaders)) return fail(reject('DuplicateHeaders'));
  if (sentId !== undefined && !UUID.test(sentId)) return fail(reject('BadMessageId'));
  const target = route(path);
  if (!target) return fail(reject('BadPath'));
  const allowed = target.kind === 'channels' ? ['POST', 'GET', 'DELETE'] : target.kind === 'all-channels' ? ['GET'] : ['POST'];
  if (!allowed.includes(method)) return fail(reject('MethodNotAllowed'));

  // Headers of the operation, before auth (as for device pushes).
  let channelId: string | undefined;
  let expiration: string | undefined;
  if (target.kind === 'broadcast') {
    const pushType = one(headers, 'apns-push-type');
    if (pushType === undefined || pushType === '') return fail(reject('MissingPushType'));
    // Apple's own text spells it LiveActivity and liveactivity.
    if (pushType.toLowerCase() !== 'liveactivity') return fail(reject('InvalidPushType'));
  }
  if (target.kind === 'broadcast' || (target.kind === 'channels' && method !== 'POST')) {
    const id = channelIdOf(headers);
    if (typeof id !== 'string') return fail(id);
    channelId = id;
  }
  if (target.kind === 'broadcast') {
    const priority = one(headers, 'apns-priority');
    if (priority !== '10' && priority !== '5' && priority !== '1') return fail(reject('BadPriority'));
    expiration = one(headers, 'apns-expiration');
    if (expiration === undefined || !/^\d{1,12}$/.test(expiration)) return fail(reject('BadExpirationDate'));
  }

  const denied = ctx.authenticate();
  if (denied) return fail(denied);
  if (!ctx.bundleAllowed(target.bundleId)) return fail(reject('TopicMismatch'));
  if (!ctx.store.isEnabled(target.bundleId)) return fail(reject('FeatureNotEnabled'));

  const { store } = ctx;
  switch (target.kind) {
    case 'all-channels':
      return { status: 200, requestId, json: { channels: store.list(target.bundleId).map((c) => c.channelId) } };
    case 'channels': {
      if (method === 'POST') {
        const config = parseConfig(body, size);
        if (typeof config !== 'number') return fail(config);
        const channel = store.create(target.bundleId, config, ctx.now);
        if (!channel) return fail(reject('CannotCreateChannelConfig'));
        return { status: 201, requestId, headers: { 'apns-channel-id': channel.channelId } };
      }
      const channel = store.get(target.bundleId, channelId!);
      if (!channel) return fail(reject('ChannelNotRegistered'));
      if (method === 'DELETE') {
        store.delete(target.bundleId, channel.channelId);
        return { status: 204, requestId };
      }
      return { status: 200, requestId, json: { 'message-storage-policy': channel.storagePolicy, 'push-type': 'LiveActivity' } };
    }
    case 'broadcast': {
      const channel = store.get(target.bundleId, channelId!);
      if (!channel) return fail(reject('ChannelNotRegistered'));
      // A channel that stores nothing can only take "deliver now or drop".
      if (channel.storagePolicy === 0 && expiration !== '0') return fail(reject('BadExpirationDate'));
      if (size === 0) return fail(reject('PayloadEmpty'));
      if (size > BROADCAST_PAYLOAD_LIMIT) return fail(reject('PayloadTooLarge'));
      // Apple lists BadRequestPayload for these endpoints; a broadcast is an aps payload like a push.
      if (!isJsonObject(body)) return fail(reject('BadRequestPayload'));
      return { status: 200, requestId, channelId: channel.channelId };
    }
  }
}

/** The storage policy from a create body, or the rejection. */
function parseConfig(body: string, size: number): StoragePolicy | Rejection {
  if (size === 0) return reject('PayloadEmpty');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return reject('BadRequestPayload');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return reject('BadRequestPayload');
  const config = json as Record<string, unknown>;
  const policy = config['message-storage-policy'];
  const pushType = config['push-type'];
  if (policy === undefined) return reject('MissingChannelQueueSize');
  if (policy !== 0 && policy !== 1) return reject('BadRequestPayload');
  if (pushType === undefined) return reject('MissingPushType');
  if (typeof pushType !== 'string' || pushType.toLowerCase() !== 'liveactivity') return reject('InvalidPushType');
  return policy;
}
