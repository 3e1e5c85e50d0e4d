export { APNSError, InvalidArgumentError, PayloadTooLargeError } from './errors.js';
export type { APNSErrorOptions } from './errors.js';
