/**
 * `@pushwire/connection`: one HTTP/2 connection to APNs, with exact GOAWAY
 * semantics, a live stream cap, deadlines, health pings and an auth hook.
 */
export { Connection } from './connection.js';
export { checkConnectionOptions } from './options.js';
export type { ConnectionOptions, EngineName, PingOptions } from './options.js';
export type { ProxyOption } from './proxy.js';
export { Request } from './request.js';
export type { RequestMethod, RequestOptions } from './request.js';
export { TokenAuth } from './token-auth.js';
export type { TokenAuthOptions, TokenStore, TokenEntry } from './token-auth.js';
export { diagnostics } from './diagnostics.js';
export type {
  ConnectionCloseMessage,
  ConnectionDrainingMessage,
  ConnectionOpenMessage,
  DrainReason,
  RequestEndMessage,
} from './diagnostics.js';
export { AuthHookError, Blocked, Closed, ConnectError, ProtocolError, Timeout } from './errors.js';
export type { ClosedOptions, ErrorCode, TimeoutOptions, Unanswered } from './errors.js';
export type { AuthAction, AuthContext, AuthHook, Response, ResponseSink, TlsOptions } from './types.js';
export { APNSError, InvalidArgumentError } from '@pushwire/models';
export { checkClientCredentials } from './credentials.js';
export type { CredentialFields } from './credentials.js';
