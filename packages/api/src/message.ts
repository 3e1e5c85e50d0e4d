/**
 * Turns (notification, options) into wire pieces once, then stamps out one
 * request per token: the hot path of bulk sends encodes nothing twice.
 */
import { Request } from '@pushwire/connection';
import {
  InvalidArgumentError,
  buildHeaders,
  devicePath,
  encodePayload,
  validateApnsId,
  validateDeviceToken,
  type Notification,
  type NotificationOptions,
  type RawPayload,
} from '@pushwire/models';
import { checkSendOptionNames, type SendOptions } from './options.js';

const DEVICE_PREFIX = '/3/device/';

/** A notification encoded once for any number of tokens. @internal */
export class PreparedMessage {
  readonly topic: string;
  /** Headers and body validated once; each token's request is `withPath()` of it. */
  readonly #template: Request;

  /**
   * Validates and encodes; throws `InvalidArgumentError` /
   * `PayloadTooLargeError` before anything is sent.
   * @param options the send's options with its topic resolved (the client's default in place of a missing one)
   * @param collapseId the resolved collapse id (`'auto'` already replaced)
   */
  constructor(notification: Notification | RawPayload, options: SendOptions & { readonly topic: string }, collapseId: string | undefined, attemptTimeout: number) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('options', 'expected an object with at least `topic`');
    }
    const { apnsId: _apnsId, collapseId: _collapseId, ...rest } = options;
    const wireOptions: NotificationOptions = collapseId === undefined ? rest : { ...rest, collapseId };
    const headers = buildHeaders(wireOptions);
    const body = encodePayload(notification, options.pushType ?? 'alert');
    this.topic = options.topic;
    this.#template = Request.create(DEVICE_PREFIX, headers, body, { attemptTimeout });
  }

  /** The request for one token (validated again by `devicePath`), with its `apns-id` if any. */
  request(token: string, apnsId: string | undefined): Request {
    return apnsId === undefined ? this.#template.withPath(devicePath(token)) : this.#template.withPath(devicePath(token), { 'apns-id': apnsId });
  }
}

/** Throws `InvalidArgumentError` unless `token` is a valid device token. @internal */
export function checkToken(token: unknown): asserts token is string {
  if (typeof token !== 'string') throw new InvalidArgumentError('deviceToken', `expected a hex string, got ${typeof token}`);
  validateDeviceToken(token);
}

/**
 * Refuses unknown option names (with a "did you mean"), then validates an
 * explicit `apnsId` / `collapseId` option.
 * @returns the explicit `apns-id` in lowercase (APNs wants lowercase; callers
 *   may give either case), or the option as given (`'auto'`, `false`, unset).
 * @internal
 */
export function checkIdOptions(options: SendOptions, bulk: boolean): string | 'auto' | false | undefined {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', 'expected an object with at least `topic`');
  }
  checkSendOptionNames(options);
  const { apnsId, collapseId } = options;
  if (collapseId !== undefined && typeof collapseId !== 'string') {
    throw new InvalidArgumentError('collapseId', `expected a string or 'auto', got ${typeof collapseId}`);
  }
  if (apnsId === undefined || apnsId === 'auto' || apnsId === false) return apnsId;
  if (bulk) throw new InvalidArgumentError('apnsId', "sendMany derives one id per token: use 'auto' or false");
  if (typeof apnsId !== 'string') throw new InvalidArgumentError('apnsId', `expected a UUID string, 'auto' or false, got ${typeof apnsId}`);
  // models' check: a UUID in either case, returned lowercase.
  return validateApnsId(apnsId);
}
