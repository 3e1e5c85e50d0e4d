/**
 * `@pushwire/pool`: a fixed-size pool of APNs connections with an unbounded
 * FIFO overflow queue, exponential back-off retries, deadlines and
 * reconnects. Re-exports what callers need from the connection tier.
 */
export { Pool, poolChannels } from './pool.js';
export type { PoolFatalMessage, PoolStats, ReconnectEvent } from './pool.js';
export type { PoolOptions, PostOptions, ReconnectOptions, RetryOptions } from './options.js';
export type { PoolResponse } from './post-state.js';
export { Aborted, ResponseError } from './errors.js';
export type { AbortedOptions } from './errors.js';
export { Blocked, Closed, ConnectError, ProtocolError, Request, Timeout, TokenAuth, APNSError, InvalidArgumentError } from '@pushwire/connection';
export type { FailureOutcome, Outcome } from '@pushwire/models';
export type { AuthAction, AuthContext, AuthHook, ConnectionOptions, EngineName, RequestOptions, Unanswered, Response, TlsOptions, TokenAuthOptions } from '@pushwire/connection';
