export { Blocked, Closed, ConnectError, Timeout } from './errors.js';
export type { ClosedOptions, Processed } from './errors.js';
export type { AuthAction, AuthContext, AuthHook, Response, TlsOptions } from './types.js';
export { APNSError, InvalidArgumentError } from '@pushwire/models';
