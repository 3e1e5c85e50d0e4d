/**
 * `client.channels`: broadcast channel management (create, read, list,
 * delete) on Apple's channel-management host.
 */
import { Request, type Response } from '@pushwire/connection';
import {
  checkOptionNames,
  encodeChannelRequest,
  parseChannelConfig,
  parseChannelList,
  type ChannelRequest,
  type MessageStoragePolicy,
} from '@pushwire/models';
import { APNSRejection } from './errors.js';
import type { OriginPost } from './origins.js';
import { header, resolveRequestId, type RequestIdOption } from './request-id.js';

/** Options every channel call takes. */
export interface ChannelCallOptions {
  /** The app the channel belongs to (its bare bundle id). */
  bundleId: string;
  /**
   * `apns-request-id`: `'auto'` makes a UUID (so the rejection or your log
   * has it even without an answer), `false` lets APNs make one.
   * @default 'auto'
   */
  requestId?: RequestIdOption;
  /** Abandons the call; it rejects with the pool's abort error. */
  signal?: AbortSignal;
}

/** Options of {@link Channels.create}. */
export interface CreateChannelOptions extends ChannelCallOptions {
  /**
   * `message-storage-policy`, fixed for the channel's life: `0` stores
   * nothing for offline devices (a larger budget), `1` keeps the most
   * recent message up to 8 hours. See `MessageStoragePolicy`.
   */
  storagePolicy: MessageStoragePolicy;
}

/** Options of {@link Channels.read} and {@link Channels.delete}. */
export interface ChannelIdOptions extends ChannelCallOptions {
  /** The base64 id APNs gave at creation. */
  channelId: string;
}

const CALL_KNOWN = Object.keys({ bundleId: true, requestId: true, signal: true } satisfies Record<keyof ChannelCallOptions, true>);
/** The names each channel call takes (the types make these lists complete). */
const CHANNEL_KNOWN: Readonly<Record<ChannelRequest['operation'], readonly string[]>> = {
  create: Object.keys({ bundleId: true, requestId: true, signal: true, storagePolicy: true } satisfies Record<keyof CreateChannelOptions, true>),
  read: Object.keys({ bundleId: true, requestId: true, signal: true, channelId: true } satisfies Record<keyof ChannelIdOptions, true>),
  delete: Object.keys({ bundleId: true, requestId: true, signal: true, channelId: true } satisfies Record<keyof ChannelIdOptions, true>),
  list: CALL_KNOWN,
};

/** A created channel. */
export interface CreatedChannel {
  /** The new channel's id: share it with the app (ActivityKit subscribes with it). */
  readonly channelId: string;
  readonly storagePolicy: MessageStoragePolicy;
  /** `apns-request-id` of the answer. */
  readonly requestId: string | undefined;
}

/** A channel's configuration. */
export interface ChannelInfo {
  readonly channelId: string;
  readonly storagePolicy: MessageStoragePolicy;
  /** `LiveActivity` (Apple's only channel push type). */
  readonly pushType: string;
  readonly requestId: string | undefined;
}

/** The channels of an app. */
export interface ChannelList {
  /** Every active channel id of the app in this environment. */
  readonly channels: readonly string[];
  readonly requestId: string | undefined;
}

/** A deleted channel. */
export interface DeletedChannel {
  readonly channelId: string;
  readonly requestId: string | undefined;
}

/**
 * Channel management of one client. Everything is validated before a byte
 * is sent (`InvalidArgumentError` naming the field). A refusal rejects with
 * {@link APNSRejection} (`reason` such as `ChannelNotRegistered`,
 * `BadChannelId`, `CannotCreateChannelConfig`, `FeatureNotEnabled`, and
 * `requestId`); no answer rejects with the pool's `Timeout` / `Closed` /
 * `ConnectError`.
 *
 * @example
 * ```ts
 * const { channelId } = await client.channels.create({ bundleId: 'com.example.app', storagePolicy: 0 });
 * await client.channels.read({ bundleId: 'com.example.app', channelId });   // { storagePolicy: 0, pushType: 'LiveActivity', … }
 * await client.channels.list({ bundleId: 'com.example.app' });              // { channels: [channelId, …] }
 * await client.channels.delete({ bundleId: 'com.example.app', channelId });
 * ```
 */
export class Channels {
  readonly #post: OriginPost;
  readonly #timeout: number;

  /** @internal Use `client.channels`. */
  constructor(post: OriginPost, timeout: number) {
    this.#post = post;
    this.#timeout = timeout;
  }

  /** Creates a channel (201) and resolves with its id. Never retried after an attempt that ended `'unknown'`: a resend could make a second channel. */
  async create(options: CreateChannelOptions): Promise<CreatedChannel> {
    const { response, requestId } = await this.#call({ operation: 'create', bundleId: options?.bundleId, storagePolicy: options?.storagePolicy }, options, 201);
    const channelId = header(response.headers, 'apns-channel-id');
    if (channelId === undefined || channelId === '') {
      throw new APNSRejection({ status: response.status, reason: 'MissingChannelId', requestId, subject: 'channel request' });
    }
    return Object.freeze({ channelId, storagePolicy: options.storagePolicy, requestId });
  }

  /** Reads a channel's configuration (200). */
  async read(options: ChannelIdOptions): Promise<ChannelInfo> {
    const { response, requestId } = await this.#call({ operation: 'read', bundleId: options?.bundleId, channelId: options?.channelId }, options, 200);
    const config = parseChannelConfig(response.body);
    return Object.freeze({ channelId: options.channelId, storagePolicy: config.storagePolicy, pushType: config.pushType, requestId });
  }

  /** Lists every channel id of the app (200). */
  async list(options: ChannelCallOptions): Promise<ChannelList> {
    const { response, requestId } = await this.#call({ operation: 'list', bundleId: options?.bundleId }, options, 200);
    return Object.freeze({ channels: parseChannelList(response.body), requestId });
  }

  /** Deletes a channel (204). Final: the id is never valid again (stored messages may still arrive). */
  async delete(options: ChannelIdOptions): Promise<DeletedChannel> {
    const { requestId } = await this.#call({ operation: 'delete', bundleId: options?.bundleId, channelId: options?.channelId }, options, 204);
    return Object.freeze({ channelId: options.channelId, requestId });
  }

  async #call(
    request: ChannelRequest,
    options: ChannelCallOptions,
    expected: number,
  ): Promise<{ response: Response; requestId: string | undefined }> {
    if (typeof options === 'object' && options !== null) {
      checkOptionNames(options, { where: `client.channels.${request.operation}()`, known: CHANNEL_KNOWN[request.operation] });
    }
    const sentId = resolveRequestId(options?.requestId);
    const encoded = encodeChannelRequest(sentId === undefined ? request : { ...request, requestId: sentId });
    const wire = Request.create(encoded.path, { ...encoded.headers }, encoded.body, { attemptTimeout: this.#timeout, method: encoded.method });
    const response = await this.#post(wire, options?.signal);
    const requestId = header(response.headers, 'apns-request-id') ?? sentId;
    if (response.status !== expected) {
      throw new APNSRejection({ status: response.status, reason: response.reason, requestId, subject: 'channel request' });
    }
    return { response, requestId };
  }
}
