/**
 * `@pushwire/pool`: a fixed-size pool of APNs connections with an unbounded
 * FIFO overflow queue, exponential back-off retries, deadlines and
 * reconnects. Re-exports what callers need from the connection tier.
 */
export { Pool, poolDiagnostics } from './pool.js';
export type { PoolFatalMessage, PoolStats, ReconnectEvent } from './pool.js';
export type { PoolRetryMessage, PoolSettleMessage } from './diagnostics.js';
export type { BackoffOptions, Delivery, PoolOptions, PostOptions, ReconnectOptions } from './options.js';
export type { PoolResponse } from './post-state.js';
export { AbortError, ResponseError } from './errors.js';
export type { AbortErrorOptions, ErrorCode } from './errors.js';
export { AuthHookError, Blocked, Closed, ConnectError, ProtocolError, Request, Timeout, TokenAuth, APNSError, InvalidArgumentError } from '@pushwire/connection';
export type { FailureOutcome, Outcome } from '@pushwire/models';
export type { AuthAction, AuthContext, AuthHook, ConnectionOptions, EngineName, PingOptions, RequestOptions, Unanswered, Response, TlsOptions, TokenAuthOptions } from '@pushwire/connection';
