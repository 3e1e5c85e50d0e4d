/**
 * `@pushwire/api`: the app-facing pushwire API.
 *
 * `Server` → `Client` → `sendNotification` / `sendMany` (with
 * `tokensFromFile` for token files), the unregistered feed, and `Session`
 * for many credentials in one process.
 * @packageDocumentation
 */
export { Server, PRODUCTION_HOST, DEVELOPMENT_HOST, PRODUCTION_CHANNEL_ORIGIN, DEVELOPMENT_CHANNEL_ORIGIN } from './server.js';
export type { ServerSpec } from './server.js';
export { Client } from './client.js';
export type { ClientStats, SendControl } from './client.js';
export { Session } from './session.js';
export { Channels } from './channels.js';
export type { ChannelCallOptions, ChannelIdOptions, ChannelInfo, ChannelList, CreateChannelOptions, CreatedChannel, DeletedChannel } from './channels.js';
export type { BroadcastResult, BroadcastSendOptions } from './broadcast.js';
export type { RequestIdOption } from './request-id.js';
export { BatchResult, SentList } from './batch-result.js';
export type { BatchCounts, BatchError, BatchRetryOptions, BulkMessage, Failure, SentEntry } from './batch-result.js';
export type { TokenSource } from './bulk.js';
export { fileErrorReason, tokensFromFile } from './token-file.js';
export type { TokenFileOptions } from './token-file.js';
export type { UnregisteredEvent } from './feedback.js';
export type { MeterLike, MeterProviderLike, MetricAttributes, MetricsOption } from './metrics.js';
export type { SpanAttributes, SpanLike, TracerLike, TracerProviderLike, TracingOption } from './tracing.js';
export { APNSRejection, BatchInterrupted, CredentialFileError, TokenFileError } from './errors.js';
export type { ErrorCode, RejectionInit } from './errors.js';
export type {
  Auth,
  BackoffOptions,
  BulkOptions,
  BulkProgress,
  CertificateAuth,
  ClientOptions,
  CollectMode,
  Delivery,
  PfxAuth,
  PingOptions,
  SendOptions,
  ServerOptions,
  TokenAuthConfig,
  TokenCredentials,
  TokenOutcome,
} from './options.js';
// Re-exported so apps need one import.
export {
  APNSError,
  BadResponseError,
  InvalidArgumentError,
  MessageStoragePolicy,
  PayloadTooLargeError,
  Priority,
  liveActivityEnd,
  liveActivityStart,
  liveActivityUpdate,
} from '@pushwire/models';
export type { LiveActivityEnd, LiveActivityStart, LiveActivityUpdate, Logger, Notification, PushType, RawPayload } from '@pushwire/models';
export { AuthHookError, Blocked, Closed, ConnectError, ProtocolError, Timeout } from '@pushwire/connection';
export { AbortError, ResponseError } from '@pushwire/pool';
export type { EngineName, TokenEntry, TokenStore } from '@pushwire/connection';
