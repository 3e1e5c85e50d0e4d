/**
 * `@pushwire/api`: the app-facing pushwire API.
 *
 * `Server` → `Client` → `sendNotification` / `sendMany`, the unregistered
 * feed, and `Session` for many credentials in one process.
 * @packageDocumentation
 */
export { Server, PRODUCTION_HOST, DEVELOPMENT_HOST } from './server.js';
export type { ServerSpec } from './server.js';
export { Client } from './client.js';
export type { ClientStats, SendControl } from './client.js';
export { Session } from './session.js';
export { BatchResult, SentList } from './batch-result.js';
export type { BatchCounts, BatchError, BulkMessage, Failure, RetryOptions, SentEntry } from './batch-result.js';
export type { TokenSource } from './bulk.js';
export type { UnregisteredEvent } from './feedback.js';
export { ApnsRejection, BatchInterrupted } from './errors.js';
export type { RejectionInit } from './errors.js';
export type {
  Auth,
  BulkOptions,
  BulkProgress,
  CertificateAuth,
  ClientOptions,
  Delivery,
  PfxAuth,
  SendOptions,
  ServerOptions,
  TokenAuthConfig,
  TokenCredentials,
  TokenOutcome,
} from './options.js';
// Re-exported so apps need one import.
export { APNSError, InvalidArgumentError, PayloadTooLargeError, Priority } from '@pushwire/models';
export type { Notification, PushType, RawPayload } from '@pushwire/models';
export { Blocked, Closed, ConnectError, Timeout } from '@pushwire/connection';
